package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.Acceptance.Rejected;
import io.kerbgate.acceptor.ChannelBindings;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.access.AccessDecision;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.access.AccessDecision.TokenRefused;
import io.kerbgate.access.AccessRules;
import io.kerbgate.access.RequestReason;
import io.kerbgate.access.RequestTarget;
import io.kerbgate.basic.BasicAuthenticator;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.Logging;
import io.kerbgate.identity.IdentityHeaders;
import io.kerbgate.logging.RefusalLog;
import io.kerbgate.sessions.SessionCookies;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.Attribute;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication step of one request (RFC 4559 §4): exactly one {@code Authorization} header, handed to the
 * acceptor; verdicts are counted, and refusals logged ({@link RefusalLog}). The access route of the request
 * ({@link AccessRules}) may skip authentication (anonymous routes) or refuse an authenticated principal (403).
 *
 * <p>The acceptor is synchronous. Alone it is CPU-only (microseconds) and runs on the event loop. With a shared replay
 * cache ({@code replay.shared}) it makes a network round trip per token, and waits out a store failover
 * ({@code failover_wait}): then it runs on {@code offload}, and the verdict comes back on the connection's event loop.
 * The caller reads nothing more from the client until it has the verdict, so only where it resumes changes.
 *
 * <p>{@code Authorization: Basic} ({@code basic}) goes to the {@link BasicAuthenticator} instead, only over TLS (on
 * plain HTTP it is refused unread, 403), and always on {@code basicThreads}: a password login waits on the KDC.
 */
final class NegotiateStep {

    private static final Logger log = LoggerFactory.getLogger(NegotiateStep.class);

    private final HttpAuthenticator authenticator;
    private final ProxyMetrics metrics;
    private final LiveSettings live;
    private final @Nullable SessionCookies cookies;
    private final @Nullable Executor offload;
    private final @Nullable DelegationStep delegation;
    private final @Nullable BasicAuthenticator basic;
    private final @Nullable Executor basicThreads;

    /** No access routes, and refusal lines without the keytab's view. */
    NegotiateStep(HttpAuthenticator authenticator, ProxyMetrics metrics) {
        this(authenticator, metrics, AccessRules.none(),
                new RefusalLog(authenticator::keys, Logging.DEFAULT.format(), Responses::status));
    }

    NegotiateStep(HttpAuthenticator authenticator, ProxyMetrics metrics, AccessRules access, RefusalLog refusals) {
        this(authenticator, metrics, new LiveSettings(new LiveSettings.Snapshot(access, refusals,
                IdentityHeaders.of(GatewayConfig.Identity.DEFAULT, Clock.systemUTC()))), null, null);
    }

    /**
     * @param live    the routes and the refusal log, replaced on a reload; read once per use
     * @param cookies the session cookie ({@code sessions.cookie}), or {@code null} when it is off
     * @param offload where the acceptor runs when it may wait on the network, or {@code null} for the event loop
     */
    NegotiateStep(HttpAuthenticator authenticator, ProxyMetrics metrics, LiveSettings live,
                  @Nullable SessionCookies cookies, @Nullable Executor offload) {
        this(authenticator, metrics, live, cookies, offload, null, null, null);
    }

    /**
     * @param basic        the Basic login ({@code basic}), or {@code null} when it is off
     * @param basicThreads where Basic logins run (they block on the KDC); not {@code null} when {@code basic} is not
     */
    NegotiateStep(HttpAuthenticator authenticator, ProxyMetrics metrics, LiveSettings live,
                  @Nullable SessionCookies cookies, @Nullable Executor offload, @Nullable BasicAuthenticator basic,
                  @Nullable Executor basicThreads) {
        this(authenticator, metrics, live, cookies, offload, basic, basicThreads, null);
    }

    /** @param delegation the backend token in the user's name ({@code delegation}), or {@code null} when it is off */
    NegotiateStep(HttpAuthenticator authenticator, ProxyMetrics metrics, LiveSettings live,
                  @Nullable SessionCookies cookies, @Nullable Executor offload, @Nullable BasicAuthenticator basic,
                  @Nullable Executor basicThreads, @Nullable DelegationStep delegation) {
        if (basic != null && basicThreads == null) {
            throw new IllegalArgumentException("Basic logins need threads of their own");
        }
        this.authenticator = authenticator;
        this.metrics = metrics;
        this.live = live;
        this.cookies = cookies;
        this.offload = offload;
        this.basic = basic;
        this.basicThreads = basicThreads;
        this.delegation = delegation;
    }

