package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.access.AccessRules;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.logging.LogCapture;
import io.kerbgate.testing.SecretFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Access routes through the real proxy: real sockets, a real backend, the routes of the issue parsed from YAML. The
 * authenticator accepts {@code Negotiate <base64 of a principal>} as that principal, so each request picks its client.
 */
final class AccessRoutesTest {

    private static final String ROUTES = """
            routes:
              - {name: health, path: /healthz, anonymous: true}
              - {name: static, path: /static, anonymous: true}
              - {name: admin, path: /admin/, allow: {principals: [alice@ARRAY.TEST], realms: [], regex: []}}
              - {name: partners, path: /partners, allow: {realms: [PARTNER.TEST], regex: ["^auditor-[0-9]+@"]}}
              - {name: corp, path: /, host: intranet.example.test, deny: {regex: ["^svc-.*"]}, allow: {realms: [ARRAY.TEST]}}
            """;

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger acceptorCalls = new AtomicInteger();
    private TestBackend backend;
    private int port;

    /** Accepts {@code Negotiate base64(principal)} as that principal, with a mutual-auth token. */
    private final HttpAuthenticator acceptor = (authorization, peer, bindings) -> {
        acceptorCalls.incrementAndGet();
        String principal = new String(Base64.getDecoder().decode(authorization.substring("Negotiate ".length())),
                StandardCharsets.UTF_8);
        return new Acceptance.Accepted(principal, "HTTP/gw.array.test@ARRAY.TEST", 4, 18,
                "ap-rep".getBytes(StandardCharsets.US_ASCII), false);
    };

