package io.kerbgate.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 on the front, chosen by ALPN on a TLS connection ({@code h2}, else {@code http/1.1}). Each HTTP/2 stream is
 * a child channel whose pipeline turns frames into the HTTP/1.1 objects that the proxy's stages handle, so one
 * stream is served exactly as one HTTP/1.1 request: authenticated on its own {@code Authorization} header (there is no
 * connection-level authentication in HTTP/2 either), then proxied to a backend over HTTP/1.1.
 *
 * <pre>
 * connection: tls | alpn → h2:       idle | Http2FrameCodec | Http2MultiplexHandler | idle-close
 *                        → http/1.1: idle | framing | HttpServerCodec | flow | stages
 * h2 stream:  idle | Http2StreamFrameToHttpObjectCodec | Http2RequestAdapter | flow | stages
 * </pre>
 *
 * <p>Flow control: a stream channel runs with {@code AUTO_READ=false} like an HTTP/1.1 connection, so a stream's body
 * is read (and its HTTP/2 window reopened) only as fast as its backend takes it. The connection itself reads freely:
 * the peer can only send within the windows and {@link #MAX_CONCURRENT_STREAMS}.
 */
final class Http2FrontendInitializer {

    private static final Logger log = LoggerFactory.getLogger(Http2FrontendInitializer.class);

    static final int MAX_CONCURRENT_STREAMS = 100;

    private Http2FrontendInitializer() {}

    /** Picks the protocol once the TLS handshake is done. */
    static final class Alpn extends ApplicationProtocolNegotiationHandler {
        private final FrontendInitializer front;
        private final ConnectionSecurity security;

        Alpn(FrontendInitializer front, ConnectionSecurity security) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.front = front;
            this.security = security;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            // AUTO_READ is off and no handler that asks for input is here yet: read the ClientHello. SslHandler then
            // keeps reading until the handshake is done.
            ctx.read();
            super.channelActive(ctx);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                        .initialSettings(Http2Settings.defaultSettings()
                                .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                                .maxHeaderListSize(front.maxHeaderSize()))
                        .build();
                ctx.pipeline()
                        .addLast("h2", codec)
                        .addLast("streams", new Http2MultiplexHandler(new StreamInitializer(front, security)))
                        .addLast("idle-close", new IdleClose(codec));
                ctx.channel().config().setAutoRead(true);
                return;
            }
            front.addHttp1(ctx.pipeline(), security);
            // The HTTP/1.1 handlers arrive after the connection became active, and ClientEdge asks for its first
            // request when it sees channelActive: tell them, and them only (from here on down the pipeline).
            ctx.fireChannelActive();
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            // Scanners and clients that distrust the certificate: routine, so not a warning.
            log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** One stream's pipeline: HTTP/2 frames in, the HTTP/1.1 objects of one request out, then the usual proxy. */
    private static final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
        private final FrontendInitializer front;
        private final ConnectionSecurity security;

        StreamInitializer(FrontendInitializer front, ConnectionSecurity security) {
            this.front = front;
            this.security = security;
        }

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.config().setAutoRead(false);
            ChannelPipeline p = ch.pipeline();
            p.addLast("idle", new IdleStateHandler(0, 0, front.clientIdleMillis(), TimeUnit.MILLISECONDS))
                    .addLast("codec", new Http2StreamFrameToHttpObjectCodec(true))
                    .addLast("adapter", new Http2RequestAdapter())
                    .addLast("flow", new FlowControlHandler());
            front.addStages(p, security);
        }
    }

    /**
     * Makes a stream's request look like one read from an HTTP/1.1 connection: a request without a body arrives from
     * the codec as a {@link FullHttpRequest}, which {@link ClientEdge} expects as a head and a last content; and
     * the codec's own {@code x-http2-*} headers (stream id, scheme) are for this hop only.
     */
    static final class Http2RequestAdapter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                stripExtensionHeaders(request.headers());
            }
            if (msg instanceof FullHttpRequest full) {
                HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(),
                        full.headers());
                DefaultLastHttpContent last = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
                ctx.fireChannelRead(head);
                ctx.fireChannelRead(last);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        static void stripExtensionHeaders(HttpHeaders headers) {
            for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
                headers.remove(name.text());
            }
        }
    }

    /** Closes an HTTP/2 connection (with GOAWAY) that has had no stream and no traffic for the idle timeout. */
    private static final class IdleClose extends ChannelInboundHandlerAdapter {
        private final Http2FrameCodec codec;

        IdleClose(Http2FrameCodec codec) {
            this.codec = codec;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                // Open streams have idle timeouts of their own.
                if (codec.connection().numActiveStreams() == 0) {
                    ctx.close();
                }
                ReferenceCountUtil.release(evt);
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
