package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.ChannelBindings;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.Principals;
import io.kerbgate.config.GatewayConfig.Sessions;
import io.kerbgate.config.GatewayConfig.Sessions.Cookie;
import io.kerbgate.sessions.CookieKeyFile;
import io.kerbgate.testing.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sessions.cookie} through the real proxy: real sockets, a real backend, a clock the test moves. */
final class SessionCookieTest {

    private static final String KEY1 = "11".repeat(32);
    private static final String KEY2 = "22".repeat(32);
    private static final String GROUP = "S-1-5-21-1-2-3-1104";
    private static final ProxySettings FAST_POLL =
            new ProxySettings(0, 512, Duration.ofSeconds(30), Duration.ofMillis(20));

    @TempDir
    Path dir;

    private TestBackend backend;
    private Path keyFile;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final TicketAuthenticator acceptor = new TicketAuthenticator();

    @BeforeEach
    void setUp() throws IOException {
        backend = TestBackend.start("a");
        keyFile = writeKeys(KEY1);
    }

    @AfterEach
    void tearDown() {
        backend.close();
    }

    @Test
    void issuedAfterNegotiate_withItsAttributes_andReusedOnANewConnection() throws Exception {
        try (ProxyHarness proxy = harness(cookie(true)); RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response first = raw.send(get("/", token("alice"))).read();
            assertEquals(200, first.status());
            String setCookie = first.header("Set-Cookie");
            assertTrue(setCookie.matches("kerbgate_session=[A-Za-z0-9_-]+; Path=/; HttpOnly; SameSite=Lax;"
                    + " Max-Age=28800; Secure"), setCookie);
            assertEquals(1, first.all("WWW-Authenticate").size(), "the mutual token still answers the token");

            try (RawHttp other = new RawHttp(proxy.port)) {
                RawHttp.Response next = other.send(get("/", cookieHeader(value(setCookie)))).read();
                assertEquals(200, next.status());
                assertEquals("alice@ARRAY.TEST", next.echo("identity"));
                assertEquals("", next.echo("cookie"), "the session cookie never reaches the backend");
                assertNull(next.header("Set-Cookie"), "a cookie does not renew itself");
                assertTrue(next.all("WWW-Authenticate").isEmpty());
            }
            assertEquals(1, acceptor.calls.get(), "the acceptor saw the token once");
            assertEquals(1.0, sessions(proxy, "used"));
        }
    }

    @Test
    void notSecure_leavesOutTheAttribute_andTheNameIsConfigurable() throws Exception {
        Cookie cookie = new Cookie("gw", keyFile, Duration.ofMinutes(30), false);
        try (ProxyHarness proxy = harness(cookie); RawHttp raw = new RawHttp(proxy.port)) {
            String setCookie = raw.send(get("/", token("alice"))).read().header("Set-Cookie");
            assertTrue(setCookie.matches("gw=[A-Za-z0-9_-]+; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800"),
                    setCookie);
            assertEquals(200, raw.send(get("/", cookieHeader("gw=" + value(setCookie).substring(3)))).read()
                    .status());
        }
    }