    @BeforeEach
    void setUp() throws Exception {
        backend = track(TestBackend.start("a"));
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        GatewayConfig config = ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: http.keytab
                backends: [%s]
                admin: {listen: 127.0.0.1:0}
                """.formatted(backend.uri()) + ROUTES, dir);
        ProxyServer proxy = track(new ProxyServer(config, acceptor, registry));
        port = proxy.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void anonymousRoute_skipsTheAcceptor_andForwardsNoIdentityNorTicket() throws Exception {
        RawHttp.Response response = send("/healthz", "gw.test",
                "Authorization: Negotiate c3B5\r\nX-Remote-User: root\r\nx_remote_user: root\r\n");

        assertEquals(200, response.status());
        assertEquals("", response.echo("identity"));
        assertEquals("absent", response.echo("authorization"));
        assertTrue(response.all("WWW-Authenticate").isEmpty());
        assertEquals(0, acceptorCalls.get());
        assertEquals(1.0, access("health", "anonymous"));
        assertEquals(0.0, registry.get(ProxyMetrics.AUTH_REQUESTS).counters().stream()
                .mapToDouble(c -> c.count()).sum(), "an anonymous request is no authentication");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/healthz/live",
        "/static/app.js?v=3",
        "/static",
        "/static//app.js",
        "/static/js/../app.js",
    })
    void anonymousRoute_coversItsSubtree(String path) throws Exception {
        assertEquals(200, send(path, "gw.test", "").status());
        assertEquals(0, acceptorCalls.get());
    }

    /** 401 when no reading of the path is under an anonymous route; 400 when only some are (see RequestTarget). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/healthzx,              401",
        "/healthz/../admin/,     400",
        "/static/%2e%2e/admin/,  400",
        "/static/..;/admin/,     400",
        "/%68ealthz,             400",
        "/HEALTHZ,               400",
        "/healthz;x/../admin,    400",
    })
    void pathsThatOnlyLookAnonymous_needAuthenticationOrAreRefused(String path, int status) throws Exception {
        RawHttp.Response response = send(path, "gw.test", "");

        assertEquals(status, response.status());
        assertEquals(0, backend.hits.get());
        assertEquals(status == 400 ? 1.0 : 0.0, registry.get(ProxyMetrics.AUTH_REQUESTS).tag("result", "rejected")
                .tag("reason", "bad_target").counter().count());
    }

    @Test
    void allowByPrincipal_letsAliceIntoAdmin() throws Exception {
        RawHttp.Response response = send("/admin/users", "gw.test", auth("alice@ARRAY.TEST"));

        assertEquals(200, response.status());
        assertEquals("alice@ARRAY.TEST", response.echo("identity"));
        assertEquals(1.0, access("admin", "allowed"));
    }

    @Test
    void denied_is403WithAShortBody_countedAndLoggedWithTheRoute() throws Exception {
        RawHttp.Response response;
        try (LogCapture log = LogCapture.refusals()) {
            response = send("/admin/users", "gw.test", auth("bob@ARRAY.TEST"));

            assertEquals(1, log.lines().size(), log.lines().toString());
            String line = log.lines().get(0);
            assertTrue(line.startsWith("auth refused reason=access_denied status=403 client=127.0.0.1:"), line);
            assertTrue(line.contains(" principal=bob@ARRAY.TEST "), line);
            assertTrue(line.contains(" route=admin "), line);
            assertTrue(line.contains("may not use route 'admin' (path /admin/): it matches nothing in allow"), line);
        }
        assertEquals(403, response.status());
        assertEquals("403 Forbidden\n", response.text());
        assertEquals("text/plain; charset=utf-8", response.header("Content-Type"));
        assertTrue(response.all("WWW-Authenticate").isEmpty(), "403 is no challenge");
        assertEquals(0, backend.hits.get());
        assertEquals(1.0, access("admin", "denied"));
        // Authentication itself succeeded and is counted as such.
        assertEquals(1.0, registry.get(ProxyMetrics.AUTH_REQUESTS).tag("result", "ok").counter().count());
    }

    @Test
    void denied_leavesTheConnectionUsable() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            assertEquals(403, raw.send(get("/admin/", "gw.test", auth("bob@ARRAY.TEST"))).read().status());
            assertEquals(200, raw.send(get("/admin/", "gw.test", auth("alice@ARRAY.TEST"))).read().status());
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "carol@PARTNER.TEST,      200",
        "auditor-7@ARRAY.TEST,    200",
        "auditor-x@ARRAY.TEST,    403",
        "alice@ARRAY.TEST,        403",
        "carol@PARTNER.TEST.EVIL, 403",
    })
    void allowByRealmOrRegex(String principal, int status) throws Exception {
        assertEquals(status, send("/partners/report", "gw.test", auth(principal)).status());
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource({
        "alice@ARRAY.TEST,     intranet.example.test,      200",
        "alice@ARRAY.TEST,     INTRANET.example.test:8080, 200",
        "svc-backup@ARRAY.TEST, intranet.example.test,     403",
        "dave@OTHER.TEST,      intranet.example.test,      403",
        "dave@OTHER.TEST,      gw.test,                    200",
        "svc-backup@ARRAY.TEST, gw.test,                   200",
    })
    void hostRoute_denyRegexThenAllowRealm_onlyOnItsHost(String principal, String host, int status)
            throws Exception {
        assertEquals(status, send("/app", host, auth(principal)).status());
    }

    @Test
    void absoluteFormTarget_isMatchedByItsAuthority() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET http://intranet.example.test/app HTTP/1.1\r\nHost: gw.test\r\n"
                    + auth("svc-backup@ARRAY.TEST") + "\r\n");
            assertEquals(403, raw.read().status());
        }
    }

    @Test
    void noRouteMatches_anyAuthenticatedPrincipalPasses_andNoneIsAnonymous() throws Exception {
        assertEquals(200, send("/public", "gw.test", auth("dave@OTHER.TEST")).status());
        assertEquals(401, send("/public", "gw.test", "").status());
        assertEquals(1.0, access(AccessRules.NO_ROUTE, "allowed"));
    }

    @Test
    void refusedToken_neverReachesTheRules() throws Exception {
        assertEquals(401, send("/admin/", "gw.test", "").status());
        assertEquals(0.0, access("admin", "denied"));
        assertEquals(0.0, access("admin", "allowed"));
    }

    private double access(String route, String decision) {
        return registry.get(AccessRules.ACCESS_REQUESTS).tag("route", route).tag("decision", decision)
                .counter().count();
    }

    private RawHttp.Response send(String path, String host, String headerLines) throws IOException {
        try (RawHttp raw = new RawHttp(port)) {
            return raw.send(get(path, host, headerLines)).read();
        }
    }

    private static String get(String path, String host, String headerLines) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headerLines + "\r\n";
    }

    private static String auth(String principal) {
        return "Authorization: Negotiate "
                + Base64.getEncoder().encodeToString(principal.getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }
}
