package io.kerbgate.basic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.Acceptance.Rejected;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.access.AccessDecision;
import io.kerbgate.access.AccessDecision.TokenRefused;
import io.kerbgate.access.RequestReason;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.Basic.RateLimit;
import io.kerbgate.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The order of {@link BasicAuthenticator}'s decisions, with the KDC login replaced by a stub that counts its calls
 * (the real login is {@code BasicEndToEndTest}'s, against a real KDC): what is cached and for how long, what reaches
 * the KDC, what the rate limits count, and that the password is zeroed.
 */
final class BasicAuthenticatorTest {

    private static final String REALM = "EXAMPLE.COM";
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    private final AtomicLong nanos = new AtomicLong(1);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger logins = new AtomicInteger();
    private final List<char[]> passwordsSeen = new ArrayList<>();

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        clock.advance(d);
    }

    /** Only {@code right} logs in, as {@code name@REALM}, with a ticket that ends in an hour. */
    private PasswordLogin kdc(String right) {
        return (principal, password, peer) -> {
            logins.incrementAndGet();
            passwordsSeen.add(password);
            if (!new String(password).equals(right)) {
                return new Outcome.BadCredentials(principal + ": wrong password");
            }
            return new Outcome.Success(new Accepted(principal, "HTTP/gw@" + REALM, 1, 18, null, false, List.of("S-1"),
                    clock.instant().plus(Duration.ofHours(1))));
        };
    }

    private BasicAuthenticator basic(PasswordLogin login, int perPrincipal, int perSource) {
        return new BasicAuthenticator(new GatewayConfig.Basic(REALM, "HTTP/gw@" + REALM, null,
                new RateLimit(perPrincipal, Duration.ofMinutes(perPrincipal)),
                new RateLimit(perSource, Duration.ofMinutes(perSource)), Duration.ofMinutes(5), Duration.ofMinutes(1)),
                login, registry, clock, nanos::get);
    }

    private BasicAuthenticator basic(PasswordLogin login) {
        return basic(login, 100, 100);
    }

    private static String header(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static Accepted loggedIn(BasicAuthenticator.Verdict verdict) {
        return assertInstanceOf(BasicAuthenticator.LoggedIn.class, verdict).accepted();
    }

    /** The refusal's reason: the gateway's ({@link RequestReason}) or the acceptor's ({@link RejectReason}). */
    private static Enum<?> reason(BasicAuthenticator.Verdict verdict) {
        AccessDecision.Refused refused = assertInstanceOf(BasicAuthenticator.NotLoggedIn.class, verdict).refused();
        return refused instanceof TokenRefused token ? token.rejected().reason()
                : ((AccessDecision.RequestRefused) refused).reason();
    }

    private double count(String result) {
        return registry.get("kerbgate.basic.logins").tag("result", result).counter().count();
    }

    @Test
    void success_isTheTicketsPrincipal_thenReusedUntilSuccessCacheEnds() {
        BasicAuthenticator basic = basic(kdc("right"));

        Accepted first = loggedIn(basic.authenticate(header("alice", "right"), PEER));
        assertEquals("alice@" + REALM, first.client());
        assertEquals(List.of("S-1"), first.groups());
        loggedIn(basic.authenticate(header("alice", "right"), PEER));
        assertEquals(1, logins.get());
        assertEquals(1.0, count("cached"));

        advance(Duration.ofMinutes(5));
        loggedIn(basic.authenticate(header("alice", "right"), PEER));
        assertEquals(2, logins.get());
    }

    @Test
    void success_isNeverReusedPastItsTicketsEnd() {
        BasicAuthenticator basic = basic((principal, password, peer) -> {
            logins.incrementAndGet();
            return new Outcome.Success(new Accepted(principal, "s", 1, 18, null, false, List.of(),
                    clock.instant().plus(Duration.ofMinutes(2))));
        });
        basic.authenticate(header("alice", "pw"), PEER);
        advance(Duration.ofMinutes(2));
        basic.authenticate(header("alice", "pw"), PEER);
        assertEquals(2, logins.get());
    }

    @Test
    void theSameWrongPassword_reachesTheKdcOnce_anotherOneAgain() {
        BasicAuthenticator basic = basic(kdc("right"));

        for (int i = 0; i < 5; i++) {
            assertEquals(RequestReason.BAD_PASSWORD, reason(basic.authenticate(header("alice", "wrong"), PEER)));
        }
        assertEquals(1, logins.get());
        assertEquals(4.0, count("cached_failure"));
        basic.authenticate(header("alice", "wrong-2"), PEER);
        assertEquals(2, logins.get());
        // The right password is not shadowed by the wrong one's entry.
        loggedIn(basic.authenticate(header("alice", "right"), PEER));
    }

    @Test
    void aWrongPasswordIsForgottenAfterFailureCache() {
        BasicAuthenticator basic = basic(kdc("right"));
        basic.authenticate(header("alice", "wrong"), PEER);
        advance(Duration.ofMinutes(1));
        basic.authenticate(header("alice", "wrong"), PEER);
        assertEquals(2, logins.get());
    }

    @Test
    void theCacheKey_holdsThePrincipal_soOneUsersPasswordIsNotAnothers() {
        BasicAuthenticator basic = basic(kdc("shared-pw"));
        Accepted alice = loggedIn(basic.authenticate(header("alice", "shared-pw"), PEER));
        Accepted bob = loggedIn(basic.authenticate(header("bob", "shared-pw"), PEER));
        assertEquals("alice@" + REALM, alice.client());
        assertEquals("bob@" + REALM, bob.client());
        assertEquals(2, logins.get());
    }

    @Test
    void thePassword_isZeroedAfterTheLogin() {
        BasicAuthenticator basic = basic(kdc("right"));
        basic.authenticate(header("alice", "right"), PEER);
        assertArrayEquals(new char[5], passwordsSeen.get(0));
    }

    @Test
    void perPrincipal_is429_countsAllSpellingsOfTheName_andIsNotCached() {
        BasicAuthenticator basic = basic(kdc("right"), 2, 100);
        basic.authenticate(header("alice", "guess-1"), PEER);
        basic.authenticate(header("ALICE", "guess-2"), PEER);

        assertEquals(RequestReason.BASIC_RATE_LIMITED, reason(basic.authenticate(header("Alice", "guess-3"), PEER)));
        assertEquals(2, logins.get());
        // A limited attempt leaves nothing behind: once the bucket refills, the same password is tried.
        advance(Duration.ofMinutes(1));
        basic.authenticate(header("Alice", "guess-3"), PEER);
        assertEquals(3, logins.get());
        assertEquals(Duration.ofMinutes(1), basic.retryAfter());
    }

    @Test
    void perSource_stopsASprayOverManyUsers() {
        BasicAuthenticator basic = basic(kdc("right"), 100, 3);
        for (int i = 0; i < 10; i++) {
            basic.authenticate(header("user" + i, "Winter2026!"), PEER);
        }
        assertEquals(3, logins.get());
        assertEquals(7.0, count("rate_limited"));
    }

    @Test
    void anIpv6Client_isLimitedByIts64() throws Exception {
        assertEquals(BasicAuthenticator.sourceKey(InetAddress.getByName("2001:db8:1:2::1")),
                BasicAuthenticator.sourceKey(InetAddress.getByName("2001:db8:1:2:ffff::9")));
        assertTrue(!BasicAuthenticator.sourceKey(InetAddress.getByName("2001:db8:1:3::1"))
                .equals(BasicAuthenticator.sourceKey(InetAddress.getByName("2001:db8:1:2::1"))));
    }

    @Test
    void malformedHeadersAndForeignNames_neverReachTheKdc() {
        BasicAuthenticator basic = basic(kdc("right"));
        for (String header : new String[] {"Basic %%%", header("alice@OTHER.ORG", "right"),
            header("HTTP/gw", "right"), header("alice", "")}) {
            assertEquals(RequestReason.BAD_PASSWORD,
                    reason(basic.authenticate(header, PEER)), header);
        }
        assertEquals(0, logins.get());
        assertEquals(4.0, count("malformed"));
    }

    @Test
    void noKdc_is503_andNotCached() {
        BasicAuthenticator basic = basic((principal, password, peer) -> {
            logins.incrementAndGet();
            return new Outcome.Unavailable("no KDC answered");
        });
        for (int i = 0; i < 2; i++) {
            assertEquals(RequestReason.KDC_UNAVAILABLE,
                    reason(basic.authenticate(header("alice", "pw"), PEER)));
        }
        assertEquals(2, logins.get());
    }

    @Test
    void aTicketOurKeyCannotOpen_isABadLogin_butTheAcceptorsPolicyKeepsItsReason() {
        Rejected integrity = Rejected.of(RejectReason.INTEGRITY, "not our key");
        Rejected realm = Rejected.of(RejectReason.REALM_NOT_ALLOWED, "realm");
        assertEquals(RequestReason.BAD_PASSWORD, reason(basic((p, pw, peer) -> new Outcome.TicketRefused(integrity))
                .authenticate(header("alice", "pw"), PEER)));
        assertEquals(RejectReason.REALM_NOT_ALLOWED, reason(basic((p, pw, peer) -> new Outcome.TicketRefused(realm))
                .authenticate(header("alice", "pw"), PEER)));
    }

    @Test
    void concurrentRequestsWithTheSameCredentials_shareOneLogin() throws Exception {
        CountDownLatch inLogin = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BasicAuthenticator basic = basic((principal, password, peer) -> {
            logins.incrementAndGet();
            inLogin.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Outcome.Success(new Accepted(principal, "s", 1, 18, null, false, List.of(), Instant.MAX));
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<BasicAuthenticator.Verdict>> verdicts = new ArrayList<>();
            verdicts.add(pool.submit(() -> basic.authenticate(header("alice", "pw"), PEER)));
            assertTrue(inLogin.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 3; i++) {
                verdicts.add(pool.submit(() -> basic.authenticate(header("alice", "pw"), PEER)));
            }
            Thread.sleep(100);
            release.countDown();
            for (Future<BasicAuthenticator.Verdict> v : verdicts) {
                loggedIn(v.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, logins.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theChallenge_namesTheRealmAndUtf8() {
        assertEquals("Basic realm=\"EXAMPLE.COM\", charset=\"UTF-8\"", basic(kdc("x")).challenge());
    }
}
