package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.Acceptance.Rejected;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.access.RequestTarget;
import io.kerbgate.proxy.ProxyMetrics.Refusal;
import io.kerbgate.sessions.SessionCookies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ServerChannel;
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
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
 *   <li>the first piece of its body, if it has one: right after the head, before a backend is chosen, so that a
 *       request whose body turns out malformed (a bad chunk size) is refused before any backend saw a byte of it;
 *       except with {@code Expect: 100-continue}, where the client waits for the 100;
 *   <li>the rest of its body: once the backend connection is ready, then one chunk after another while the backend
 *       connection is writable (otherwise when it becomes writable again);
 *   <li>the body of a request answered locally (401, 502...): read and dropped, so the connection stays usable;
 *       above {@link #MAX_DISCARD_BYTES} the connection is closed instead.
 * </ul>
 * The backend's response is read the same way, one message at a time while the client connection is writable.
 *
 * <p>Retries: a request with an idempotent method and no body is sent again, to another backend, when its attempt
 * failed before any byte of the response: connect refused, the connection reset or closed before the response head
 * (also a pooled connection the backend had just closed). At most {@code retries.idempotent} times, each on a backend
 * not tried yet. A request with a body is streamed, never buffered, so it is never retried; nor is a timeout (the
 * backend may still be working on it).
 *
 * <p>WebSocket: an authenticated {@code GET} with {@code Upgrade: websocket} keeps its {@code Upgrade} and
 * {@code Connection: Upgrade}; when the backend answers 101, both connections drop their HTTP codecs and the proxy
 * relays bytes both ways, with the same read-after-write backpressure, until either side closes.
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

    /**
     * The principal a client connection last authenticated ({@code sessions.connection_bound}). On the connection's
     * channel: for HTTP/2, the parent of the stream channels, whose event loop they share, so it is only ever touched
     * from that one thread.
     */
    static final AttributeKey<Accepted> CONNECTION_PRINCIPAL = AttributeKey.valueOf("kerbgate.connectionPrincipal");

    /** RFC 9110 §9.2.2. */
    static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

    private final Channel channel;
    private final ReadPacer reads;
    private final NegotiateStep negotiate;
    private final LiveSettings live;
    private final BackendPool pool;
    private final ProxyMetrics metrics;
    private final long responseTimeoutNanos;
    private final ProxyPolicy policy;
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
    /** The proxy is shutting down: the exchange in flight is the last one. */
    private boolean draining;
    /** After a 101: the backend connection bytes are relayed to and from. */
    private @Nullable Channel tunnel;
    private boolean tunnelClientReadWaiting;
    private boolean tunnelBackendReadWaiting;

    /** One request, from its head to the end of its response. */
    private static final class Exchange {
        final HttpVersion clientVersion;
        final HttpMethod method;
        final String uri;
        final boolean head;
        final boolean expectContinue;
        /** The body is chunked; else {@link #contentLength} is the length it declared. */
        final boolean chunked;
        /** -1 for a chunked body, 0 for a request without Content-Length. */
        final long contentLength;
        final boolean hasBody;
        /**
         * A body Netty would read though neither Content-Length nor Transfer-Encoding announces it (the Hixie-76
         * handshake's 8 bytes): refused, for no backend would read it as the body of this request.
         */
        final boolean impliedBody;
        final long start = System.nanoTime();
        /** The client connection survives this exchange. */
        boolean keepAlive;
        @Nullable Accepted accepted;
        /** For the access log: ok, off, or the refusal's reason. */
        String auth = "-";
        boolean upgrade;
        boolean retryable;
        @Nullable Backend backend;
        /** This attempt is counted in {@link Backend#outstanding()}. */
        boolean attemptOpen;
        int attempts;
        int retries;
        @Nullable BitSet tried;
        @Nullable HttpRequest forward;
        /** The client sent no Host: each attempt sets its backend's. */
        boolean hostFromBackend;
        /** The first piece of the body, read before a backend was chosen. */
        @Nullable HttpContent held;
        boolean awaitingFirstContent;
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
        long upstreamNanos = -1;
        long bytesIn;
        long bytesOut;

        Exchange(HttpRequest request) {
            clientVersion = request.protocolVersion();
            method = request.method();
            uri = request.uri();
            head = HttpMethod.HEAD.equals(request.method());
            expectContinue = HttpUtil.is100ContinueExpected(request);
            chunked = HttpUtil.isTransferEncodingChunked(request);
            boolean declared = request.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
            // Only the headers say how long a body is: HttpUtil.getContentLength also applies Hixie-76's implied 8.
            contentLength = chunked ? -1 : declared ? HttpUtil.getContentLength(request, 0L) : 0;
            hasBody = chunked || contentLength > 0;
            impliedBody = !chunked && !declared && HttpUtil.getContentLength(request, -1L) > 0;
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

        void releaseHeld() {
            if (held != null) {
                held.release();
                held = null;
            }
        }

        /** Ends the attempt's share of its backend's load; idempotent. */
        void endAttempt() {
            if (attemptOpen) {
                attemptOpen = false;
                Objects.requireNonNull(backend).requestEnded();
            }
        }
    }

    FrontendHandler(Channel channel, NegotiateStep negotiate, LiveSettings live, BackendPool pool,
                    ProxyMetrics metrics, Duration responseTimeout, ProxyPolicy policy, ConnectionSecurity security) {
        this.channel = channel;
        this.reads = new ReadPacer(channel, this::clientMessage);
        this.negotiate = negotiate;
        this.live = live;
        this.pool = pool;
        this.metrics = metrics;
        this.responseTimeoutNanos = responseTimeout.toNanos();
        this.policy = policy;
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

    /**
     * Graceful shutdown: an idle connection closes now; one with a request in flight finishes it and then closes
     * ({@code Connection: close} on the response when it has not started). WebSocket tunnels are left to the end of
     * the drain. Call on the event loop.
     */
    void drain() {
        draining = true;
        if (tunnel != null || closing) {
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

    private void clientMessage(Object msg) {
        if (tunnel != null) {
            tunnelFromClient(msg);
            return;
        }
        if (msg instanceof RequestFraming.Violation violation && !closing) {
            requestUnreadable(violation.cause());
            return;
        }
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
        requestUnreadable(cause, cause instanceof TooLongHttpHeaderException ? Refusal.TOO_LARGE
                : cause instanceof RequestFraming.FramingException ? Refusal.FRAMING : Refusal.MALFORMED);
    }

    /** 400 (431 for a head too large) and a close; the backend connection, if any, is closed too. */
    private void requestUnreadable(Throwable cause, Refusal reason) {
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
        if (ex.impliedBody) {
            requestUnreadable(new DecoderException("a body that no Content-Length or Transfer-Encoding announces"),
                    Refusal.IMPLIED_BODY);
            return;
        }
        InetSocketAddress peer = (InetSocketAddress) channel.remoteAddress();
        RequestTarget target = canonicalTarget(request, peer);
        if (target == null) {
            ex.auth = RejectReason.BAD_TARGET.tag();
            respondLocally(Responses.refusal(RejectReason.BAD_TARGET, null), -1, false);
            return;
        }
        if (!policy.authRequired()) {
            ex.auth = "off";
            forward(ex, request, peer, null);
            return;
        }
        Attribute<Accepted> session = policy.connectionBound() ? connection().attr(CONNECTION_PRINCIPAL) : null;
        boolean withoutToken = !request.headers().contains(HttpHeaderNames.AUTHORIZATION);
        boolean sessionUsed = session != null && session.get() != null && withoutToken;
        Future<Acceptance> verdict =
                negotiate.authenticate(request, target, peer, security.bindings(), session, channel.eventLoop());
        if (verdict.isDone()) {
            authenticated(ex, request, peer, verdict.getNow(), sessionUsed, withoutToken);
            return;
        }
        // The acceptor waits on the shared replay cache, on its own threads; nothing more is read from the client
        // until it answers. A client gone meanwhile has ended the exchange.
        verdict.addListener(f -> {
            if (exchange == ex) {
                authenticated(ex, request, peer, verdict.getNow(), sessionUsed, withoutToken);
            }
        });
    }

    private void authenticated(Exchange ex, HttpRequest request, InetSocketAddress peer, Acceptance verdict,
                               boolean sessionUsed, boolean withoutToken) {
        if (verdict instanceof Rejected rejected) {
            ex.auth = rejected.reason().tag();
            respondLocally(Responses.refusal(rejected.reason(), rejected.rejectToken()), -1, false);
            return;
        }
        // Not Accepted on an anonymous route: forwarded without an identity.
        Accepted accepted = null;
        if (verdict instanceof Accepted a) {
            accepted = a;
            // Without a token, only a session lets a request through: the connection's, or else the cookie's.
            ex.auth = sessionUsed ? "connection" : withoutToken ? "cookie" : "ok";
        } else {
            ex.auth = "anonymous";
        }
        forward(ex, request, peer, accepted);
    }

    private void forward(Exchange ex, HttpRequest request, InetSocketAddress peer, @Nullable Accepted accepted) {
        ex.accepted = accepted;
        // An HTTP/2 stream cannot be upgraded (RFC 9113 §8.6): only an HTTP/1.1 connection becomes a tunnel.
        ex.upgrade = channel instanceof DuplexChannel && isWebSocketUpgrade(request);
        ex.hostFromBackend = !request.headers().contains(HttpHeaderNames.HOST);
        ex.forward = forwardedRequest(ex, request, accepted, peer);
        ex.retryable = policy.retries() > 0 && IDEMPOTENT.contains(request.method()) && !ex.hasBody && !ex.upgrade;
        if (ex.hasBody && !ex.expectContinue) {
            ex.awaitingFirstContent = true;
            reads.read();
            return;
        }
        startAttempt(ex);
    }

    /**
     * Checks the target and {@code Host} ({@link io.kerbgate.access.RequestTarget}) and makes the request say what
     * the route is chosen by: the target in origin-form, and {@code Host} the authority that names the route (the
     * absolute-form target's, RFC 9112 §3.2.2), so that {@code X-Forwarded-Host} and {@code Forwarded} carry it too.
     * Null (logged and counted) when the request is refused.
     */
    private @Nullable RequestTarget canonicalTarget(HttpRequest request, InetSocketAddress peer) {
        RequestTarget target;
        try {
            target = NegotiateStep.target(request);
        } catch (RequestTarget.Invalid e) {
            negotiate.badTarget(e, peer);
            return null;
        }
        request.setUri(target.originForm());
        if (target.authority() != null) {
            request.headers().set(HttpHeaderNames.HOST, target.authority());
        }
        return target;
    }

    /** RFC 9110 §10.1.1: 100-continue is the only expectation; an HTTP/1.0 client's Expect is ignored. */
    private static boolean unsupportedExpectation(HttpRequest request) {
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        return expect != null
                && request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim());
    }

    /** RFC 6455 §4.1: an HTTP/1.1 GET with {@code Upgrade: websocket} and the {@code upgrade} connection option. */
    private static boolean isWebSocketUpgrade(HttpRequest request) {
        HttpHeaders headers = request.headers();
        return HttpMethod.GET.equals(request.method())
                && request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    private HttpRequest forwardedRequest(Exchange ex, HttpRequest request, @Nullable Accepted accepted,
                                         InetSocketAddress peer) {
        HttpHeaders headers = request.headers();
        HopByHopHeaders.strip(headers);
        stripSessionCookie(headers);
        // The proxy answers 100-continue itself once the backend is connected; the backend never waits for a body.
        headers.remove(HttpHeaderNames.EXPECT);
        // Without an identity (an anonymous route, auth.required: false), client copies of the identity headers and
        // Authorization are still removed, and X-Forwarded-* set. The mapping of this request: a reload changes the next.
        live.current().identity().forward(headers, accepted == null ? null : accepted.client(),
                accepted == null ? List.of() : accepted.groups(), peer.getAddress(), security.scheme());
        ForwardedHeaders.request(headers, peer.getAddress(), security.scheme());
        if (ex.upgrade) {
            headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        HttpRequest forward = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), headers);
        // Framing the backend reads from this head alone, never from a rule it may not know (Hixie-76, HTTP/1.0):
        // chunked, or a Content-Length of what the client declared, or no body at all.
        if (ex.chunked) {
            HttpUtil.setTransferEncodingChunked(forward, true);
        } else if (ex.contentLength > 0 || headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, ex.contentLength);
        }
        return forward;
    }

    /** The session cookie never reaches a backend, whatever the route; the client's other cookies do. */
    private void stripSessionCookie(HttpHeaders headers) {
        SessionCookies cookies = negotiate.cookies();
        if (cookies == null || !headers.contains(HttpHeaderNames.COOKIE)) {
            return;
        }
        List<String> values = headers.getAll(HttpHeaderNames.COOKIE);
        List<String> kept = cookies.strip(values);
        if (kept == values) {
            return;
        }
        headers.remove(HttpHeaderNames.COOKIE);
        if (kept != null) {
            headers.add(HttpHeaderNames.COOKIE, kept);
        }
    }

    /** Picks a backend and leases a connection to it; 503 with {@code Retry-After} when none is available. */
    private void startAttempt(Exchange ex) {
        BackendHealth health = policy.health();
        HealthView view = health.view();
        Backend backend = policy.balancer().pick(view, health.now(), null);
        if (backend == null) {
            log.warn("no backend available for client {}", remote());
            FullHttpResponse response = Responses.SERVICE_UNAVAILABLE.retainedDuplicate();
            response.headers().set(HttpHeaderNames.RETRY_AFTER, health.retryAfterSeconds(view));
            respondLocally(response, -1, false);
            return;
        }
        attempt(ex, backend);
    }

    private void attempt(Exchange ex, Backend backend) {
        ex.backend = backend;
        ex.attempts++;
        ex.attemptOpen = true;
        backend.requestStarted();
        HttpRequest forward = Objects.requireNonNull(ex.forward);
        if (ex.hostFromBackend) {
            forward.headers().set(HttpHeaderNames.HOST, backend.authority());
        }
        String principal = ex.accepted == null ? null : ex.accepted.client();
        int attempt = ex.attempts;
        Future<Channel> acquired =
                pool.acquire(backend, channel.eventLoop(), BackendPool.connectionKey(backend, principal));
        acquired.addListener(f -> backendAcquired(ex, attempt, acquired));
    }

    private void backendAcquired(Exchange ex, int attempt, Future<Channel> acquired) {
        try {
            if (exchange != ex || ex.attempts != attempt) {
                // The client left while the connection was being made; it is clean and can serve another client.
                if (acquired.isSuccess()) {
                    pool.release(acquired.getNow(), true);
                }
                return;
            }
            Backend backend = Objects.requireNonNull(ex.backend);
            if (!acquired.isSuccess()) {
                Throwable cause = acquired.cause();
                if (cause instanceof BackendPool.PoolExhaustedException) {
                    log.warn("backend {} unavailable for client {}: {}", backend, remote(), cause.getMessage());
                    respondLocally(Responses.SERVICE_UNAVAILABLE.retainedDuplicate(), backend.index(), false);
                    return;
                }
                policy.health().passiveFailure(backend.index(), "connect: " + cause);
                attemptFailed(ex, "connect: " + cause);
                return;
            }
            Channel backendChannel = acquired.getNow();
            ex.backendChannel = backendChannel;
            backendHandler(backendChannel).attach(this);
            ex.upstreamStart = System.nanoTime();
            backendChannel.write(ex.forward).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            HttpContent held = ex.held;
            ex.held = null;
            if (held != null) {
                forwardContent(ex, held);
            } else if (ex.requestDone) {
                // A retry of a request whose (empty) body was read during the first attempt.
                backendChannel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                startResponseTimer(ex);
            } else {
                // The head goes out with the first piece of the body, which for a bodiless request is already decoded
                // and comes with the read below; the task flushes it when no body piece is at hand yet.
                channel.eventLoop().execute(backendChannel::flush);
                reads.read();
            }
            backendHandler(backendChannel).read();
            if (ex.expectContinue && !ex.continueSent) {
                ex.continueSent = true;
                channel.writeAndFlush(Responses.CONTINUE.retainedDuplicate())
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        } catch (RuntimeException e) {
            // A future's listener must not throw: Netty would only log it and the exchange would hang.
            failed(e);
        }
    }

    /**
     * The attempt failed before any byte of the response: retry on another backend when the request allows it,
     * else 502.
     */
    private void attemptFailed(Exchange ex, String why) {
        Backend failed = Objects.requireNonNull(ex.backend);
        ex.endAttempt();
        ex.cancelTimer();
        if (ex.backendChannel != null) {
            pool.release(ex.backendChannel, false);
            ex.backendChannel = null;
        }
        if (ex.retryable && ex.retries < policy.retries() && !ex.responseStarted) {
            if (ex.tried == null) {
                ex.tried = new BitSet(pool.backends().size());
            }
            ex.tried.set(failed.index());
            Backend next = policy.balancer().pick(policy.health().view(), policy.health().now(), ex.tried);
            if (next != null) {
                ex.retries++;
                metrics.retry(failed.index());
                log.info("retrying {} {} for client {} on {}: {} failed before responding ({})", ex.method, ex.uri,
                        remote(), next, failed, why);
                attempt(ex, next);
                return;
            }
        }
        log.warn("backend {} failed before responding to client {}: {}", failed, remote(), why);
        respondLocally(Responses.BAD_GATEWAY.retainedDuplicate(), failed.index(), false);
    }

    private void requestContent(HttpContent content) {
        if (discarding) {
            discard(content);
            return;
        }
        Exchange ex = Objects.requireNonNull(exchange, "request content outside an exchange");
        int bytes = content.content().readableBytes();
        ex.bytesIn += bytes;
        metrics.bytesIn(bytes);
        boolean last = content instanceof LastHttpContent;
        // The decoder delimits bodies as the head declared them; should it ever not, the bytes go nowhere.
        if (!ex.chunked && (ex.bytesIn > ex.contentLength || (last && ex.bytesIn != ex.contentLength))) {
            content.release();
            requestUnreadable(new DecoderException("a body of " + ex.bytesIn + " bytes where the head declared "
                    + ex.contentLength), Refusal.IMPLIED_BODY);
            return;
        }
        if (last) {
            ex.requestDone = true;
        }
        if (ex.awaitingFirstContent) {
            ex.awaitingFirstContent = false;
            ex.held = content;
            startAttempt(ex);
            return;
        }
        forwardContent(ex, content);
    }

    private void forwardContent(Exchange ex, HttpContent content) {
        Channel backendChannel = Objects.requireNonNull(ex.backendChannel, "request content before the backend");
        if (content instanceof LastHttpContent last) {
            backendChannel.writeAndFlush(withoutTrailers(last)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (!ex.responseStarted) {
                startResponseTimer(ex);
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

    private void startResponseTimer(Exchange ex) {
        ex.cancelTimer();
        ex.responseTimer = channel.eventLoop().schedule(
                () -> responseTimedOut(ex), responseTimeoutNanos, TimeUnit.NANOSECONDS);
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

    private void responseTimedOut(Exchange ex) {
        if (exchange != ex || ex.responseStarted) {
            return;
        }
        Backend backend = Objects.requireNonNull(ex.backend);
        log.warn("backend {} sent no response head within {} ms for client {}", backend,
                TimeUnit.NANOSECONDS.toMillis(responseTimeoutNanos), remote());
        ex.responseTimer = null;
        policy.health().passiveFailure(backend.index(), "response timeout");
        if (ex.backendChannel != null) {
            pool.release(ex.backendChannel, false);
            ex.backendChannel = null;
        }
        respondLocally(Responses.GATEWAY_TIMEOUT.retainedDuplicate(), backend.index(), false);
    }

    @Override
    public void backendRead(Object msg) {
        if (tunnel != null) {
            tunnelFromBackend(msg);
            return;
        }
        Exchange ex = Objects.requireNonNull(exchange, "backend message outside an exchange");
        if (!(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            backendFailed(ex, new DecoderException("backend sent bytes outside HTTP: " + msg.getClass().getName()));
            return;
        }
        DecoderResult result = object.decoderResult();
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
            if (ex.upgrade && ex.requestDone) {
                startTunnel(ex, response);
            } else {
                backendFailed(ex, new DecoderException("backend switched protocols although no upgrade was asked"));
            }
            return;
        }
        if (code < 200) {
            // The proxy answered any 100-continue itself; other interim responses are dropped with their empty body.
            ex.skippingInformational = true;
            backendHandler(backendChannel).read();
            return;
        }
        ex.cancelTimer();
        ex.upstreamNanos = System.nanoTime() - ex.upstreamStart;
        metrics.upstreamLatency(backend.index(), ex.upstreamNanos);
        if (code >= 500) {
            policy.health().passiveFailure(backend.index(), "status " + code);
        } else {
            policy.health().passiveSuccess(backend.index());
        }
        ex.responseStarted = true;
        ex.status = code;
        if (draining) {
            ex.keepAlive = false;
        }
        // Written now, flushed with the body when it came in the same read (one segment for a small response);
        // otherwise by the task once this read is processed, so that a head never waits for a slow body.
        channel.write(forwardedResponse(ex, response)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        channel.eventLoop().execute(channel::flush);
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
        ForwardedHeaders.via(headers);
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
        SessionCookies cookies = negotiate.cookies();
        if (cookies != null && ex.accepted != null && "ok".equals(ex.auth)) {
            // A fresh Negotiate earns a fresh cookie; a request that came in on a session does not extend it.
            String setCookie = cookies.issue(ex.accepted.client(), ex.accepted.groups(), ex.accepted.ticketEnd());
            if (setCookie != null) {
                headers.add(HttpHeaderNames.SET_COOKIE, setCookie);
            }
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
        int bytes = content.content().readableBytes();
        ex.bytesOut += bytes;
        metrics.bytesOut(bytes);
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
        ex.endAttempt();
        Backend backend = Objects.requireNonNull(ex.backend);
        metrics.response(backend.index(), ex.status);
        accessLog(ex, ex.status, backend);
        ChannelFuture written = channel.writeAndFlush(last);
        written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        Channel backendChannel = Objects.requireNonNull(ex.backendChannel);
        // Pooled only on a message boundary both ways: a response that ended before the request did leaves the
        // backend mid-request; an upgrade request may have switched the backend's protocol; bytes the backend sent
        // beyond the response would answer the next client's request.
        boolean reusable = ex.backendReusable && ex.requestDone && !ex.upgrade;
        if (reusable && !backendChannel.pipeline().get(BackendCodec.class).clean()) {
            log.debug("backend {} sent more than one response to {} {}; closing its connection", backend, ex.method,
                    ex.uri);
            metrics.refused(Refusal.BACKEND_EXTRA_BYTES);
            reusable = false;
        }
        pool.release(backendChannel, reusable);
        ex.backendChannel = null;
        if (ex.keepAlive && ex.requestDone && !draining) {
            readNextRequestAfter(written);
        } else {
            closeAfter(written);
        }
    }

    @Override
    public void backendWritable() {
        if (tunnel != null) {
            if (tunnelClientReadWaiting) {
                tunnelClientReadWaiting = false;
                reads.read();
            }
            return;
        }
        Exchange ex = exchange;
        if (ex != null && ex.clientReadWaiting) {
            ex.clientReadWaiting = false;
            reads.read();
        }
    }

    @Override
    public void backendClosed(@Nullable Throwable cause) {
        if (tunnel != null) {
            tunnel = null;
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        backendFailed(Objects.requireNonNull(exchange, "backend event outside an exchange"), cause);
    }

    private void backendFailed(Exchange ex, @Nullable Throwable cause) {
        Backend backend = Objects.requireNonNull(ex.backend);
        String why = cause == null ? "connection closed" : cause.toString();
        policy.health().passiveFailure(backend.index(), why);
        if (ex.responseStarted) {
            abort("backend " + backend + " failed mid-response: " + why);
            return;
        }
        attemptFailed(ex, why);
    }

    // --- WebSocket ---

    /**
     * Sends the 101 on, then turns both connections into byte pipes: the HTTP codecs (and this proxy's framing guard)
     * leave both pipelines, bytes they had buffered are delivered to the relay, and reads go on one buffer at a time
     * while the other side is writable.
     */
    private void startTunnel(Exchange ex, HttpResponse response) {
        Channel backendChannel = Objects.requireNonNull(ex.backendChannel);
        Backend backend = Objects.requireNonNull(ex.backend);
        ex.cancelTimer();
        ex.upstreamNanos = System.nanoTime() - ex.upstreamStart;
        metrics.upstreamLatency(backend.index(), ex.upstreamNanos);
        policy.health().passiveSuccess(backend.index());
        ex.endAttempt();
        metrics.response(backend.index(), 101);
        accessLog(ex, 101, backend);
        exchange = null;
        ex.backendChannel = null;
        tunnel = backendChannel;

        HttpHeaders headers = response.headers();
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        HopByHopHeaders.strip(headers);
        headers.set(HttpHeaderNames.UPGRADE, upgrade == null ? HttpHeaderValues.WEBSOCKET : upgrade);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        ForwardedHeaders.via(headers);
        // Encoded at once by the codec, which may then leave the pipeline.
        channel.writeAndFlush(new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        ReferenceCountUtil.release(response);
        removeAll(channel.pipeline(), RequestFraming.class, HttpServerCodec.class, FlowControlHandler.class);
        removeAll(backendChannel.pipeline(), BackendCodec.class, FlowControlHandler.class);
        reads.read();
        backendHandler(backendChannel).read();
    }

    @SafeVarargs
    private static void removeAll(ChannelPipeline pipeline, Class<? extends ChannelHandler>... types) {
        for (Class<? extends ChannelHandler> type : types) {
            if (pipeline.get(type) != null) {
                pipeline.remove(type);
            }
        }
    }

    private void tunnelFromClient(Object msg) {
        Channel backendChannel = Objects.requireNonNull(tunnel);
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            reads.read();
            return;
        }
        metrics.bytesIn(bytes.readableBytes());
        backendChannel.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (backendChannel.isWritable()) {
            reads.read();
        } else {
            tunnelClientReadWaiting = true;
        }
    }

    private void tunnelFromBackend(Object msg) {
        Channel backendChannel = Objects.requireNonNull(tunnel);
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            backendHandler(backendChannel).read();
            return;
        }
        metrics.bytesOut(bytes.readableBytes());
        channel.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (channel.isWritable()) {
            backendHandler(backendChannel).read();
        } else {
            tunnelBackendReadWaiting = true;
        }
    }

    // --- connection events ---

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            Channel backendChannel = tunnel;
            Exchange ex = exchange;
            if (backendChannel != null && tunnelBackendReadWaiting) {
                tunnelBackendReadWaiting = false;
                backendHandler(backendChannel).read();
            } else if (ex != null && ex.backendReadWaiting && ex.backendChannel != null) {
                ex.backendReadWaiting = false;
                backendHandler(ex.backendChannel).read();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channel backendChannel = tunnel;
        tunnel = null;
        if (backendChannel != null) {
            pool.release(backendChannel, false);
        }
        Exchange ex = exchange;
        exchange = null;
        if (ex != null) {
            ex.cancelTimer();
            ex.releaseHeld();
            ex.endAttempt();
            if (ex.backendChannel != null) {
                pool.release(ex.backendChannel, false);
                ex.backendChannel = null;
            }
            accessLog(ex, 0, ex.backend);
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
        if (tunnel != null) {
            log.debug("client {} tunnel error: {}", remote(), cause.toString());
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
        boolean keepAlive = !close && !draining && ex != null && ex.keepAlive
                // A client that waited for 100 Continue in vain may send the body anyway, or not: no telling where
                // the next request would start.
                && !(ex.expectContinue && !ex.continueSent)
                // Say so now rather than cut the client off in mid-body.
                && (ex.requestDone || ex.contentLength <= MAX_DISCARD_BYTES);
        if (ex != null) {
            ex.cancelTimer();
            ex.releaseHeld();
            ex.endAttempt();
            accessLog(ex, response.status().code(), backend < 0 ? null : pool.backends().get(backend));
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

    private void accessLog(Exchange ex, int status, @Nullable Backend backend) {
        AccessLog accessLog = policy.accessLog();
        if (!accessLog.enabled()) {
            return;
        }
        accessLog.log(new AccessLog.Entry(remote(), ex.accepted == null ? null : ex.accepted.client(),
                ex.method.name(), ex.uri, status, backend == null ? null : backend.authority(), ex.bytesIn,
                ex.bytesOut, ex.auth, System.nanoTime() - ex.start, ex.upstreamNanos, ex.retries));
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
            ex.releaseHeld();
            ex.endAttempt();
            if (ex.backendChannel != null) {
                pool.release(ex.backendChannel, false);
                ex.backendChannel = null;
            }
            accessLog(ex, 0, ex.backend);
        }
        channel.close();
    }

    private static BackendHandler backendHandler(Channel backendChannel) {
        return backendChannel.pipeline().get(BackendHandler.class);
    }

    /** The client connection: this channel, or for an HTTP/2 stream the connection it is multiplexed on. */
    private Channel connection() {
        Channel parent = channel.parent();
        return parent != null && !(parent instanceof ServerChannel) ? parent : channel;
    }

    private @Nullable SocketAddress remote() {
        return channel.remoteAddress();
    }
}
