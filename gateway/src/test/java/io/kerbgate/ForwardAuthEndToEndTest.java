package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.testing.FrontProxy;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.RunningProcess;
import io.kerbgate.testing.SecretFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kerbgate in forward-auth mode beside Debian's nginx ({@code auth_request}) and Caddy ({@code forward_auth}), each
 * configured as the README's recipe says, in front of a real backend; clients are MIT's kinit + curl --negotiate and
 * python-gssapi against a real MIT KDC. The backend must get the identity the proxy copied from kerbgate's answer and
 * nothing a client wrote, the client must get kerbgate's challenge and mutual-authentication token, and the routes
 * must be decided on the request the proxy forwards.
 */
final class ForwardAuthEndToEndTest {

    private static final String HOST = "app.example.test";

    @TempDir
    static Path dir;

    private static MitKdc kdc;
    private static EchoBackend backend;
    private static Kerbgate gateway;
    private static FrontProxy nginx;
    private static FrontProxy caddy;
    private static Path ccache;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        assumeTrue(FrontProxy.nginxAvailable(), FrontProxy.NGINX_NOT_INSTALLED);
        assumeTrue(FrontProxy.caddyAvailable(), FrontProxy.CADDY_NOT_INSTALLED);
        backend = EchoBackend.start("app");
        kdc = MitKdc.start("MIT.TEST");
        kdc.createPrincipal("alice@MIT.TEST", "alice-pw");
        Path keytab = dir.resolve("http.keytab");
        kdc.createServicePrincipalWithKeytab("HTTP/" + HOST + "@MIT.TEST", keytab, 18);
        SecretFile.write(dir.resolve("session.key"),
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n".getBytes(StandardCharsets.US_ASCII));
        ccache = dir.resolve("alice.ccache");
        kdc.kinit("alice@MIT.TEST", "alice-pw", ccache);
        gateway = Kerbgate.start(ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  replay_cache_file: replay.cache
                routes:
                  - {name: public, path: /public, anonymous: true}
                  - {name: admin, path: /admin, allow: {principals: [bob@MIT.TEST]}}
                sessions:
                  cookie: {name: kerbgate_session, key_file: session.key, max_age: 1h, secure: false}
                forward_auth:
                  trusted_from: [127.0.0.1/32]
                """.formatted(keytab), dir));
        nginx = FrontProxy.nginx(port -> nginxRecipe(port, gateway.frontPort(), backend.port()));
        caddy = FrontProxy.caddy(port -> caddyRecipe(port, gateway.frontPort(), backend.port()));
    }

    /** The README's nginx recipe, on loopback ports. */
    static String nginxRecipe(int port, int kerbgatePort, int backendPort) {
        return """
                  upstream kerbgate {
                    server 127.0.0.1:%2$d;
                    keepalive 16;
                  }
                  server {
                    listen 127.0.0.1:%1$d;
                    location / {
                      auth_request /_kerbgate;
                      auth_request_set $kerbgate_user $upstream_http_x_remote_user;
                      auth_request_set $kerbgate_mutual $upstream_http_www_authenticate;
                      auth_request_set $kerbgate_cookie $upstream_http_set_cookie;
                      proxy_set_header X-Remote-User $kerbgate_user;
                      proxy_set_header Authorization "";
                      add_header WWW-Authenticate $kerbgate_mutual;
                      add_header Set-Cookie $kerbgate_cookie;
                      proxy_pass http://127.0.0.1:%3$d;
                    }
                    location = /_kerbgate {
                      internal;
                      proxy_pass http://kerbgate/auth;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_pass_request_body off;
                      proxy_set_header Content-Length "";
                      proxy_set_header X-Forwarded-Method $request_method;
                      proxy_set_header X-Forwarded-Uri $request_uri;
                      proxy_set_header X-Forwarded-Host $host;
                      proxy_set_header X-Forwarded-Proto $scheme;
                    }
                  }
                """.formatted(port, kerbgatePort, backendPort);
    }

    /** The README's Caddy recipe, on loopback ports. */
    static String caddyRecipe(int port, int kerbgatePort, int backendPort) {
        return """
                http://:%1$d {
                	bind 127.0.0.1
                	route {
                		request_header -X-Remote-User
                		request_header -X_Remote_User
                		forward_auth 127.0.0.1:%2$d {
                			uri /auth
                			copy_headers X-Remote-User
                		}
                		vars kerbgate_mutual {http.reverse_proxy.header.Www-Authenticate}
                		@mutual not vars {vars.kerbgate_mutual} ""
                		header @mutual WWW-Authenticate {vars.kerbgate_mutual}
                		vars kerbgate_cookie {http.reverse_proxy.header.Set-Cookie}
                		@cookie not vars {vars.kerbgate_cookie} ""
                		header @cookie Set-Cookie {vars.kerbgate_cookie}
                		request_header -Authorization
                		reverse_proxy 127.0.0.1:%3$d
                	}
                }
                """.formatted(port, kerbgatePort, backendPort);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {nginx, caddy, gateway, kdc, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static FrontProxy proxy(String name) {
        return name.equals("nginx") ? nginx : caddy;
    }

    /** curl to {@code path} on the proxy, by the name the SPN has; {@code -D -} puts every response head first. */
    private static Processes.Result curl(FrontProxy proxy, String path, String... extra) {
        List<String> argv = new ArrayList<>(List.of("curl", "-sS", "-D", "-", "--max-time", "15",
                "--resolve", HOST + ":" + proxy.port() + ":127.0.0.1"));
        argv.addAll(List.of(extra));
        argv.add("http://" + HOST + ":" + proxy.port() + path);
        return Processes.command(argv).env(kdc.clientEnv(ccache)).timeout(Duration.ofSeconds(30)).exec();
    }

    private static List<Integer> statuses(String out) {
        List<Integer> statuses = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^HTTP/1\\.1 (\\d{3})").matcher(out);
        while (m.find()) {
            statuses.add(Integer.parseInt(m.group(1)));
        }
        return statuses;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nginx", "caddy"})
    void curlNegotiate_challengePassedThrough_backendGetsTheCopiedIdentity_clientGetsTheMutualToken(String name) {
        FrontProxy proxy = proxy(name);
        String challenge = curl(proxy, "/app/hello").stdout();
        assertEquals(List.of(401), statuses(challenge), challenge + proxy.log());
        assertTrue(Pattern.compile("(?m)^www-authenticate: negotiate\r?$").matcher(challenge.toLowerCase(Locale.ROOT))
                        .find(),
                "kerbgate's challenge reached the client: " + challenge);

        // curl answers a Negotiate-only request with a token at once, as browsers do once they know the server.
        Processes.Result r = curl(proxy, "/app/hello", "--negotiate", "-u", ":",
                "-H", "X-Remote-User: admin@MIT.TEST", "-H", "X_Remote_User: admin@MIT.TEST");
        String out = r.stdout();
        assertEquals(200, statuses(out).get(statuses(out).size() - 1), out + proxy.log());
        String lower = out.toLowerCase(Locale.ROOT);
        assertTrue(Pattern.compile("(?m)^www-authenticate: negotiate [a-z0-9+/=]{20,}\r?$").matcher(lower).find(),
                "kerbgate's mutual-authentication token reached curl: " + out);
        assertEquals(List.of("alice@MIT.TEST"), EchoBackend.headerValues(out, "x-remote-user"), out);
        assertEquals(List.of(), EchoBackend.headerValues(out, "x_remote_user"), out);
        assertEquals(List.of(), EchoBackend.headerValues(out, "authorization"), "the ticket stays off the backend");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nginx", "caddy"})
    void sessionCookie_issuedAfterNegotiate_throughTheProxy_thenEnoughOnItsOwn(String name) {
        Path jar = dir.resolve(name + ".cookies");
        Processes.Result first = curl(proxy(name), "/app/one", "--negotiate", "-u", ":", "-c", jar.toString());
        assertTrue(first.stdout().toLowerCase(Locale.ROOT).contains("set-cookie: kerbgate_session="), first.stdout());

        Processes.Result second = curl(proxy(name), "/app/two", "-b", jar.toString());
        assertEquals(List.of(200), statuses(second.stdout()), second.stdout());
        assertEquals(List.of("alice@MIT.TEST"), EchoBackend.headerValues(second.stdout(), "x-remote-user"));
        assertTrue(second.stdout().toLowerCase(Locale.ROOT).lines().noneMatch(l -> l.startsWith("set-cookie:")),
                "a cookie does not renew itself: " + second.stdout());

        Processes.Result forged = curl(proxy(name), "/app/three", "-b", "kerbgate_session=AAAA" + "A".repeat(60));
        assertEquals(List.of(401), statuses(forged.stdout()), forged.stdout());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nginx", "caddy"})
    void postWithABody_theAskingRequestCarriesNone_theBackendGetsTheRequest(String name) {
        Processes.Result r = curl(proxy(name), "/app/form", "--negotiate", "-u", ":", "--data-binary", "a=1&b=2");
        String out = r.stdout();

        assertEquals(200, statuses(out).get(statuses(out).size() - 1), out + proxy(name).log());
        assertEquals(List.of("alice@MIT.TEST"), EchoBackend.headerValues(out, "x-remote-user"), out);
        assertEquals(List.of("7"), EchoBackend.headerValues(out, "content-length"), out);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nginx", "caddy"})
    void pythonGssapi_mutualAuthCompletesThroughTheProxy_andTheReplayedTokenIsRefused(String name) throws Exception {
        FrontProxy proxy = proxy(name);
        Path script = Path.of("src/test/resources/python/negotiate_client.py").toAbsolutePath();
        try (RunningProcess py = Processes.command("/usr/bin/python3", script.toString(), "--target", "HTTP@" + HOST)
                .env(kdc.clientEnv(ccache)).start()) {
            String token = py.readLine(Duration.ofSeconds(20));
            Processes.Result first = curl(proxy, "/app/first", "-H", "Authorization: Negotiate " + token);
            assertEquals(List.of(200), statuses(first.stdout()), first.stdout());
            assertEquals(List.of("alice@MIT.TEST"), EchoBackend.headerValues(first.stdout(), "x-remote-user"));
            String mutual = first.stdout().lines().filter(l -> l.toLowerCase(Locale.ROOT)
                    .startsWith("www-authenticate: negotiate ")).findFirst().orElse("").substring(18).trim();
            py.writeLine(mutual);
            assertEquals("complete", py.readLine(Duration.ofSeconds(20)), "the AP-REP came through " + name);

            int hits = backend.hits();
            Processes.Result again = curl(proxy, "/app/again", "-H", "Authorization: Negotiate " + token);
            assertEquals(List.of(401), statuses(again.stdout()), again.stdout());
            assertEquals(hits, backend.hits(), "a replayed token reaches no backend");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nginx", "caddy"})
    void clientsOwnForwardedHeaders_cannotChooseTheRoute(String name) {
        FrontProxy proxy = proxy(name);
        int hits = backend.hits();
        Processes.Result r = curl(proxy, "/app/secret", "-H", "X-Forwarded-Uri: /public/x",
                "-H", "X-Forwarded-Method: GET", "-H", "X-Forwarded-Host: " + HOST, "-H", "X-Original-URI: /public/x",
                "-H", "X-Remote-User: admin@MIT.TEST");

        assertEquals(List.of(401), statuses(r.stdout()), r.stdout());
        assertEquals(hits, backend.hits(), "the backend never saw the request");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nginx", "caddy"})
    void anonymousRoute_decidedOnTheOriginalUri_theBackendGetsNoIdentity_notEvenTheClients(String name) {
        Processes.Result r = curl(proxy(name), "/public/logo.png", "-H", "X-Remote-User: admin@MIT.TEST",
                "-H", "X_Remote_User: admin@MIT.TEST");
        String out = r.stdout();

        assertEquals(List.of(200), statuses(out), out);
        List<String> user = EchoBackend.headerValues(out, "x-remote-user");
        assertTrue(user.isEmpty() || user.equals(List.of("")), "no identity on an anonymous route: " + out);
        assertEquals(List.of(), EchoBackend.headerValues(out, "x_remote_user"), out);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nginx", "caddy"})
    void routeThatRefusesThePrincipal_403_decidedOnTheOriginalUri(String name) {
        int hits = backend.hits();
        Processes.Result r = curl(proxy(name), "/admin/users", "--negotiate", "-u", ":");

        assertEquals(403, statuses(r.stdout()).get(statuses(r.stdout()).size() - 1), r.stdout());
        assertEquals(hits, backend.hits());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nginx", "caddy"})
    void targetsSpelledToLeaveTheAnonymousRoute_neverReachTheBackend(String name) {
        int hits = backend.hits();
        for (String path : List.of("/public/../admin/users", "/public/%2e%2e/admin/users", "/public/..%2fadmin")) {
            Processes.Result r = curl(proxy(name), path, "--path-as-is");
            List<Integer> statuses = statuses(r.stdout());
            assertTrue(!statuses.isEmpty() && statuses.get(statuses.size() - 1) >= 400, path + ": " + r.stdout());
        }
        assertEquals(hits, backend.hits());
    }

    @Test
    void askingStraightFromOutsideTrustedFrom_403_whateverTheHeadersSay() {
        Processes.Result r = Processes.command("curl", "-sS", "-D", "-", "--max-time", "10",
                "--interface", "127.0.0.2", "-H", "X-Forwarded-Uri: /public/x", "-H", "X-Forwarded-Method: GET",
                "-H", "X-Forwarded-Host: " + HOST,
                "http://127.0.0.1:" + gateway.frontPort() + "/auth").timeout(Duration.ofSeconds(20)).exec();

        assertEquals(List.of(403), statuses(r.stdout()), r.stdout() + r.stderr());
        assertNotEquals("", r.stdout());
    }

    @Test
    void forwardAuthNode_readyWithoutBackends() throws Exception {
        Processes.Result r = Processes.command("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                "http://127.0.0.1:" + gateway.adminPort() + "/readyz").timeout(Duration.ofSeconds(20)).exec();

        assertEquals("200", r.stdout().trim(), r.stderr());
    }
}
