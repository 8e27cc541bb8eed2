package io.kerbgate.proxy;

import io.kerbgate.proxy.ProxyMetrics.Refusal;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage of a client connection (or HTTP/2 stream), right after the codec: it owns the connection's life. It
 * asks for messages one at a time ({@link ReadPacer}), starts an {@link Exchange} at each request head and passes the
 * messages on; it answers requests from the proxy itself ({@link #answer}) for any later stage, and then drops the rest
 * of the request's body so the connection stays usable, or closes gently; it refuses unreadable requests, closes idle
 * connections, drains on shutdown and writes the access log line of each exchange.
 *
 * <p>When to read from the client (one HTTP message per {@code read()}): a request head when the connection opens and
 * once the previous response is written; the body when a later stage asks ({@link #read}); the body of a request
 * answered here: read and dropped, above {@link #MAX_DISCARD_BYTES} the connection is closed instead.
 */
final class ClientEdge extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientEdge.class);

    /** Body bytes of a locally answered request dropped to keep the connection alive; beyond this it closes. */
    static final long MAX_DISCARD_BYTES = 1024 * 1024;

    /**
     * How long a connection closing after an error keeps reading and dropping input: long enough for the client to
     * read the response, short enough that a client that keeps sending cannot hold the connection.
     */
    static final long LINGER_MILLIS = 2_000;

    /** Told to the later stages when the exchange ends here (an error): they release what they hold for it. */
    enum Abandon { EXCHANGE }

    private final Channel channel;
    private final ReadPacer reads;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private final NegotiateStep negotiate;
    private @Nullable ChannelHandlerContext ctx;

    // Touched only on the connection's event loop.
    private @Nullable Exchange exchange;
    /** Dropping the body of a request answered by {@link #answer}. */
    private boolean discarding;
    private long discarded;
    private @Nullable ChannelFuture localResponse;
    /** A response that ends the connection was sent: input is drained and dropped until the close. */
    private boolean closing;
    /** The proxy is shutting down: the exchange in flight is the last one. */
    private boolean draining;

    ClientEdge(Channel channel, ProxyMetrics metrics, AccessLog accessLog, NegotiateStep negotiate) {
        this.channel = channel;
        this.reads = new ReadPacer(channel, this::message);
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.negotiate = negotiate;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        reads.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reads.handle(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reads.readComplete();
        ctx.fireChannelReadComplete();
    }

    /** The exchange in progress, or null between requests. */
    @Nullable Exchange exchange() {
        return exchange;
    }

    /** Asks for the next message from the client. */
    void read() {
        reads.read();
    }

    boolean draining() {
        return draining;
    }

    private void message(Object msg) {
        if (msg instanceof RequestFraming.Violation violation && !closing) {
            requestUnreadable(violation.cause());
            return;
        }
        if (closing || !(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DecoderResult result = object.decoderResult();
        if (result.isFailure()) {
            ReferenceCountUtil.release(msg);
            requestUnreadable(result.cause());
            return;
        }
        // HttpServerCodec emits a head and then its contents; a FullHttpRequest only ever carries a decoder failure.
        if (msg instanceof HttpRequest request) {
            exchange = new Exchange(request);
        } else if (discarding) {
            discard((HttpContent) msg);
            return;
        }
        Objects.requireNonNull(ctx).fireChannelRead(msg);
    }

    /**
     * Graceful shutdown: an idle connection closes now; one with a request in flight finishes it and then closes
     * ({@code Connection: close} on the response when it has not started). Call on the event loop.
     */
    void drain() {
        draining = true;
        if (closing) {
            return;
        }
        Exchange ex = exchange;
        if (ex != null) {
            if (!ex.responseStarted) {
                ex.keepAlive = false;
            }
        } else if (discarding) {
            closeAfter(Objects.requireNonNull(localResponse));
        } else {
            // Between requests; the last response may still be on its way out: close behind it.
            closeAfter(channel.writeAndFlush(Unpooled.EMPTY_BUFFER));
        }
    }

    void requestUnreadable(Throwable cause) {
        requestUnreadable(cause, cause instanceof TooLongHttpHeaderException ? Refusal.TOO_LARGE
                : cause instanceof RequestFraming.FramingException ? Refusal.FRAMING : Refusal.MALFORMED);
    }

    /** 400 (431 for a head too large) and a close; the backend connection, if any, is closed too. */
    void requestUnreadable(Throwable cause, Refusal reason) {
        metrics.refused(reason);
        if (discarding) {
            // This request was answered already; it only needs to end.
            closeAfter(Objects.requireNonNull(localResponse));
            return;
        }
        Exchange ex = exchange;
        if (ex != null && ex.responseStarted) {
            abort("request body unreadable: " + cause);
            return;
        }
        log.debug("unreadable request from {} ({}): {}", remote(), reason.tag, cause.toString());
        // The backend got part of a request: its connection cannot carry another one.
        abandon();
        if (cause instanceof TooLongHttpHeaderException && ClientAddress.of(channel) instanceof InetSocketAddress peer) {
            negotiate.headersTooLarge(peer);
        }
        FullHttpResponse response = cause instanceof TooLongHttpHeaderException
                ? Responses.HEADERS_TOO_LARGE : Responses.BAD_REQUEST;
        answer(response.retainedDuplicate(), null, true);
    }

    /**
     * Answers the current request (if any) from the proxy itself; the stage that calls it has let go of what it held
     * for the exchange. Unless {@code close} or the client asked for it, the connection stays open: the rest of the
     * request body is dropped and the next request read.
     *
     * @param backend the backend the answer is about, for the metrics and the log, or null
     */
    void answer(FullHttpResponse response, @Nullable Backend backend, boolean close) {
        Exchange ex = exchange;
        if (ex != null && ex.head && response.content().isReadable()) {
            // HEAD gets the headers a GET would (its Content-Length too) and no content. HTTP/1.1's encoder drops it by
            // itself; an HTTP/2 stream would send it as DATA frames that the client takes for a protocol error.
            FullHttpResponse headersOnly = response.replace(Unpooled.EMPTY_BUFFER);
            response.release();
            response = headersOnly;
        }
        boolean keepAlive = !close && !draining && ex != null && ex.keepAlive
                // A client that waited for 100 Continue in vain may send the body anyway, or not: no telling where
                // the next request would start.
                && !(ex.expectContinue && !ex.continueSent)
                // Say so now rather than cut the client off in mid-body.
                && (ex.requestDone || ex.contentLength <= MAX_DISCARD_BYTES);
        int status = response.status().code();
        if (ex != null) {
            end(ex, status, backend);
        }
        setConnection(response.headers(), ex == null ? HttpVersion.HTTP_1_1 : ex.clientVersion, keepAlive);
        metrics.response(backend == null ? -1 : backend.index(), status);
        ChannelFuture written = channel.writeAndFlush(response);
        written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (!keepAlive) {
            closeAfter(written);
        } else if (ex.requestDone) {
            readNextRequestAfter(written);
        } else {
            discarding = true;
            discarded = 0;
            localResponse = written;
            reads.read();
        }
    }

    /** The exchange is over (answered, forwarded, or lost): the access log gets its line. */
    void end(Exchange ex, int status, @Nullable Backend backend) {
        if (exchange == ex) {
            exchange = null;
        }
        if (!accessLog.enabled()) {
            return;
        }
        accessLog.log(new AccessLog.Entry(remote(), ex.accepted == null ? null : ex.accepted.client(),
                ex.method.name(), ex.uri, status, backend == null ? null : backend.authority(), ex.bytesIn,
                ex.bytesOut, ex.auth, System.nanoTime() - ex.start, ex.upstreamNanos, ex.retries));
    }

    private void discard(HttpContent content) {
        discarded += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        content.release();
        ChannelFuture response = Objects.requireNonNull(localResponse);
        if (last) {
            discarding = false;
            if (draining) {
                closeAfter(response);
            } else {
                readNextRequestAfter(response);
            }
        } else if (discarded > MAX_DISCARD_BYTES) {
            closeAfter(response);
        } else {
            reads.read();
        }
    }

    static void setConnection(HttpHeaders headers, HttpVersion clientVersion, boolean keepAlive) {
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!clientVersion.isKeepAliveDefault()) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /**
     * Reads the next request head once the response is written, so that a client that does not read cannot pile up
     * responses. The read runs as a task of its own: called from inside the backend connection's read, it could
     * otherwise lease that same connection again before a stray byte after the response closed it.
     */
    void readNextRequestAfter(ChannelFuture written) {
        written.addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                channel.eventLoop().execute(reads::read);
            }
        });
    }

    /**
     * Closes the connection after {@code written}, gently: half-close, then keep reading and dropping what the client
     * still sends for at most {@link #LINGER_MILLIS}. Closing with unread input would reset the connection and could
     * destroy the response before the client reads it (RFC 9112 §9.6).
     */
    void closeAfter(ChannelFuture written) {
        closing = true;
        discarding = false;
        written.addListener((ChannelFutureListener) f -> {
            Channel channel = f.channel();
            // An HTTP/2 stream has no half-close: its response ended the stream, and close() resets what is left.
            if (!f.isSuccess() || !channel.isActive() || !(channel instanceof DuplexChannel)) {
                channel.close();
                return;
            }
            ((DuplexChannel) channel).shutdownOutput();
            channel.config().setAutoRead(true);
            channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** Ends an exchange whose response already started: only a close can tell the client it is incomplete. */
    void abort(String why) {
        log.info("closing client {} mid-response: {}", remote(), why);
        closing = true;
        Exchange ex = exchange;
        abandon();
        if (ex != null) {
            end(ex, 0, ex.backend);
        }
        channel.close();
    }

    private void abandon() {
        if (exchange != null) {
            Objects.requireNonNull(ctx).fireUserEventTriggered(Abandon.EXCHANGE);
        }
    }

    /** The connection now relays bytes ({@link TunnelHandler}): this stage leaves with the codecs. */
    void tunnelStarted(Exchange ex) {
        end(ex, 101, ex.backend);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange ex = exchange;
        exchange = null;
        if (ex != null) {
            end(ex, 0, ex.backend);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            Exchange ex = exchange;
            // Silence while the backend connects or thinks is timed by timeouts.connect/response; any other silence,
            // including a transfer stalled in either direction, ends the connection.
            if (ex == null || !ex.waitingForBackend) {
                log.debug("client {} idle; closing", remote());
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(cause);
    }

    /** What went wrong on this connection outside the protocol: a close, a 400, or a 500. */
    void failed(Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client {} connection error: {}", remote(), cause.toString());
            channel.close();
            return;
        }
        if (cause instanceof DecoderException && !closing) {
            requestUnreadable(cause);
            return;
        }
        log.warn("proxy error on client connection {}", remote(), cause);
        Exchange ex = exchange;
        if (closing || (ex != null && ex.responseStarted)) {
            abort("internal error");
            return;
        }
        abandon();
        answer(Responses.INTERNAL_ERROR.retainedDuplicate(), null, true);
    }

    /** The client's address (behind a balancer, the one its PROXY header named). */
    @Nullable SocketAddress remote() {
        return ClientAddress.of(channel);
    }
}
