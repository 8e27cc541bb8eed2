package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.ChannelBindings;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.access.AccessRules;
import io.kerbgate.access.AccessDecision;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.access.AccessDecision.TokenRefused;
import io.kerbgate.access.RequestReason;
import io.kerbgate.access.RequestTarget;
import io.kerbgate.basic.BasicAuthenticator;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.Logging;
import io.kerbgate.identity.IdentityHeaders;
import io.kerbgate.keys.KeySet;
import io.kerbgate.logging.RefusalLog;
import java.time.Clock;
import java.time.Duration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class NegotiateStepTest {

    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 50000);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMetrics metrics = ProxyMetrics.create(registry, List.of("backend:80"));

    @Test
    void acceptorThrowing_failsClosedWithAChallenge() {
        NegotiateStep step = new NegotiateStep((value, peer, bindings) -> {
            throw new IllegalStateException("bug");
        }, metrics);

        AccessDecision verdict = authenticate(step, request("Authorization", "Negotiate YII="));

        TokenRefused refused = assertInstanceOf(TokenRefused.class, verdict);
        assertEquals(RejectReason.MALFORMED, refused.rejected().reason());
        assertEquals(401, Responses.status(refused));
        assertEquals(1.0, registry.get(ProxyMetrics.AUTH_REQUESTS)
                .tag("result", "rejected").tag("reason", ProxyMetrics.ACCEPTOR_ERROR).counter().count());
    }

    @Test
    void acceptorReturningNull_failsClosedWithAChallenge() {
        NegotiateStep step = new NegotiateStep((value, peer, bindings) -> null, metrics);

        AccessDecision verdict = authenticate(step, request("Authorization", "Negotiate YII="));

        assertEquals(401, Responses.status(assertInstanceOf(TokenRefused.class, verdict)));
        assertEquals(1.0, registry.get(ProxyMetrics.AUTH_REQUESTS)
                .tag("result", "rejected").tag("reason", ProxyMetrics.ACCEPTOR_ERROR).counter().count());
    }

    @Test
    void noHeader_neverCallsTheAcceptor() {
        AtomicInteger calls = new AtomicInteger();
        NegotiateStep step = new NegotiateStep((value, peer, bindings) -> {
            calls.incrementAndGet();
            return Acceptance.Rejected.of(RejectReason.MALFORMED, "unused");
        }, metrics);

        AccessDecision verdict = authenticate(step, request());

        assertEquals(RequestReason.NO_HEADER, assertInstanceOf(RequestRefused.class, verdict).reason());
        assertEquals(0, calls.get());
    }

    @Test
    void statuses_areTheEdgesMapping_a4xxForWhatTheClientSent_a503ForThisNodesFault() {
        Map<Integer, Set<Enum<?>>> notUnauthorized = Map.of(
                400, Set.of(RequestReason.DUPLICATE_HEADER, RequestReason.BAD_TARGET),
                403, Set.of(RejectReason.PRINCIPAL_NAME, RequestReason.ACCESS_DENIED, RequestReason.BASIC_NEEDS_TLS,
                        RequestReason.DELEGATION_REFUSED),
                429, Set.of(RejectReason.REPLAY_QUOTA, RequestReason.BASIC_RATE_LIMITED),
                431, Set.of(RejectReason.TOO_LARGE),
                503, Set.of(RejectReason.REPLAY_CACHE_UNAVAILABLE, RequestReason.NO_KEYS,
                        RequestReason.KDC_UNAVAILABLE, RequestReason.DELEGATION_UNAVAILABLE));
        for (RejectReason reason : RejectReason.values()) {
            assertEquals(expected(notUnauthorized, reason), Responses.status(reason), reason.name());
            assertEquals(Responses.status(reason), Responses.status(new TokenRefused(
                    Acceptance.Rejected.of(reason, "d"))), reason.name());
        }
        for (RequestReason reason : RequestReason.values()) {
            assertEquals(expected(notUnauthorized, reason), Responses.status(reason), reason.name());
            assertEquals(Responses.status(reason), Responses.status(RequestRefused.of(reason, "d")), reason.name());
        }
    }

    private static int expected(Map<Integer, Set<Enum<?>>> notUnauthorized, Enum<?> reason) {
        return notUnauthorized.entrySet().stream().filter(e -> e.getValue().contains(reason))
                .map(Map.Entry::getKey).findFirst().orElse(401);
    }

    @Test
    void tagsOfTheAcceptorAndOfTheGateway_neverCollide() {
        Set<String> tags = new java.util.HashSet<>();
        for (RejectReason reason : RejectReason.values()) {
            assertTrue(tags.add(reason.tag()), reason.tag());
        }
        for (RequestReason reason : RequestReason.values()) {
            assertTrue(tags.add(reason.tag()), reason.tag());
        }
        assertFalse(tags.contains(ProxyMetrics.ACCEPTOR_ERROR));
    }

    @Test
    void everyRejectReason_hasItsStatusAndTheChallengeOnlyOn401() {
        List<AccessDecision.Refused> refusals = new java.util.ArrayList<>();
        for (RejectReason reason : RejectReason.values()) {
            refusals.add(new TokenRefused(Acceptance.Rejected.of(reason, "d")));
        }
        for (RequestReason reason : RequestReason.values()) {
            refusals.add(RequestRefused.of(reason, "d"));
        }
        for (AccessDecision.Refused refused : refusals) {
            var response = Responses.refusal(refused);
            try {
                assertEquals(Responses.status(refused), response.status().code(), refused.tag());
                assertEquals(Responses.status(refused) == 401, response.headers().contains("WWW-Authenticate"),
                        refused.tag());
            } finally {
                response.release();
            }
        }
    }

    @Test
    void basicOnPlainHttp_isRefusedUnread_andNeverReachesTheKdcThreads() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger tasks = new AtomicInteger();
        BasicAuthenticator basic = BasicAuthenticator.create(new GatewayConfig.Basic("ARRAY.TEST",
                "HTTP/gw@ARRAY.TEST", null, GatewayConfig.Basic.DEFAULT_PER_PRINCIPAL,
                GatewayConfig.Basic.DEFAULT_PER_SOURCE, Duration.ofMinutes(5), Duration.ofMinutes(1)),
                (value, peer, bindings) -> {
                    calls.incrementAndGet();
                    return Acceptance.Rejected.of(RejectReason.MALFORMED, "unused");
                }, registry);
        NegotiateStep step = new NegotiateStep((value, peer, bindings) -> {
            calls.incrementAndGet();
            return Acceptance.Rejected.of(RejectReason.MALFORMED, "unused");
        }, metrics, new LiveSettings(new LiveSettings.Snapshot(AccessRules.none(),
                new RefusalLog(() -> KeySet.EMPTY, Logging.DEFAULT.format(),
                        Responses::status), IdentityHeaders.of(GatewayConfig.Identity.DEFAULT, Clock.systemUTC()),
                ErrorPages.BUILT_IN)),
                null, null, basic, task -> tasks.incrementAndGet());
        HttpRequest request = request("Authorization", "Basic YWxpY2U6UzNjcmV0");

        AccessDecision verdict = step.authenticate(request, NegotiateStep.target(request), PEER, ChannelBindings.NONE,
                false, null, ImmediateEventExecutor.INSTANCE).getNow();

        assertEquals(RequestReason.BASIC_NEEDS_TLS, assertInstanceOf(RequestRefused.class, verdict).reason());
        assertEquals(403, Responses.status(RequestReason.BASIC_NEEDS_TLS));
        assertEquals(0, calls.get());
        assertEquals(0, tasks.get());

        step.authenticate(request, NegotiateStep.target(request), PEER, ChannelBindings.NONE, true, null,
                ImmediateEventExecutor.INSTANCE);
        assertEquals(1, tasks.get(), "over TLS it goes to the Basic threads, never the event loop");
    }

    private static AccessDecision authenticate(NegotiateStep step, HttpRequest request) {
        try {
            return step.authenticate(request, NegotiateStep.target(request), PEER, ChannelBindings.NONE, null,
                    ImmediateEventExecutor.INSTANCE).getNow();
        } catch (RequestTarget.Invalid e) {
            throw new AssertionError(e);
        }
    }

    private static HttpRequest request(String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        request.headers().add("Host", "gw.test");
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }
}