    @Test
    void off_noCookieIsIssued_andACookieIsIgnored() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.builder().backend(backend.uri()).authenticator(acceptor).start();
             RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response first = raw.send(get("/", token("alice") + "Cookie: kerbgate_session=x; a=1\r\n")).read();
            assertNull(first.header("Set-Cookie"));
            assertEquals("kerbgate_session=x; a=1", first.echo("cookie"), "nothing to strip when off");
            assertEquals(401, raw.send(get("/", "Cookie: kerbgate_session=x\r\n")).read().status());
        }
    }

    @Test
    void tampered_orForeign_isIgnored_withTheUsualChallenge() throws Exception {
        try (ProxyHarness proxy = harness(cookie(true)); RawHttp raw = new RawHttp(proxy.port)) {
            String good = value(raw.send(get("/", token("alice"))).read().header("Set-Cookie"));
            String token = good.substring(good.indexOf('=') + 1);
            char[] chars = token.toCharArray();
            int mid = chars.length / 2;
            chars[mid] = chars[mid] == 'A' ? 'B' : 'A';
            String tampered = "kerbgate_session=" + new String(chars);

            RawHttp.Response refused = raw.send(get("/", cookieHeader(tampered))).read();
            assertEquals(401, refused.status());
            assertEquals("Negotiate", refused.header("WWW-Authenticate"));
            assertEquals(401, raw.send(get("/", cookieHeader("kerbgate_session=bm90LWEtY29va2ll"))).read()
                    .status());
            assertEquals(2.0, sessions(proxy, "invalid"));
            assertEquals(0.0, sessions(proxy, "used"));
            assertEquals(1, backend.hits.get());
        }
    }

    @Test
    void expired_byTheClock_isIgnored() throws Exception {
        try (ProxyHarness proxy = harness(cookie(true)); RawHttp raw = new RawHttp(proxy.port)) {
            String cookie = value(raw.send(get("/", token("alice"))).read().header("Set-Cookie"));
            clock.advance(Duration.ofHours(8).minusSeconds(1));
            assertEquals(200, raw.send(get("/", cookieHeader(cookie))).read().status());

            clock.advance(Duration.ofSeconds(1));
            assertEquals(401, raw.send(get("/", cookieHeader(cookie))).read().status());
            assertEquals(1.0, sessions(proxy, "expired"));
        }
    }

    @Test
    void expiry_isCappedByTheTicketsEndTime() throws Exception {
        acceptor.ticketEnd = clock.instant().plus(Duration.ofMinutes(10));
        try (ProxyHarness proxy = harness(cookie(true)); RawHttp raw = new RawHttp(proxy.port)) {
            String setCookie = raw.send(get("/", token("alice"))).read().header("Set-Cookie");
            assertTrue(setCookie.contains("; Max-Age=600"), setCookie);
            clock.advance(Duration.ofMinutes(9));
            assertEquals(200, raw.send(get("/", cookieHeader(value(setCookie)))).read().status());
            clock.advance(Duration.ofMinutes(1));
            assertEquals(401, raw.send(get("/", cookieHeader(value(setCookie)))).read().status());

            acceptor.ticketEnd = clock.instant().minusSeconds(1);
            assertNull(raw.send(get("/", token("alice"))).read().header("Set-Cookie"),
                    "no cookie for a ticket that has ended");
        }
    }

    @Test
    void withAuthorization_authenticatesNormally_andGetsAFreshCookie() throws Exception {
        try (ProxyHarness proxy = harness(cookie(true)); RawHttp raw = new RawHttp(proxy.port)) {
            String alice = value(raw.send(get("/", token("alice"))).read().header("Set-Cookie"));
            RawHttp.Response bob = raw.send(get("/", token("bob") + cookieHeader(alice))).read();
            assertEquals("bob@ARRAY.TEST", bob.echo("identity"), "the token wins over the cookie");
            String bobs = value(bob.header("Set-Cookie"));
            assertNotEquals(alice, bobs);
            assertEquals("bob@ARRAY.TEST", raw.send(get("/", cookieHeader(bobs))).read().echo("identity"));

            assertEquals(401, raw.send(get("/", "Authorization: Negotiate YmFk\r\n" + cookieHeader(alice))).read()
                    .status(), "a refused token is refused, whatever cookie comes with it");
            assertEquals(3, acceptor.calls.get());
        }
    }

    @Test
    void theCookieIsStrippedBeforeTheBackend_otherCookiesPass() throws Exception {
        try (ProxyHarness proxy = harness(cookie(true)); RawHttp raw = new RawHttp(proxy.port)) {
            String cookie = value(raw.send(get("/", token("alice"))).read().header("Set-Cookie"));

            RawHttp.Response mixed = raw.send(get("/", "Cookie: a=1; " + cookie + "; b=2\r\n")).read();
            assertEquals(200, mixed.status());
            assertEquals("a=1; b=2", mixed.echo("cookie"));

            RawHttp.Response withToken = raw.send(get("/", token("alice") + "Cookie: " + cookie + "; c=3\r\n")).read();
            assertEquals("c=3", withToken.echo("cookie"), "stripped on a Negotiate request too");

            RawHttp.Response untouched = raw.send(get("/", token("alice") + "Cookie: a=1;b=2\r\n")).read();
            assertEquals("a=1;b=2", untouched.echo("cookie"), "other cookies pass as sent");
        }
    }

    @Test
    void accessRoutesApply_andGroupsTravelInTheCookie() throws Exception {
        GatewayConfig.Route admin = new GatewayConfig.Route("admin", "/admin", null, false,
                new Principals(List.of("bob@ARRAY.TEST"), List.of(), List.of()), null);
        GatewayConfig.Route staff = new GatewayConfig.Route("staff", "/staff", null, false,
                new Principals(List.of(), List.of(), List.of(), List.of(GROUP)), null);
        try (ProxyHarness proxy = ProxyHarness.builder().backend(backend.uri()).authenticator(acceptor).clock(clock)
                .sessions(new Sessions(false, cookie(true))).routes(List.of(admin, staff)).start();
             RawHttp raw = new RawHttp(proxy.port)) {
            String alice = value(raw.send(get("/", token("alice"))).read().header("Set-Cookie"));
            try (RawHttp other = new RawHttp(proxy.port)) {
                assertEquals(403, other.send(get("/admin/x", cookieHeader(alice))).read().status());
                assertEquals(200, other.send(get("/staff/x", cookieHeader(alice))).read().status(),
                        "alice's group came back out of the cookie");
                assertEquals(200, other.send(get("/other", cookieHeader(alice))).read().status());
            }
        }
    }

    @Test
    void keyRotation_newKeyFirst_oldCookiesOpen_thenTheOldKeyRemoved_theyDoNot() throws Exception {
        try (ProxyHarness proxy = harness(cookie(true)); RawHttp raw = new RawHttp(proxy.port)) {
            String old = value(raw.send(get("/", token("alice"))).read().header("Set-Cookie"));

            writeKeys(KEY2 + "\n" + KEY1);
            ProxyHarness.waitFor("the rotated key file", () -> reloads(proxy, "success") == 1.0);
            String fresh = value(raw.send(get("/", token("bob"))).read().header("Set-Cookie"));
            assertEquals("alice@ARRAY.TEST", raw.send(get("/", cookieHeader(old))).read().echo("identity"));
            assertEquals("bob@ARRAY.TEST", raw.send(get("/", cookieHeader(fresh))).read().echo("identity"));

            // A bad file keeps the current keys, and is counted once.
            Files.writeString(keyFile, "not a key\n");
            ProxyHarness.waitFor("the rejected key file", () -> reloads(proxy, "rejected") == 1.0);
            assertEquals(200, raw.send(get("/", cookieHeader(old))).read().status());

            writeKeys(KEY2);
            ProxyHarness.waitFor("the old key's removal", () -> reloads(proxy, "success") == 2.0);
            assertEquals(401, raw.send(get("/", cookieHeader(old))).read().status());
            assertEquals("bob@ARRAY.TEST", raw.send(get("/", cookieHeader(fresh))).read().echo("identity"));
            assertEquals(1.0, reloads(proxy, "rejected"));
        }
    }

    @Test
    void aWorldReadableKeyFile_failsTheStart() throws IOException {
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> harness(cookie(true)));
        assertTrue(e.getMessage().startsWith("sessions.cookie.key_file: "), e.getMessage());
        assertTrue(e.getMessage().contains("readable by every user"), e.getMessage());
    }

    private ProxyHarness harness(Cookie cookie) {
        return ProxyHarness.builder().backend(backend.uri()).authenticator(acceptor).clock(clock).settings(FAST_POLL)
                .sessions(new Sessions(false, cookie)).start();
    }

    private Cookie cookie(boolean secure) {
        return new Cookie(Cookie.DEFAULT_NAME, keyFile, Cookie.DEFAULT_MAX_AGE, secure);
    }

    /** Writes the key file as a rename-replace, mode 0600, as an operator's script would. */
    private Path writeKeys(String text) throws IOException {
        Path tmp = Files.writeString(dir.resolve("session.key.tmp"), text + "\n");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        return Files.move(tmp, dir.resolve("session.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static double sessions(ProxyHarness proxy, String result) {
        return proxy.counter(ProxyMetrics.SESSION_REQUESTS, "kind", "cookie", "result", result);
    }

    private static double reloads(ProxyHarness proxy, String result) {
        return proxy.counter(CookieKeyFile.RELOADS, "result", result);
    }

    /** {@code name=value} of a {@code Set-Cookie} header. */
    private static String value(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static String cookieHeader(String pair) {
        return "Cookie: " + pair + "\r\n";
    }

    private static String get(String path, String headerLines) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n" + headerLines + "\r\n";
    }

    private static String token(String user) {
        return "Authorization: Negotiate "
                + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.US_ASCII)) + "\r\n";
    }

    /**
     * Accepts {@code Negotiate base64(name)} as {@code name@ARRAY.TEST} for alice (in {@link #GROUP}) and bob, with a
     * ticket ending at {@link #ticketEnd}; refuses the rest.
     */
    static final class TicketAuthenticator implements HttpAuthenticator {
        final AtomicInteger calls = new AtomicInteger();
        volatile Instant ticketEnd = Instant.MAX;

        @Override
        public Acceptance authenticate(String authorization, InetAddress peer, ChannelBindings bindings) {
            calls.incrementAndGet();
            String name = new String(Base64.getDecoder().decode(authorization.substring("Negotiate ".length())),
                    StandardCharsets.US_ASCII);
            if (name.equals("alice") || name.equals("bob")) {
                return new Acceptance.Accepted(name + "@ARRAY.TEST", "HTTP/gw.array.test@ARRAY.TEST", 3, 18,
                        "mutual".getBytes(StandardCharsets.US_ASCII), false,
                        name.equals("alice") ? List.of(GROUP) : List.of(), ticketEnd);
            }
            return Acceptance.Rejected.of(RejectReason.INTEGRITY, "bad token");
        }
    }
}
