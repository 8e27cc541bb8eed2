package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.initiator.Negotiation;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.KerbyKdc;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.SecretFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole gateway, as an operator runs it: real KDCs (Kerby's embedded one and MIT's krb5kdc), real clients (the
 * JDK's GSS initiator, MIT kinit + curl --negotiate, python-gssapi), real sockets, a real backend behind it.
 */
final class GatewayEndToEndTest {
    private static final String HOST = "array.example.test";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

    private static KerbyKdc kerby;
    private static MitKdc mit;
    private static EchoBackend backend;
    private static Kerbgate kerbyGateway;
    private static Kerbgate mitGateway;

    @BeforeAll
    static void start() throws Exception {
        backend = EchoBackend.start("node-1");
        kerby = KerbyKdc.start("KERBY.TEST");
        kerby.createPrincipal("alice@KERBY.TEST", "alice-pw");
        Path kerbyKeytab = dir.resolve("kerby.keytab");
        kerby.createServicePrincipalWithKeytab("HTTP/" + HOST + "@KERBY.TEST", kerbyKeytab, 17, 18);
        kerbyGateway = Kerbgate.start(config(kerbyKeytab));

        if (MitKdc.isAvailable()) {
            mit = MitKdc.start("MIT.TEST");
            mit.createPrincipal("alice@MIT.TEST", "alice-pw");
            Path mitKeytab = dir.resolve("mit.keytab");
            // One principal per enctype, so the KDC (which picks the service's strongest key) issues each of them.
            for (int e : new int[] {17, 18, 19, 20}) {
                mit.createServicePrincipalWithKeytab("HTTP/e" + e + ".example.test@MIT.TEST", mitKeytab, e);
            }
            mit.createServicePrincipalWithKeytab("HTTP/" + HOST + "@MIT.TEST", mitKeytab, 18, 17);
            mitGateway = Kerbgate.start(config(mitKeytab));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {kerbyGateway, mitGateway, kerby, mit, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static GatewayConfig config(Path keytab) throws Exception {
        return ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  replay_cache_file: replay-%s.cache
                """.formatted(keytab, backend.port(), java.util.UUID.randomUUID()), keytab.getParent());
    }

    private static HttpResponse<String> get(Kerbgate gw, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.frontPort() + "/hello"))
                .timeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "enctype {0}")
    @ValueSource(ints = {17, 18})
    void kerby_kdc_and_jdk_initiator_through_the_proxy(int enctype) throws Exception {
        try (GssClient client = GssClient.withPassword(kerby.krb5Conf(enctype), "alice@KERBY.TEST", "alice-pw")) {
            Negotiation n = client.negotiate("HTTP/" + HOST + "@KERBY.TEST", GssMech.SPNEGO, true);
            HttpResponse<String> r = get(kerbyGateway, Map.of("Authorization", n.headerValue(),
                    "X-Remote-User", "admin@KERBY.TEST"));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(List.of("alice@KERBY.TEST"), EchoBackend.headerValues(r.body(), "x-remote-user"));
            assertTrue(EchoBackend.headerValues(r.body(), "authorization").isEmpty(), "ticket not forwarded");
            n.complete(r.headers().firstValue("WWW-Authenticate").orElseThrow());
            assertTrue(n.isEstablished(), "mutual authentication completes with the gateway's AP-REP");
        }
    }

    @ParameterizedTest(name = "enctype {0}")
    @ValueSource(ints = {17, 18, 19, 20})
    void mit_kdc_and_jdk_initiator_for_every_enctype(int enctype) throws Exception {
        assumeTrue(mit != null, MitKdc.NOT_INSTALLED);
        try (GssClient client = GssClient.withPassword(mit.krb5Conf(), "alice@MIT.TEST", "alice-pw")) {
            for (GssMech mech : GssMech.values()) {
                Negotiation n = client.negotiate("HTTP/e" + enctype + ".example.test@MIT.TEST", mech,
                        true);
                HttpResponse<String> r = get(mitGateway, Map.of("Authorization", n.headerValue()));
                assertEquals(200, r.statusCode(), mech + ": " + r.body());
                assertEquals(List.of("alice@MIT.TEST"), EchoBackend.headerValues(r.body(), "x-remote-user"));
                n.complete(r.headers().firstValue("WWW-Authenticate").orElseThrow());
                assertTrue(n.isEstablished(), mech + " mutual auth");
            }
        }
    }

    @Test
    void mit_kinit_and_curl_negotiate() throws Exception {
        assumeTrue(mit != null, MitKdc.NOT_INSTALLED);
        Path ccache = dir.resolve("curl.ccache");
        mit.kinit("alice@MIT.TEST", "alice-pw", ccache);
        int port = mitGateway.frontPort();
        Processes.Result r = Processes.command("curl", "-sS", "--negotiate", "-u", ":", "-D", "-",
                        "--resolve", HOST + ":" + port + ":127.0.0.1", "http://" + HOST + ":" + port + "/")
                .env(mit.clientEnv(ccache)).timeout(Duration.ofSeconds(20)).run();
        String out = r.stdout();
        assertTrue(out.contains("HTTP/1.1 200"), out);
        assertTrue(out.contains("x-remote-user: alice@MIT.TEST"), out);
        assertTrue(out.toLowerCase().contains("www-authenticate: negotiate "), "mutual-auth token sent: " + out);
    }

    @Test
    void python_gssapi_mutual_auth_completes_with_the_gateway_ap_rep() throws Exception {
        assumeTrue(mit != null, MitKdc.NOT_INSTALLED);
        Path ccache = dir.resolve("py.ccache");
        mit.kinit("alice@MIT.TEST", "alice-pw", ccache);
        Path script = Path.of("src/test/resources/python/negotiate_client.py").toAbsolutePath();
        try (io.kerbgate.testing.RunningProcess py = Processes.command("/usr/bin/python3", script.toString(),
                "--target", "HTTP@" + HOST).env(mit.clientEnv(ccache)).start()) {
            String token = py.readLine(Duration.ofSeconds(20));
            HttpResponse<String> r = get(mitGateway, Map.of("Authorization", "Negotiate " + token));
            assertEquals(200, r.statusCode(), r.body());
            py.writeLine(r.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals("complete", py.readLine(Duration.ofSeconds(20)));
        }
    }

    @Test
    void no_header_gets_a_challenge_and_never_reaches_the_backend() throws Exception {
        int before = backend.hits();
        HttpResponse<String> r = get(kerbyGateway, Map.of("X-Remote-User", "admin"));
        assertEquals(401, r.statusCode());
        assertEquals("Negotiate", r.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals(before, backend.hits());
        assertFalse(r.body().contains("Exception"));
    }

    @Test
    void replayed_token_is_refused() throws Exception {
        try (GssClient client = GssClient.withPassword(kerby.krb5Conf(), "alice@KERBY.TEST", "alice-pw")) {
            String header = client.negotiate("HTTP/" + HOST + "@KERBY.TEST", GssMech.SPNEGO, true).headerValue();
            assertEquals(200, get(kerbyGateway, Map.of("Authorization", header)).statusCode());
            assertEquals(401, get(kerbyGateway, Map.of("Authorization", header)).statusCode());
        }
    }

    @Test
    void config_file_run_path_loads_the_same_keytab() throws Exception {
        Path yaml = dir.resolve("kerbgate.yaml");
        Files.writeString(yaml, """
                listen: 127.0.0.1:0
                keytab: kerby.keytab
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  replay_cache_file: replay-run.cache
                """.formatted(backend.port()));
        try (Kerbgate gw = Kerbgate.start(ConfigLoader.load(yaml))) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.adminPort() + "/keys")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("HTTP/" + HOST + "@KERBY.TEST"), r.body());
        }
    }

    /** Raw HTTP/1.1 exchange on a fresh socket; returns the status line and headers as text. */
    private static String raw(Kerbgate gw, String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.frontPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            byte[] buf = new byte[8192];
            StringBuilder sb = new StringBuilder();
            java.io.InputStream in = s.getInputStream();
            int n;
            while (!sb.toString().contains("\r\n\r\n") && (n = in.read(buf)) > 0) {
                sb.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            return sb.toString();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "Negotiate ",
        "Negotiate",
        "Negotiate YIIC",
        "Negotiate YII*not base64*",
        "Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==",
        "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==",
        "Basic YWxpY2U6c2VjcmV0",
        "Negotiate oQcwBaADCgEC"})
    void hostile_authorization_headers_get_401_and_a_good_request_still_works(String authorization)
            throws Exception {
        int before = backend.hits();
        String response = raw(kerbyGateway, "GET / HTTP/1.1\r\nHost: " + HOST + "\r\nAuthorization: " + authorization
                + "\r\nX-Remote-User: admin@KERBY.TEST\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 401 "), response);
        assertTrue(response.toLowerCase().contains("www-authenticate: negotiate"), response);
        assertFalse(response.contains("Exception"), response);
        assertEquals(before, backend.hits(), "the backend is never called for a refused request");
        good_request_works();
    }

    @Test
    void duplicate_authorization_headers_get_400() throws Exception {
        try (GssClient client = GssClient.withPassword(kerby.krb5Conf(), "alice@KERBY.TEST", "alice-pw")) {
            String h = client.header("HTTP/" + HOST + "@KERBY.TEST");
            String response = raw(kerbyGateway, "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: " + h
                    + "\r\nAuthorization: " + h + "\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 400 "), response);
        }
        good_request_works();
    }

    @Test
    void one_megabyte_header_gets_431_and_a_good_request_still_works() throws Exception {
        String response = raw(kerbyGateway, "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Negotiate "
                + "A".repeat(1 << 20) + "\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 431 "), response.substring(0, Math.min(200, response.length())));
        good_request_works();
    }

    @Test
    void spoofed_identity_headers_in_any_case_and_count_are_replaced() throws Exception {
        try (GssClient client = GssClient.withPassword(kerby.krb5Conf(), "alice@KERBY.TEST", "alice-pw")) {
            String h = client.header("HTTP/" + HOST + "@KERBY.TEST");
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kerbyGateway.frontPort() + "/"))
                    .header("Authorization", h).header("x-remote-user", "root@KERBY.TEST")
                    .header("X-REMOTE-USER", "admin@KERBY.TEST").header("X-Remote-User", "eve@KERBY.TEST").build();
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(List.of("alice@KERBY.TEST"), EchoBackend.headerValues(r.body(), "x-remote-user"));
        }
    }

    @Test
    void session_cookie_is_issued_capped_by_the_ticket_and_replaces_negotiate_on_a_new_connection() throws Exception {
        Path key = SecretFile.writeString(dir.resolve("session.key"), "5a".repeat(32) + "\n");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path keytab = dir.resolve("kerby.keytab");
        GatewayConfig config = ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                sessions:
                  cookie: {key_file: session.key, max_age: 7d, secure: false}
                acceptor:
                  replay_cache_file: replay-cookie.cache
                """.formatted(keytab, backend.port()), dir);
        try (Kerbgate gw = Kerbgate.start(config);
             GssClient client = GssClient.withPassword(kerby.krb5Conf(), "alice@KERBY.TEST", "alice-pw")) {
            HttpResponse<String> first = get(gw, Map.of("Authorization", client.header("HTTP/" + HOST + "@KERBY.TEST")));
            assertEquals(200, first.statusCode(), first.body());
            String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.startsWith("kerbgate_session=") && setCookie.contains("; HttpOnly; SameSite=Lax;")
                    && !setCookie.contains("Secure"), setCookie);
            long maxAge = Long.parseLong(setCookie.replaceFirst(".*Max-Age=(\\d+).*", "$1"));
            assertTrue(maxAge > 0 && maxAge < Duration.ofDays(7).toSeconds(),
                    "capped by the service ticket's end time, not max_age: " + setCookie);

            String pair = setCookie.substring(0, setCookie.indexOf(';'));
            String head = raw(gw, "GET /hello HTTP/1.1\r\nHost: gw\r\nCookie: theme=dark; " + pair
                    + "\r\nConnection: close\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            HttpResponse<String> viaCookie = get(gw, Map.of("Cookie", pair + "; theme=dark"));
            assertEquals(200, viaCookie.statusCode(), viaCookie.body());
            assertEquals(List.of("alice@KERBY.TEST"), EchoBackend.headerValues(viaCookie.body(), "x-remote-user"));
            assertEquals(List.of("theme=dark"), EchoBackend.headerValues(viaCookie.body(), "cookie"),
                    "the session cookie is stripped, the others pass");

            String tampered = pair.substring(0, pair.length() - 2) + (pair.endsWith("AA") ? "BB" : "AA");
            assertEquals(401, get(gw, Map.of("Cookie", tampered)).statusCode());
        }
    }

    private static void good_request_works() throws Exception {
        try (GssClient client = GssClient.withPassword(kerby.krb5Conf(), "alice@KERBY.TEST", "alice-pw")) {
            HttpResponse<String> r = get(kerbyGateway,
                    Map.of("Authorization", client.header("HTTP/" + HOST + "@KERBY.TEST")));
            assertEquals(200, r.statusCode(), r.body());
        }
    }
}
