package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.Acceptance.Rejected;
import io.kerbgate.identity.IdentityHeaders;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: authenticates each request, then streams it to a leased backend connection and the
 * response back. Requests are served one at a time in order (pipelined requests wait in the
 * {@link io.netty.handler.codec.http.HttpServerCodec}/{@link io.netty.handler.flow.FlowControlHandler}).
 *
 * <p>When to read from the client (one HTTP message per {@code read()}):
 * <ul>
 *   <li>a request head: when the connection opens, and once the previous response is written;
 *   <li>its body: once the backend connection is ready, then one chunk after another while the backend connection is
 *       writable (otherwise when it becomes writable again);
 *   <li>the body of a request answered locally (401, 502...): read and dropped, so the connection stays usable;
 *       above {@link #MAX_DISCARD_BYTES} the connection is closed instead.
 * </ul>
 * The backend's response is read the same way, one message at a time while the client connection is writable.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter implements BackendHandler.Listener {

    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

    /** Body bytes of a locally answered request dropped to keep the connection alive; beyond this it closes. */
    static final long MAX_DISCARD_BYTES = 1024 * 1024;

    /**
     * How long a connection closing after an error keeps reading and dropping input: long enough for the client to
     * read the response, short enough that a client that keeps sending cannot hold the connection.
     */
    static final long LINGER_MILLIS = 2_000;

    private final Channel channel;
    private final ReadPacer reads;
    private final NegotiateStep negotiate;
    private final IdentityHeaders identity;
    private final BackendPool pool;
    private final ProxyMetrics metrics;
    private final long responseTimeoutNanos;
    private final ConnectionSecurity security;

    // Everything below is touched only on this connection's event loop. Backend connections are leased from the same
    // loop (BackendPool keeps idle connections per loop), so their callbacks run on this thread too: nothing needs to
    // be volatile.
    private @Nullable Exchange exchange;
    /** Dropping the body of a request answered by {@link #localResponse}. */
    private boolean discarding;
    private long discarded;
    private @Nullable ChannelFuture localResponse;
    /** A response that ends the connection was sent: input is drained and dropped until the close. */
    private boolean closing;

    /** One request, from its head to the end of its response. */
    private static final class Exchange {
        final HttpVersion clientVersion;
        final boolean head;
        final boolean expectContinue;
        /** -1 for a chunked body. */
        final long contentLength;
        /** The client connection survives this exchange. */
        boolean keepAlive;
        @Nullable Accepted accepted;
        @Nullable Backend backend;
        @Nullable HttpRequest forward;
        /** Leased from the pool; null while connecting and after the release. */
        @Nullable Channel backendChannel;
        boolean continueSent;
        /** The client's LastHttpContent was read. */
        boolean requestDone;
        /** A response head went out: from now on only a close can report a failure. */
        boolean responseStarted;
        int status;
        boolean backendReusable;
        boolean skippingInformational;
        boolean clientReadWaiting;
        boolean backendReadWaiting;
        @Nullable ScheduledFuture<?> responseTimer;
        long upstreamStart;

        Exchange(HttpRequest request) {
            clientVersion = request.protocolVersion();
            head = HttpMethod.HEAD.equals(request.method());
            expectContinue = HttpUtil.is100ContinueExpected(request);
            contentLength = HttpUtil.getContentLength(request, -1L);
            keepAlive = HttpUtil.isKeepAlive(request);
        }

        /** Connecting, or waiting for the response head: the connect and response timeouts are in charge. */
        boolean waitingForBackend() {
            return !responseStarted && (backendChannel == null || requestDone);
        }

        void cancelTimer() {
            if (responseTimer != null) {
                responseTimer.cancel(false);
                responseTimer = null;
            }
        }
    }

    FrontendHandler(Channel channel, NegotiateStep negotiate, IdentityHeaders identity, BackendPool pool,
                    ProxyMetrics metrics, Duration responseTimeout, ConnectionSecurity security) {
        this.channel = channel;
        this.reads = new ReadPacer(channel, this::clientMessage);
        this.negotiate = negotiate;
        this.identity = identity;
        this.pool = pool;
        this.metrics = metrics;
        this.responseTimeoutNanos = responseTimeout.toNanos();
        this.security = security;
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

    private void clientMessage(Object msg) {
        if (closing || !(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DecoderResult result = ((HttpObject) msg).decoderResult();
        if (result.isFailure()) {
            ReferenceCountUtil.release(msg);
            requestUnreadable(result.cause());
            return;
        }
        // HttpServerCodec emits a head and then its contents; a FullHttpRequest only ever carries a decoder failure.
        if (msg instanceof HttpRequest request) {
            requestHead(request);
        } else {
            requestContent((HttpContent) msg);
        }
    }

    private void requestUnreadable(Throwable cause) {
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
        log.debug("unreadable request from {}: {}", remote(), cause.toString());
        if (ex != null && ex.backendChannel != null) {
            // The backend got part of a request: its connection cannot carry another one.
            pool.release(ex.backendChannel, false);
            ex.backendChannel = null;
        }
        if (cause instanceof TooLongHttpHeaderException && channel.remoteAddress() instanceof InetSocketAddress peer) {
            negotiate.headersTooLarge(peer);
        }
        FullHttpResponse response = cause instanceof TooLongHttpHeaderException
                ? Responses.HEADERS_TOO_LARGE : Responses.BAD_REQUEST;
        respondLocally(response.retainedDuplicate(), -1, true);
    }

    private void requestHead(HttpRequest request) {
        Exchange ex = new Exchange(request);
        exchange = ex;
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || !"HTTP".equals(version.protocolName())) {
            respondLocally(Responses.VERSION_NOT_SUPPORTED.retainedDuplicate(), -1, true);
            return;
        }
        if (unsupportedExpectation(request)) {
            respondLocally(Responses.EXPECTATION_FAILED.retainedDuplicate(), -1, true);
            return;
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            respondLocally(Responses.NOT_IMPLEMENTED.retainedDuplicate(), -1, true);
            return;
        }
        InetSocketAddress peer = (InetSocketAddress) channel.remoteAddress();
        Acceptance verdict = negotiate.authenticate(request, peer, security.bindings());
        if (verdict instanceof Rejected rejected) {
            respondLocally(Responses.refusal(rejected.reason(), rejected.rejectToken()), -1, false);
            return;
        }
        // null on an anonymous route: forwarded without an identity.
        Accepted accepted = verdict instanceof Accepted a ? a : null;
        Backend backend = pool.next();
        ex.accepted = accepted;
        ex.backend = backend;
        ex.forward = forwardedRequest(request, accepted, peer, backend);
        Future<Channel> acquired = pool.acquire(backend, channel.eventLoop());
        acquired.addListener(f -> backendAcquired(ex, acquired));
    }

    /** RFC 9110 §10.1.1: 100-continue is the only expectation; an HTTP/1.0 client's Expect is ignored. */
    private static boolean unsupportedExpectation(HttpRequest request) {
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        return expect != null
                && request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim());
    }

    private HttpRequest forwardedRequest(HttpRequest request, @Nullable Accepted accepted, InetSocketAddress peer,
                                         Backend backend) {
        HttpHeaders headers = request.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        HopByHopHeaders.strip(headers);
        // The proxy answers 100-continue itself once the backend is connected; the backend never waits for a body.
        headers.remove(HttpHeaderNames.EXPECT);
        identity.forward(headers, accepted == null ? null : accepted.client(),
                accepted == null ? List.of() : accepted.groups(), peer.getAddress(), security.scheme());
        if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, backend.authority());
        }
        HttpRequest forward = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), headers);
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(forward, true);
        }
        return forward;
    }

    private void backendAcquired(Exchange ex, Future<Channel> acquired) {
        try {
            if (exchange != ex) {
                // The client left while the connection was being made; it is clean and can serve another client.
                if (acquired.isSuccess()) {
                    pool.release(acquired.getNow(), true);
                }
                return;
            }
            Backend backend = Objects.requireNonNull(ex.backend);
            if (!acquired.isSuccess()) {
                Throwable cause = acquired.cause();
                log.warn("backend {} unavailable for client {}: {}", backend, remote(), cause.toString());
                FullHttpResponse response = cause instanceof BackendPool.PoolExhaustedException
                        ? Responses.SERVICE_UNAVAILABLE : Responses.BAD_GATEWAY;
                respondLocally(response.retainedDuplicate(), backend.index(), false);
                return;
            }
            Channel backendChannel = acquired.getNow();
            ex.backendChannel = backendChannel;
            backendHandler(backendChannel).attach(this);
            ex.upstreamStart = System.nanoTime();
            backendChannel.writeAndFlush(ex.forward).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            backendHandler(backendChannel).read();
            if (ex.expectContinue) {
                ex.continueSent = true;
                channel.writeAndFlush(Responses.CONTINUE.retainedDuplicate())
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
            reads.read();
        } catch (RuntimeException e) {
            // A future's listener must not throw: Netty would only log it and the exchange would hang.
            failed(e);
        }
    }

    private void requestContent(HttpContent content) {
        if (discarding) {
            discard(content);
            return;
        }
        Exchange ex = Objects.requireNonNull(exchange, "request content outside an exchange");
        Channel backendChannel = Objects.requireNonNull(ex.backendChannel, "request content before the backend");
        if (content instanceof LastHttpContent last) {
            ex.requestDone = true;
            backendChannel.writeAndFlush(withoutTrailers(last)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (!ex.responseStarted) {
                ex.responseTimer = channel.eventLoop().schedule(
                        () -> responseTimedOut(ex), responseTimeoutNanos, TimeUnit.NANOSECONDS);
            }
            return;
        }
        backendChannel.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (backendChannel.isWritable()) {
            reads.read();
        } else {
            ex.clientReadWaiting = true;
        }
    }

    /** Request trailers are dropped: a backend that merges them into the headers would take a client's identity. */
    private static LastHttpContent withoutTrailers(LastHttpContent last) {
        if (last.trailingHeaders().isEmpty()) {
            return last;
        }
        LastHttpContent bare = new DefaultLastHttpContent(last.content().retain());
        last.release();
        return bare;
    }

    private void discard(HttpContent content) {
        discarded += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        content.release();
        ChannelFuture response = Objects.requireNonNull(localResponse);
        if (last) {
            discarding = false;
            readNextRequestAfter(response);
        } else if (discarded > MAX_DISCARD_BYTES) {
            closeAfter(response);
        } else {
            reads.read();
        }
    }

    private void responseTimedOut(Exchange ex) {
        if (exchange != ex || ex.responseStarted) {
            return;
        }
        Backend backend = Objects.requireNonNull(ex.backend);
        log.warn("backend {} sent no response head within {} ms for client {}", backend,
                TimeUnit.NANOSECONDS.toMillis(responseTimeoutNanos), remote());
        ex.responseTimer = null;
        if (ex.backendChannel != null) {
            pool.release(ex.backendChannel, false);
            ex.backendChannel = null;
        }
        respondLocally(Responses.GATEWAY_TIMEOUT.retainedDuplicate(), backend.index(), false);
    }

    @Override
    public void backendRead(Object msg) {
        Exchange ex = Objects.requireNonNull(exchange, "backend message outside an exchange");
        DecoderResult result = ((HttpObject) msg).decoderResult();
        if (result.isFailure()) {
            ReferenceCountUtil.release(msg);
            backendFailed(ex, result.cause());
        } else if (msg instanceof HttpResponse response) {
            responseHead(ex, response);
        } else {
            responseContent(ex, (HttpContent) msg);
        }
    }

    private void responseHead(Exchange ex, HttpResponse response) {
        Channel backendChannel = Objects.requireNonNull(ex.backendChannel);
        Backend backend = Objects.requireNonNull(ex.backend);
        int code = response.status().code();
        if (code == 101) {
            backendFailed(ex, new DecoderException("backend switched protocols although Upgrade was removed"));
            return;
        }
        if (code < 200) {
            // The proxy answered any 100-continue itself; other interim responses are dropped with their empty body.
            ex.skippingInformational = true;
            backendHandler(backendChannel).read();
            return;
        }
        ex.cancelTimer();
        metrics.upstreamLatency(backend.index(), System.nanoTime() - ex.upstreamStart);
        ex.responseStarted = true;
        ex.status = code;
        channel.writeAndFlush(forwardedResponse(ex, response)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        readResponse(ex, backendChannel);
    }

    private HttpResponse forwardedResponse(Exchange ex, HttpResponse response) {
        HttpHeaders headers = response.headers();
        int code = response.status().code();
        boolean bodyless = ex.head || code == 204 || code == 304;
        boolean delimited = HttpUtil.isContentLengthSet(response);
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        // A body that ends with the backend's close leaves nothing to reuse.
        ex.backendReusable = HttpUtil.isKeepAlive(response) && (bodyless || delimited || chunked);
        HopByHopHeaders.strip(headers);
        HttpResponse forward = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers);
        if (!bodyless && !delimited) {
            if (ex.clientVersion.isKeepAliveDefault()) {
                HttpUtil.setTransferEncodingChunked(forward, true);
            } else {
                // An HTTP/1.0 client knows no chunks: it reads this body until the close.
                ex.keepAlive = false;
            }
        }
        byte[] token = ex.accepted == null ? null : ex.accepted.responseToken();
        // RFC 4559 §5: the final token rides on the successful response. A 401 from the backend carries its own
        // challenge, which a Negotiate token must not confuse.
        if (token != null && code != 401) {
            headers.add(HttpHeaderNames.WWW_AUTHENTICATE, Responses.negotiate(token));
        }
        setConnection(headers, ex.clientVersion, ex.keepAlive);
        return forward;
    }

    private void responseContent(Exchange ex, HttpContent content) {
        Channel backendChannel = Objects.requireNonNull(ex.backendChannel);
        boolean last = content instanceof LastHttpContent;
        if (ex.skippingInformational) {
            content.release();
            ex.skippingInformational = !last;
            backendHandler(backendChannel).read();
            return;
        }
        if (last) {
            finish(ex, (LastHttpContent) content);
        } else {
            channel.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            readResponse(ex, backendChannel);
        }
    }

    private void readResponse(Exchange ex, Channel backendChannel) {
        if (channel.isWritable()) {
            backendHandler(backendChannel).read();
        } else {
            ex.backendReadWaiting = true;
        }
    }

    private void finish(Exchange ex, LastHttpContent last) {
        exchange = null;
        ex.cancelTimer();
        metrics.response(Objects.requireNonNull(ex.backend).index(), ex.status);
        ChannelFuture written = channel.writeAndFlush(last);
        written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        // A response that ended before the request did leaves the backend mid-request and the client's body unread.
        pool.release(Objects.requireNonNull(ex.backendChannel), ex.backendReusable && ex.requestDone);
        ex.backendChannel = null;
        if (ex.keepAlive && ex.requestDone) {
            readNextRequestAfter(written);
        } else {
            closeAfter(written);
        }
    }

    @Override
    public void backendWritable() {
        Exchange ex = exchange;
        if (ex != null && ex.clientReadWaiting) {
            ex.clientReadWaiting = false;
            reads.read();
        }
    }

    @Override
    public void backendClosed(@Nullable Throwable cause) {
        backendFailed(Objects.requireNonNull(exchange, "backend event outside an exchange"), cause);
    }

    private void backendFailed(Exchange ex, @Nullable Throwable cause) {
        Backend backend = Objects.requireNonNull(ex.backend);
        if (ex.backendChannel != null) {
            pool.release(ex.backendChannel, false);
            ex.backendChannel = null;
        }
        ex.cancelTimer();
        String why = cause == null ? "connection closed" : cause.toString();
        if (ex.responseStarted) {
            abort("backend " + backend + " failed mid-response: " + why);
            return;
        }
        log.warn("backend {} failed before responding to client {}: {}", backend, remote(), why);
        respondLocally(Responses.BAD_GATEWAY.retainedDuplicate(), backend.index(), false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange ex = exchange;
        if (ex != null && ex.backendReadWaiting && ex.backendChannel != null && ctx.channel().isWritable()) {
            ex.backendReadWaiting = false;
            backendHandler(ex.backendChannel).read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange ex = exchange;
        exchange = null;
        if (ex != null) {
            ex.cancelTimer();
            if (ex.backendChannel != null) {
                pool.release(ex.backendChannel, false);
                ex.backendChannel = null;
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            Exchange ex = exchange;
            // Silence while the backend connects or thinks is timed by timeouts.connect/response; any other silence,
            // including a transfer stalled in either direction, ends the connection.
            if (ex == null || !ex.waitingForBackend()) {
                log.debug("client {} idle; closing", remote());
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(cause);
    }

    private void failed(Throwable cause) {
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
        if (ex != null && ex.backendChannel != null) {
            pool.release(ex.backendChannel, false);
            ex.backendChannel = null;
        }
        respondLocally(Responses.INTERNAL_ERROR.retainedDuplicate(), -1, true);
    }

    /**
     * Answers the current request (if any) from the proxy itself. Unless {@code close} or the client asked for it,
     * the connection stays open: the rest of the request body is dropped and the next request read.
     *
     * @param backend the backend's index for the metrics, -1 for none
     */
    private void respondLocally(FullHttpResponse response, int backend, boolean close) {
        Exchange ex = exchange;
        exchange = null;
        boolean keepAlive = !close && ex != null && ex.keepAlive
                // A client that waited for 100 Continue in vain may send the body anyway, or not: no telling where
                // the next request would start.
                && !(ex.expectContinue && !ex.continueSent)
                // Say so now rather than cut the client off in mid-body.
                && (ex.requestDone || ex.contentLength <= MAX_DISCARD_BYTES);
        if (ex != null) {
            ex.cancelTimer();
        }
        setConnection(response.headers(), ex == null ? HttpVersion.HTTP_1_1 : ex.clientVersion, keepAlive);
        metrics.response(backend, response.status().code());
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

    private static void setConnection(HttpHeaders headers, HttpVersion clientVersion, boolean keepAlive) {
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
    private void readNextRequestAfter(ChannelFuture written) {
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
    private void closeAfter(ChannelFuture written) {
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
    private void abort(String why) {
        log.info("closing client {} mid-response: {}", remote(), why);
        closing = true;
        Exchange ex = exchange;
        exchange = null;
        if (ex != null) {
            ex.cancelTimer();
            if (ex.backendChannel != null) {
                pool.release(ex.backendChannel, false);
                ex.backendChannel = null;
            }
        }
        channel.close();
    }

    private static BackendHandler backendHandler(Channel backendChannel) {
        return backendChannel.pipeline().get(BackendHandler.class);
    }

    private @Nullable SocketAddress remote() {
        return channel.remoteAddress();
    }
}
