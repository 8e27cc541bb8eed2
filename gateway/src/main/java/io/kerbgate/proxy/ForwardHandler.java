package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.proxy.NegotiateHandler.Authenticated;
import io.kerbgate.proxy.NegotiateHandler.Means;
import io.kerbgate.proxy.ProxyMetrics.Refusal;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.BitSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stage that forwards an {@link Authenticated} request to a backend and relays the response: it picks the backend,
 * leases a connection, streams the body one piece at a time while the backend connection is writable (and the response
 * while the client's is), answers 100-continue once the backend is connected, times the response head, retries, and
 * hands the connection to a {@link TunnelHandler} after a 101.
 *
 * <p>Retries: a request with an idempotent method and no body is sent again, to another backend, when its attempt
 * failed before any byte of the response: connect refused, the connection reset or closed before the response head
 * (also a pooled connection the backend had just closed). At most {@code retries.idempotent} times, each on a backend
 * not tried yet. A request with a body is streamed, never buffered, so it is never retried; nor is a timeout (the
 * backend may still be working on it).
 *
 * <p>WebSocket: an authenticated {@code GET} with {@code Upgrade: websocket} keeps its {@code Upgrade} and
 * {@code Connection: Upgrade}; when the backend answers 101, both connections drop their HTTP codecs and a
 * {@link TunnelHandler} relays bytes both ways.
 */
final class ForwardHandler extends ChannelInboundHandlerAdapter implements BackendHandler.Listener {

    private static final Logger log = LoggerFactory.getLogger(ForwardHandler.class);

    /** RFC 9110 §9.2.2. */
    static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

    /** Where a forwarded request stands. */
    enum Phase {
        /** Reading the first piece of the body before a backend is chosen, so a malformed body reaches none. */
        FIRST_BODY_PIECE,
        /** Leasing a connection to the chosen backend; {@code timeouts.connect} is in charge. */
        CONNECTING,
        /** Streaming the request body to the backend; the client's idle timeout is in charge. */
        SENDING,
        /** The request is sent; {@code timeouts.response} runs until the response head. */
        AWAITING_RESPONSE,
        /** The response head went to the client; its body follows. */
        RELAYING
    }

    /** One request's forwarding: its attempts, the leased connection, the flow control both ways. */
    private static final class Forwarding {
        final Exchange ex;
        final HttpRequest head;
        final boolean upgrade;
        final boolean retryable;
        /** The client sent no Host: each attempt sets its backend's. */
        final boolean hostFromBackend;
        final boolean issueCookie;
        final @Nullable String principal;
        Phase phase;
        @Nullable Backend backend;
        /** This attempt is counted in {@link Backend#outstanding()}. */
        boolean attemptOpen;
        int attempts;
        @Nullable BitSet tried;
        /** The first piece of the body, read before a backend was chosen. */
        @Nullable HttpContent held;
        /** Leased from the pool; null while connecting and after the release. */
        @Nullable Channel backendChannel;
        int status;
        boolean backendReusable;
        boolean skippingInformational;
        boolean clientReadWaiting;
        boolean backendReadWaiting;
        @Nullable ScheduledFuture<?> responseTimer;
        long upstreamStart;

        Forwarding(Exchange ex, HttpRequest head, Authenticated authenticated, boolean upgrade, int retries) {
            this.ex = ex;
            this.head = head;
            this.upgrade = upgrade;
            this.retryable = retries > 0 && IDEMPOTENT.contains(head.method()) && !ex.hasBody && !upgrade;
            this.hostFromBackend = !head.headers().contains(HttpHeaderNames.HOST);
            this.issueCookie = authenticated.means() == Means.TOKEN || authenticated.means() == Means.BASIC;
            Accepted principal = authenticated.principal();
            this.principal = principal == null ? null : principal.client();
        }

        void phase(Phase next) {
            phase = next;
            ex.waitingForBackend = next == Phase.CONNECTING || next == Phase.AWAITING_RESPONSE;
        }

        void cancelTimer() {
            if (responseTimer != null) {
                responseTimer.cancel(false);
                responseTimer = null;
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

    private final ClientEdge edge;
    private final Channel channel;
    private final NegotiateStep negotiate;
    private final LiveSettings live;
    private final BackendPool pool;
    private final ProxyMetrics metrics;
    private final long responseTimeoutNanos;
    private final ProxyPolicy policy;
    private final ConnectionSecurity security;
    private @Nullable ChannelHandlerContext ctx;

    // Touched only on this connection's event loop. Backend connections are leased from the same loop (BackendPool
    // keeps idle connections per loop), so their callbacks run on this thread too: nothing needs to be volatile.
    private @Nullable Forwarding current;

    ForwardHandler(ClientEdge edge, Channel channel, NegotiateStep negotiate, LiveSettings live, BackendPool pool,
                   ProxyMetrics metrics, Duration responseTimeout, ProxyPolicy policy, ConnectionSecurity security) {
        this.edge = edge;
        this.channel = channel;
        this.negotiate = negotiate;
        this.live = live;
        this.pool = pool;
        this.metrics = metrics;
        this.responseTimeoutNanos = responseTimeout.toNanos();
        this.policy = policy;
        this.security = security;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Authenticated authenticated) {
            start(authenticated);
        } else if (msg instanceof HttpContent content) {
            requestContent(content);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void start(Authenticated authenticated) {
        Exchange ex = Objects.requireNonNull(edge.exchange(), "a request head outside an exchange");
        HttpRequest request = authenticated.request();
        // An HTTP/2 stream cannot be upgraded (RFC 9113 §8.6): only an HTTP/1.1 connection becomes a tunnel.
        boolean upgrade = channel instanceof DuplexChannel && isWebSocketUpgrade(request);
        InetSocketAddress peer = ClientAddress.inet(channel);
        HttpRequest head = RequestRewrite.forward(request, ex, authenticated.principal(), upgrade, peer.getAddress(),
                security.scheme(), live.current().identity(), negotiate.cookies(),
                authenticated.backendAuthorization());
        Forwarding f = new Forwarding(ex, head, authenticated, upgrade, policy.retries());
        current = f;
        if (ex.hasBody && !ex.expectContinue) {
            f.phase(Phase.FIRST_BODY_PIECE);
            edge.read();
            return;
        }
        startAttempt(f);
    }

    /** RFC 6455 §4.1: an HTTP/1.1 GET with {@code Upgrade: websocket} and the {@code upgrade} connection option. */
    private static boolean isWebSocketUpgrade(HttpRequest request) {
        HttpHeaders headers = request.headers();
        return HttpMethod.GET.equals(request.method())
                && request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /** Picks a backend and leases a connection to it; 503 with {@code Retry-After} when none is available. */
    private void startAttempt(Forwarding f) {
        BackendHealth health = policy.health();
        HealthView view = health.view();
        Backend backend = policy.balancer().pick(view, health.now(), null);
        if (backend == null) {
            log.warn("no backend available for client {}", edge.remote());
            FullHttpResponse response = Responses.SERVICE_UNAVAILABLE.retainedDuplicate();
            response.headers().set(HttpHeaderNames.RETRY_AFTER, health.retryAfterSeconds(view));
            answer(f, response, null);
            return;
        }
        attempt(f, backend);
    }

    private void attempt(Forwarding f, Backend backend) {
        f.backend = backend;
        f.ex.backend = backend;
        f.attempts++;
        f.attemptOpen = true;
        f.phase(Phase.CONNECTING);
        backend.requestStarted();
        if (f.hostFromBackend) {
            f.head.headers().set(HttpHeaderNames.HOST, backend.authority());
        }
        int attempt = f.attempts;
        Future<Channel> acquired =
                pool.acquire(backend, channel.eventLoop(), BackendPool.connectionKey(backend, f.principal));
        acquired.addListener(done -> backendAcquired(f, attempt, acquired));
    }

    private void backendAcquired(Forwarding f, int attempt, Future<Channel> acquired) {
        try {
            if (current != f || f.attempts != attempt) {
                // The client left while the connection was being made; it is clean and can serve another client.
                if (acquired.isSuccess()) {
                    pool.release(acquired.getNow(), true);
                }
                return;
            }
            Backend backend = Objects.requireNonNull(f.backend);
            if (!acquired.isSuccess()) {
                Throwable cause = acquired.cause();
                if (cause instanceof BackendPool.PoolExhaustedException) {
                    log.warn("backend {} unavailable for client {}: {}", backend, edge.remote(), cause.getMessage());
                    answer(f, Responses.SERVICE_UNAVAILABLE.retainedDuplicate(), backend);
                    return;
                }
                policy.health().passiveFailure(backend.index(), "connect: " + cause);
                attemptFailed(f, "connect: " + cause);
                return;
            }
            Channel backendChannel = acquired.getNow();
            f.backendChannel = backendChannel;
            backendHandler(backendChannel).attach(this);
            f.upstreamStart = System.nanoTime();
            f.phase(f.ex.requestDone ? Phase.AWAITING_RESPONSE : Phase.SENDING);
            backendChannel.write(f.head).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            HttpContent held = f.held;
            f.held = null;
            if (held != null) {
                forwardContent(f, held);
            } else if (f.ex.requestDone) {
                // A retry of a request whose (empty) body was read during the first attempt.
                backendChannel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                startResponseTimer(f);
            } else {
                // The head goes out with the first piece of the body, which for a bodiless request is already decoded
                // and comes with the read below; the task flushes it when no body piece is at hand yet.
                channel.eventLoop().execute(backendChannel::flush);
                edge.read();
            }
            backendHandler(backendChannel).read();
            if (f.ex.expectContinue && !f.ex.continueSent) {
                f.ex.continueSent = true;
                channel.writeAndFlush(Responses.CONTINUE.retainedDuplicate())
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        } catch (RuntimeException e) {
            // A future's listener must not throw: Netty would only log it and the exchange would hang.
            edge.failed(e);
        }
    }

    /**
     * The attempt failed before any byte of the response: retry on another backend when the request allows it,
     * else 502.
     */
    private void attemptFailed(Forwarding f, String why) {
        Backend failed = Objects.requireNonNull(f.backend);
        f.endAttempt();
        f.cancelTimer();
        releaseBackend(f, false);
        if (f.retryable && f.ex.retries < policy.retries() && !f.ex.responseStarted) {
            if (f.tried == null) {
                f.tried = new BitSet(pool.backends().size());
            }
            f.tried.set(failed.index());
            Backend next = policy.balancer().pick(policy.health().view(), policy.health().now(), f.tried);
            if (next != null) {
                f.ex.retries++;
                metrics.retry(failed.index());
                log.info("retrying {} {} for client {} on {}: {} failed before responding ({})", f.ex.method,
                        f.ex.uri, edge.remote(), next, failed, why);
                attempt(f, next);
                return;
            }
        }
        log.warn("backend {} failed before responding to client {}: {}", failed, edge.remote(), why);
        answer(f, Responses.BAD_GATEWAY.retainedDuplicate(), failed);
    }

    private void requestContent(HttpContent content) {
        Forwarding f = Objects.requireNonNull(current, "request content outside an exchange");
        Exchange ex = f.ex;
        int bytes = content.content().readableBytes();
        ex.bytesIn += bytes;
        metrics.bytesIn(bytes);
        boolean last = content instanceof LastHttpContent;
        // The decoder delimits bodies as the head declared them; should it ever not, the bytes go nowhere.
        if (!ex.chunked && (ex.bytesIn > ex.contentLength || (last && ex.bytesIn != ex.contentLength))) {
            content.release();
            edge.requestUnreadable(new DecoderException("a body of " + ex.bytesIn + " bytes where the head declared "
                    + ex.contentLength), Refusal.IMPLIED_BODY);
            return;
        }
        if (last) {
            ex.requestDone = true;
        }
        if (f.phase == Phase.FIRST_BODY_PIECE) {
            f.held = content;
            startAttempt(f);
            return;
        }
        forwardContent(f, content);
    }

    private void forwardContent(Forwarding f, HttpContent content) {
        Channel backendChannel = Objects.requireNonNull(f.backendChannel, "request content before the backend");
        if (content instanceof LastHttpContent last) {
            backendChannel.writeAndFlush(withoutTrailers(last)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (!f.ex.responseStarted) {
                f.phase(Phase.AWAITING_RESPONSE);
                startResponseTimer(f);
            }
            return;
        }
        backendChannel.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (backendChannel.isWritable()) {
            edge.read();
        } else {
            f.clientReadWaiting = true;
        }
    }

    private void startResponseTimer(Forwarding f) {
        f.cancelTimer();
        f.responseTimer = channel.eventLoop().schedule(
                () -> responseTimedOut(f), responseTimeoutNanos, TimeUnit.NANOSECONDS);
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

    private void responseTimedOut(Forwarding f) {
        if (current != f || f.ex.responseStarted) {
            return;
        }
        Backend backend = Objects.requireNonNull(f.backend);
        log.warn("backend {} sent no response head within {} ms for client {}", backend,
                TimeUnit.NANOSECONDS.toMillis(responseTimeoutNanos), edge.remote());
        f.responseTimer = null;
        policy.health().passiveFailure(backend.index(), "response timeout");
        answer(f, Responses.GATEWAY_TIMEOUT.retainedDuplicate(), backend);
    }

    @Override
    public void backendRead(Object msg) {
        Forwarding f = current;
        if (f == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            backendFailed(f, new DecoderException("backend sent bytes outside HTTP: " + msg.getClass().getName()));
            return;
        }
        DecoderResult result = object.decoderResult();
        if (result.isFailure()) {
            ReferenceCountUtil.release(msg);
            backendFailed(f, result.cause());
        } else if (msg instanceof HttpResponse response) {
            responseHead(f, response);
        } else {
            responseContent(f, (HttpContent) msg);
        }
    }

    private void responseHead(Forwarding f, HttpResponse response) {
        Channel backendChannel = Objects.requireNonNull(f.backendChannel);
        Backend backend = Objects.requireNonNull(f.backend);
        int code = response.status().code();
        if (code == 101) {
            if (f.upgrade && f.ex.requestDone) {
                startTunnel(f, response);
            } else {
                backendFailed(f, new DecoderException("backend switched protocols although no upgrade was asked"));
            }
            return;
        }
        if (code < 200) {
            // The proxy answered any 100-continue itself; other interim responses are dropped with their empty body.
            f.skippingInformational = true;
            backendHandler(backendChannel).read();
            return;
        }
        f.cancelTimer();
        f.ex.upstreamNanos = System.nanoTime() - f.upstreamStart;
        metrics.upstreamLatency(backend.index(), f.ex.upstreamNanos);
        if (code >= 500) {
            policy.health().passiveFailure(backend.index(), "status " + code);
        } else {
            policy.health().passiveSuccess(backend.index());
        }
        f.ex.responseStarted = true;
        f.phase(Phase.RELAYING);
        f.status = code;
        if (edge.draining()) {
            f.ex.keepAlive = false;
        }
        ResponseRewrite.Rewritten rewritten =
                ResponseRewrite.forward(response, f.ex, f.ex.keepAlive, f.issueCookie, negotiate.cookies());
        f.backendReusable = rewritten.backendReusable();
        f.ex.keepAlive = rewritten.keepAlive();
        // Written now, flushed with the body when it came in the same read (one segment for a small response);
        // otherwise by the task once this read is processed, so that a head never waits for a slow body.
        channel.write(rewritten.head()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        channel.eventLoop().execute(channel::flush);
        readResponse(f, backendChannel);
    }

    private void responseContent(Forwarding f, HttpContent content) {
        Channel backendChannel = Objects.requireNonNull(f.backendChannel);
        boolean last = content instanceof LastHttpContent;
        if (f.skippingInformational) {
            content.release();
            f.skippingInformational = !last;
            backendHandler(backendChannel).read();
            return;
        }
        int bytes = content.content().readableBytes();
        f.ex.bytesOut += bytes;
        metrics.bytesOut(bytes);
        if (last) {
            finish(f, (LastHttpContent) content);
        } else {
            channel.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            readResponse(f, backendChannel);
        }
    }

    private void readResponse(Forwarding f, Channel backendChannel) {
        if (channel.isWritable()) {
            backendHandler(backendChannel).read();
        } else {
            f.backendReadWaiting = true;
        }
    }

    private void finish(Forwarding f, LastHttpContent last) {
        current = null;
        f.cancelTimer();
        f.endAttempt();
        Backend backend = Objects.requireNonNull(f.backend);
        Exchange ex = f.ex;
        metrics.response(backend.index(), f.status);
        edge.end(ex, f.status, backend);
        ChannelFuture written = channel.writeAndFlush(last);
        written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        Channel backendChannel = Objects.requireNonNull(f.backendChannel);
        // Pooled only on a message boundary both ways: a response that ended before the request did leaves the
        // backend mid-request; an upgrade request may have switched the backend's protocol; bytes the backend sent
        // beyond the response would answer the next client's request.
        boolean reusable = f.backendReusable && ex.requestDone && !f.upgrade;
        if (reusable && !backendChannel.pipeline().get(BackendCodec.class).clean()) {
            log.debug("backend {} sent more than one response to {} {}; closing its connection", backend, ex.method,
                    ex.uri);
            metrics.refused(Refusal.BACKEND_EXTRA_BYTES);
            reusable = false;
        }
        pool.release(backendChannel, reusable);
        f.backendChannel = null;
        if (ex.keepAlive && ex.requestDone && !edge.draining()) {
            edge.readNextRequestAfter(written);
        } else {
            edge.closeAfter(written);
        }
    }

    @Override
    public void backendWritable() {
        Forwarding f = current;
        if (f != null && f.clientReadWaiting) {
            f.clientReadWaiting = false;
            edge.read();
        }
    }

    @Override
    public void backendClosed(@Nullable Throwable cause) {
        Forwarding f = current;
        if (f != null) {
            backendFailed(f, cause);
        }
    }

    private void backendFailed(Forwarding f, @Nullable Throwable cause) {
        Backend backend = Objects.requireNonNull(f.backend);
        String why = cause == null ? "connection closed" : cause.toString();
        policy.health().passiveFailure(backend.index(), why);
        if (f.ex.responseStarted) {
            edge.abort("backend " + backend + " failed mid-response: " + why);
            return;
        }
        attemptFailed(f, why);
    }

    /**
     * Sends the 101 on, then hands both connections to a {@link TunnelHandler}: the HTTP stages and codecs (and the
     * framing guard) leave both pipelines, and bytes the codecs had buffered go to the relay.
     */
    private void startTunnel(Forwarding f, HttpResponse response) {
        Channel backendChannel = Objects.requireNonNull(f.backendChannel);
        Backend backend = Objects.requireNonNull(f.backend);
        current = null;
        f.cancelTimer();
        f.ex.upstreamNanos = System.nanoTime() - f.upstreamStart;
        metrics.upstreamLatency(backend.index(), f.ex.upstreamNanos);
        policy.health().passiveSuccess(backend.index());
        f.endAttempt();
        metrics.response(backend.index(), 101);
        edge.tunnelStarted(f.ex);
        f.backendChannel = null;
        // Encoded at once by the codec, which then leaves the pipeline.
        channel.writeAndFlush(TunnelHandler.switchingProtocols(response))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        TunnelHandler.install(Objects.requireNonNull(ctx), backendChannel, pool, metrics);
    }

    /** Lets go of everything the request holds and answers it from the proxy. */
    private void answer(Forwarding f, FullHttpResponse response, @Nullable Backend backend) {
        letGo(f);
        edge.answer(response, backend, false);
    }

    /** Ends the request's forwarding: timer, held body, the attempt's load, and the backend connection (closed). */
    private void letGo(Forwarding f) {
        if (current == f) {
            current = null;
        }
        f.cancelTimer();
        if (f.held != null) {
            f.held.release();
            f.held = null;
        }
        f.endAttempt();
        releaseBackend(f, false);
    }

    private void releaseBackend(Forwarding f, boolean reusable) {
        if (f.backendChannel != null) {
            pool.release(f.backendChannel, reusable);
            f.backendChannel = null;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Forwarding f = current;
        if (ctx.channel().isWritable() && f != null && f.backendReadWaiting && f.backendChannel != null) {
            f.backendReadWaiting = false;
            backendHandler(f.backendChannel).read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ClientEdge.Abandon.EXCHANGE) {
            Forwarding f = current;
            if (f != null) {
                letGo(f);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Forwarding f = current;
        if (f != null) {
            letGo(f);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        edge.failed(cause);
    }

    private static BackendHandler backendHandler(Channel backendChannel) {
        return backendChannel.pipeline().get(BackendHandler.class);
    }
}
