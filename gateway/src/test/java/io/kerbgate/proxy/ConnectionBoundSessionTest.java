package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.ChannelBindings;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.Principals;
import io.kerbgate.config.GatewayConfig.Sessions;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code sessions.connection_bound} through the real proxy: real sockets, a real backend. */
final class ConnectionBoundSessionTest {

    private TestBackend backend;
    private final NamedTokenAuthenticator acceptor = new NamedTokenAuthenticator();

    @BeforeEach
    void setUp() {
        backend = TestBackend.start("a");
    }

    @AfterEach
    void tearDown() {
        backend.close();
    }

    @Test
    void off_aSecondRequestWithoutAuthorization_isChallenged() throws Exception {
        try (ProxyHarness proxy = harness(false); RawHttp raw = new RawHttp(proxy.port)) {
            assertEquals(200, raw.send(get("/", token("alice"))).read().status());

            RawHttp.Response second = raw.send(get("/", "")).read();
            assertEquals(401, second.status());
            assertEquals(1, backend.hits.get());
            assertEquals(0.0, sessions(proxy));
        }
    }

    @Test
    void on_laterRequestsGoThroughAsTheSamePrincipal_onlyOnThatConnection() throws Exception {
        try (ProxyHarness proxy = harness(true); RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response first = raw.send(get("/", token("alice"))).read();
            assertEquals(200, first.status());
            assertEquals("alice@ARRAY.TEST", first.echo("identity"));
            assertEquals(1, first.all("WWW-Authenticate").size(), "the mutual token answers the token");

            for (int i = 0; i < 3; i++) {
                RawHttp.Response next = raw.send(get("/", "")).read();
                assertEquals(200, next.status());
                assertEquals("alice@ARRAY.TEST", next.echo("identity"));
                assertEquals("absent", next.echo("authorization"));
                assertTrue(next.all("WWW-Authenticate").isEmpty(), "no token to answer");
            }
            assertEquals(1, acceptor.calls.get(), "the acceptor saw the token once");
            assertEquals(3.0, sessions(proxy));

            try (RawHttp other = new RawHttp(proxy.port)) {
                assertEquals(401, other.send(get("/", "")).read().status(), "a new connection starts unbound");
            }
            // The first connection keeps its principal.
            assertEquals("alice@ARRAY.TEST", raw.send(get("/", "")).read().echo("identity"));
        }
    }

    @Test
    void on_anotherPrincipalsToken_switchesTheConnection_andARefusedTokenUnbindsIt() throws Exception {
        try (ProxyHarness proxy = harness(true); RawHttp raw = new RawHttp(proxy.port)) {
            assertEquals("alice@ARRAY.TEST", raw.send(get("/", token("alice"))).read().echo("identity"));
            assertEquals("bob@ARRAY.TEST", raw.send(get("/", token("bob"))).read().echo("identity"));
            assertEquals("bob@ARRAY.TEST", raw.send(get("/", "")).read().echo("identity"));

            assertEquals(401, raw.send(get("/", "Authorization: Negotiate YmFk\r\n")).read().status());
            assertEquals(401, raw.send(get("/", "")).read().status(), "a refused token leaves nobody bound");
        }
    }

    @Test
    void on_accessRoutesStillApplyPerRequest() throws Exception {
        GatewayConfig.Route admin = new GatewayConfig.Route("admin", "/admin", null, false,
                new Principals(List.of("bob@ARRAY.TEST"), List.of(), List.of()), null);
        try (ProxyHarness proxy = ProxyHarness.builder().backend(backend.uri()).authenticator(acceptor)
                .sessions(new Sessions(true)).routes(List.of(admin)).start();
             RawHttp raw = new RawHttp(proxy.port)) {
            assertEquals(200, raw.send(get("/", token("alice"))).read().status());
            assertEquals(403, raw.send(get("/admin/x", "")).read().status());
            assertEquals(200, raw.send(get("/other", "")).read().status());
        }
    }

    @Test
    void on_http10Client_isClosedAfterItsResponse_soNothingOutlivesIt() throws Exception {
        try (ProxyHarness proxy = harness(true); RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response response = raw.send("GET / HTTP/1.0\r\nHost: gw.test\r\n" + token("alice") + "\r\n")
                    .read();
            assertEquals(200, response.status());
            assertEquals("close", response.header("Connection"));
        }
    }

    private ProxyHarness harness(boolean connectionBound) {
        return ProxyHarness.builder().backend(backend.uri()).authenticator(acceptor)
                .sessions(new Sessions(connectionBound)).start();
    }

    private static double sessions(ProxyHarness proxy) {
        return proxy.counter(ProxyMetrics.SESSION_REQUESTS, "kind", "connection", "result", "used");
    }

    private static String get(String path, String headerLines) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n" + headerLines + "\r\n";
    }

    private static String token(String user) {
        return "Authorization: Negotiate "
                + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.US_ASCII)) + "\r\n";
    }

    /** Accepts {@code Negotiate base64(name)} as {@code name@ARRAY.TEST} for alice and bob; refuses the rest. */
    static final class NamedTokenAuthenticator implements HttpAuthenticator {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Acceptance authenticate(String authorization, InetAddress peer, ChannelBindings bindings) {
            calls.incrementAndGet();
            String name = new String(Base64.getDecoder().decode(authorization.substring("Negotiate ".length())),
                    StandardCharsets.US_ASCII);
            if (name.equals("alice") || name.equals("bob")) {
                return new Acceptance.Accepted(name + "@ARRAY.TEST", "HTTP/gw.array.test@ARRAY.TEST", 3, 18,
                        "mutual".getBytes(StandardCharsets.US_ASCII), false);
            }
            return Acceptance.Rejected.of(RejectReason.INTEGRITY, "bad token");
        }
    }
}
