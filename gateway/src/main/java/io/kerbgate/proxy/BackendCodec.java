package io.kerbgate.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a backend connection. Like Netty's {@code HttpClientCodec}, it pairs each response with the
 * method of its request (a response to {@code HEAD} has no body whatever its headers say); unlike it, it can tell
 * whether the connection is still on a message boundary, which decides whether the pool may lend it again:
 * {@link #clean()} is false once the backend sent a response no request asked for, or bytes beyond the last response
 * (the start of a second answer, a body after a {@code HEAD} or {@code 204} response). Such a connection is closed:
 * those bytes would otherwise be read as the answer to the next client's request.
 *
 * <p>Confined to the connection's event loop.
 */
final class BackendCodec extends CombinedChannelDuplexHandler<BackendCodec.ResponseDecoder, BackendCodec.RequestEncoder> {

    BackendCodec(HttpDecoderConfig config) {
        ResponseDecoder decoder = new ResponseDecoder(config);
        init(decoder, new RequestEncoder(decoder));
    }

    /** No stray response was seen and no byte waits in the decoder beyond the last decoded message. */
    boolean clean() {
        ResponseDecoder decoder = inboundHandler();
        return !decoder.stray && decoder.leftover() == 0;
    }

    static final class ResponseDecoder extends HttpResponseDecoder {
        /** Methods of the requests sent and not yet answered, oldest first. */
        private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
        private boolean stray;

        ResponseDecoder(HttpDecoderConfig config) {
            super(config);
        }

        int leftover() {
            return actualReadableBytes();
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            int code = ((HttpResponse) msg).status().code();
            if (methods.isEmpty()) {
                // An interim or final response while no request waits for one: never a reply to anything.
                stray = true;
                return super.isContentAlwaysEmpty(msg);
            }
            if (code >= 100 && code < 200) {
                // Interim: the final response is still to come for the same request.
                return super.isContentAlwaysEmpty(msg);
            }
            return HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(msg);
        }
    }

    static final class RequestEncoder extends HttpRequestEncoder {
        private final ResponseDecoder decoder;

        RequestEncoder(ResponseDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                decoder.methods.add(request.method());
            }
            super.encode(ctx, msg, out);
        }
    }
}