    /** Constrained delegation, or {@code null} when {@code delegation} is off. */
    @Nullable DelegationStep delegation() {
        return delegation;
    }

    /** The Basic challenge to offer beside Negotiate over TLS, or {@code null} when {@code basic} is off. */
    @Nullable String basicChallenge() {
        return basic == null ? null : basic.challenge();
    }

    /** Whether Basic is on and {@code authorization} is of its scheme. */
    boolean isBasic(String authorization) {
        return basic != null && BasicAuthenticator.isBasic(authorization);
    }

    /** The {@code Retry-After} of a 429 for a Basic rate limit, in whole seconds. */
    long basicRetryAfterSeconds() {
        return basic == null ? 1 : Math.max(1, (basic.retryAfter().toMillis() + 999) / 1000);
    }

    /** The 401 and 403 bodies now. */
    ErrorPages errorPages() {
        return live.current().errorPages();
    }

    /** The session cookie, or {@code null} when {@code sessions.cookie} is off. */
    @Nullable SessionCookies cookies() {
        return cookies;
    }

    /**
     * @param target   the request's target and {@code Host}, already checked ({@link #target}): read once a request
     * @param bindings what the token must be bound to: the connection's TLS channel, or none
     * @param session the connection's principal ({@code sessions.connection_bound}), or {@code null} when sessions
     *                are off: a request without {@code Authorization} goes through as the principal in it (the access
     *                route still decides); a request with one is authenticated afresh, and the verdict replaces it
     *                (an accepted token binds its principal, anything else unbinds the connection)
     * @param loop     the connection's event loop: where the verdict completes, and where the session is touched
     * @return the decision, done at once unless the token is checked on {@code offload}
     */
    Future<AccessDecision> authenticate(HttpRequest request, RequestTarget target, InetSocketAddress peer,
                                        ChannelBindings bindings, @Nullable Attribute<Accepted> session,
                                        EventExecutor loop) {
        return authenticate(request, target, peer, bindings, false, session, loop);
    }

    /** @param tls whether the connection is TLS, which {@code Authorization: Basic} needs */
    Future<AccessDecision> authenticate(HttpRequest request, RequestTarget target, InetSocketAddress peer,
                                        ChannelBindings bindings, boolean tls, @Nullable Attribute<Accepted> session,
                                        EventExecutor loop) {
        HttpHeaders headers = request.headers();
        AccessRules.Route route;
        try {
            route = live.current().access().route(target);
        } catch (RequestTarget.Invalid e) {
            return loop.newSucceededFuture(badTarget(e, peer));
        }
        if (route.anonymous()) {
            return loop.newSucceededFuture(route.pass());
        }
        List<String> values = headers.getAll(HttpHeaderNames.AUTHORIZATION);
        Accepted bound = values.isEmpty() && session != null ? session.get() : null;
        if (bound != null) {
            metrics.connectionSessionUsed();
            return loop.newSucceededFuture(authorize(route, bound, peer));
        }
        if (session != null && !values.isEmpty()) {
            // Whatever this token turns out to be, the connection's earlier principal no longer speaks for it.
            session.set(null);
        }
        if (values.isEmpty() && cookies != null) {
            SessionCookies.Opened opened = cookies.open(headers.getAll(HttpHeaderNames.COOKIE));
            metrics.cookieSession(opened.result());
            if (opened.result() == SessionCookies.Result.USED) {
                // No ticket behind it now: no kvno, enctype or token; the cookie's seal vouches for the principal.
                Accepted fromCookie = new Accepted(opened.principal(), "", 0, 0, null, false, opened.groups());
                return loop.newSucceededFuture(authorize(route, fromCookie, peer));
            }
            // An invalid or expired cookie is ignored: the client gets the usual challenge.
        }
        if (authenticator.awaitingKeys()) {
            return loop.newSucceededFuture(refuse(RequestRefused.of(RequestReason.NO_KEYS, "no keys yet: install them"
                    + " with kerbgate keys init or add-node"), peer, route));
        }
        if (values.isEmpty()) {
            // The first leg of every browser's Negotiate exchange: routine, so RefusalLog writes it at DEBUG.
            return loop.newSucceededFuture(
                    refuse(RequestRefused.of(RequestReason.NO_HEADER, "no Authorization header"), peer, route));
        }
        if (values.size() > 1) {
            return loop.newSucceededFuture(refuse(RequestRefused.of(RequestReason.DUPLICATE_HEADER,
                    values.size() + " Authorization headers"), peer, route));
        }
        String token = values.get(0);
        if (isBasic(token)) {
            if (!tls) {
                // The password crossed the network in clear; it is not even decoded here.
                return loop.newSucceededFuture(refuse(RequestRefused.of(RequestReason.BASIC_NEEDS_TLS,
                        "Authorization: Basic on a plain HTTP connection, refused unread"), peer, route));
            }
            return basic(token, peer, session, route, loop);
        }
        if (offload == null) {
            return loop.newSucceededFuture(verdict(check(token, peer, bindings), session, route, peer));
        }
        Promise<AccessDecision> promise = loop.newPromise();
        try {
            offload.execute(() -> {
                Checked checked = check(token, peer, bindings);
                try {
                    loop.execute(() -> promise.setSuccess(verdict(checked, session, route, peer)));
                } catch (RejectedExecutionException e) {
                    // The proxy is stopping: the connection goes with its event loop.
                }
            });
        } catch (RejectedExecutionException e) {
            promise.setSuccess(refuse(Rejected.of(RejectReason.REPLAY_CACHE_UNAVAILABLE, "too many requests waiting"
                    + " for the shared replay cache: " + e.getMessage()), peer, route));
        }
        return promise;
    }

    /** A Basic login on {@code basicThreads}; the verdict comes back on {@code loop}, like an offloaded token's. */
    private Future<AccessDecision> basic(String authorization, InetSocketAddress peer,
                                         @Nullable Attribute<Accepted> session, AccessRules.Route route,
                                         EventExecutor loop) {
        Promise<AccessDecision> promise = loop.newPromise();
        try {
            basicThreads.execute(() -> {
                long start = System.nanoTime();
                BasicAuthenticator.Verdict verdict;
                try {
                    verdict = basic.authenticate(authorization, peer.getAddress());
                } catch (RuntimeException e) {
                    log.error("basic login threw; refusing client={}", peer, e);
                    verdict = new BasicAuthenticator.NotLoggedIn(RequestRefused.of(RequestReason.KDC_UNAVAILABLE,
                            "basic login threw " + e.getClass().getName()));
                }
                BasicAuthenticator.Verdict done = verdict;
                long nanos = System.nanoTime() - start;
                try {
                    loop.execute(() -> promise.setSuccess(basicVerdict(done, nanos, session, route, peer)));
                } catch (RejectedExecutionException e) {
                    // The proxy is stopping: the connection goes with its event loop.
                }
            });
        } catch (RejectedExecutionException e) {
            promise.setSuccess(refuse(RequestRefused.of(RequestReason.KDC_UNAVAILABLE, "too many requests waiting for"
                    + " a thread: " + e.getMessage()), peer, route));
        }
        return promise;
    }

    /** A Basic verdict counted, logged and bound like a token's: a login is an accepted ticket of our own. */
    private AccessDecision basicVerdict(BasicAuthenticator.Verdict verdict, long nanos,
                                        @Nullable Attribute<Accepted> session, AccessRules.Route route,
                                        InetSocketAddress peer) {
        if (verdict instanceof BasicAuthenticator.LoggedIn in) {
            return verdict(new Checked(in.accepted(), nanos, false), session, route, peer);
        }
        AccessDecision.Refused refused = ((BasicAuthenticator.NotLoggedIn) verdict).refused();
        if (refused instanceof TokenRefused token) {
            return verdict(new Checked(token.rejected(), nanos, false), session, route, peer);
        }
        return refuse((RequestRefused) refused, peer, route);
    }

    /** What the acceptor said of a token, and how long it took. */
    private record Checked(Acceptance verdict, long nanos, boolean threw) {}

    /** Runs the acceptor; on an event loop or on {@code offload}, so it touches nothing of the connection. */
    private Checked check(String token, InetSocketAddress peer, ChannelBindings bindings) {
        long start = System.nanoTime();
        try {
            // Accepted or Rejected, never null: a null is a broken contract, refused like a throw.
            Acceptance verdict = Objects.requireNonNull(authenticator.authenticate(token, peer.getAddress(), bindings),
                    "the acceptor's verdict");
            return new Checked(verdict, System.nanoTime() - start, false);
        } catch (RuntimeException e) {
            // The acceptor's contract is to never throw; if it does, fail closed with a challenge, not a 5xx.
            log.error("auth acceptor threw; refusing client={}", peer, e);
            return new Checked(Rejected.of(RejectReason.MALFORMED, "acceptor threw " + e.getClass().getName()),
                    System.nanoTime() - start, true);
        }
    }

    /** The acceptor's verdict counted, bound to the connection's session, and held against the route. */
    private AccessDecision verdict(Checked checked, @Nullable Attribute<Accepted> session, AccessRules.Route route,
                                   InetSocketAddress peer) {
        if (checked.threw()) {
            metrics.acceptorError(checked.nanos());
            return new TokenRefused((Rejected) checked.verdict());
        }
        if (checked.verdict() instanceof Accepted accepted) {
            metrics.authenticated(accepted, checked.nanos());
            if (session != null) {
                // The mutual-authentication token answered this request's token; later requests get none.
                session.set(new Accepted(accepted.client(), accepted.service(), accepted.kvno(), accepted.enctype(),
                        null, accepted.cachedTicket(), accepted.groups(), accepted.ticketEnd()));
            }
            return authorize(route, accepted, peer);
        }
        Rejected rejected = (Rejected) checked.verdict();
        metrics.rejected(rejected.reason(), checked.nanos());
        TokenRefused refused = new TokenRefused(rejected);
        logRefusal(refused, peer, route);
        return refused;
    }

    private AccessDecision authorize(AccessRules.Route route, Accepted accepted, InetSocketAddress peer) {
        AccessDecision decision = route.authorize(accepted);
        if (decision instanceof AccessDecision.Refused denied) {
            logRefusal(denied, peer, route);
        }
        return decision;
    }

    /** A refusal of the acceptor's kind without asking it (the shared replay cache is out of reach). */
    private TokenRefused refuse(Rejected rejected, InetSocketAddress peer, AccessRules.Route route) {
        metrics.rejected(rejected.reason(), -1);
        TokenRefused refused = new TokenRefused(rejected);
        logRefusal(refused, peer, route);
        return refused;
    }

    private RequestRefused refuse(RequestRefused refused, InetSocketAddress peer, AccessRules.Route route) {
        metrics.requestRefused(refused.reason());
        logRefusal(refused, peer, route);
        return refused;
    }

    /**
     * The request's target and {@code Host}, checked (see {@link RequestTarget}); before authentication, and whether
     * or not authentication is on.
     */
    static RequestTarget target(HttpRequest request) throws RequestTarget.Invalid {
        return RequestTarget.parse(request.method().name(), request.uri(),
                request.headers().getAll(HttpHeaderNames.HOST),
                request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0);
    }

    /** A malformed or ambiguous target or {@code Host} (400 {@code bad_target}): counted and logged. */
    RequestRefused badTarget(RequestTarget.Invalid invalid, InetSocketAddress peer) {
        RequestRefused refused = RequestRefused.of(RequestReason.BAD_TARGET, invalid.getMessage());
        metrics.requestRefused(refused.reason());
        live.current().refusals().refused(refused, peer, null);
        return refused;
    }

    /** The request head was over {@code limits.max_header_size} (431): typically a Negotiate token with a large PAC. */
    void headersTooLarge(InetSocketAddress peer) {
        Rejected rejected = Rejected.of(RejectReason.TOO_LARGE, "request header block over limits.max_header_size");
        metrics.rejected(rejected.reason(), -1);
        live.current().refusals().refused(new TokenRefused(rejected), peer, null);
    }

    private void logRefusal(AccessDecision.Refused refused, InetSocketAddress peer, AccessRules.Route route) {
        live.current().refusals().refused(refused, peer, route.name());
    }
}
