package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.acceptor.AcceptorPolicy;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.diagnostics.AcceptorKeys;
import io.kerbgate.diagnostics.TokenInspector;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.RunningProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11 item 8 with a real client: python-gssapi on MIT krb5 whose clock runs 240 s fast (libfaketime, and
 * {@code kdc_timesync = 0} so the library does not correct its authenticators to the KDC's time). A node that
 * accepted such a token must not accept it again after a restart, whether it kept its replay cache on disk or not,
 * and with the replay file a restart refuses no fresh token.
 */
final class FastClientRestartTest {
    private static final String HOST = "array.example.test";
    private static final String FAKETIME = "/usr/bin/faketime";

    @TempDir
    static Path dir;

    private static MitKdc mit;
    private static EchoBackend backend;
    private static Path keytab;
    private static Path ccache;
    private static Path fastClientConf;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        if (!MitKdc.isAvailable() || !Files.isExecutable(Path.of(FAKETIME))) {
            return;
        }
        backend = EchoBackend.start("node-1");
        mit = MitKdc.start("FAST.TEST");
        mit.createPrincipal("alice@FAST.TEST", "alice-pw");
        keytab = dir.resolve("http.keytab");
        mit.createServicePrincipalWithKeytab("HTTP/" + HOST + "@FAST.TEST", keytab, 18);
        ccache = dir.resolve("alice.ccache");
        mit.kinit("alice@FAST.TEST", "alice-pw", ccache);
        fastClientConf = Files.writeString(dir.resolve("fast-krb5.conf"), Files.readString(mit.krb5Conf())
                .replace("[libdefaults]", "[libdefaults]\n  kdc_timesync = 0"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {mit, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void a_token_from_a_fast_client_is_not_accepted_again_after_a_restart_with_the_replay_file() throws Exception {
        assumeTrue(mit != null, MitKdc.NOT_INSTALLED + " (or faketime)");
        Path replay = dir.resolve("kept.replay");
        String token = fastClientToken();
        try (Kerbgate before = gateway(replay)) {
            assertEquals(200, status(before, token), "the first run accepts the 240 s fast token");
        }
        try (Kerbgate after = gateway(replay)) {
            assertEquals(401, status(after, token), "the restarted node remembers it");
            // No outage: a fresh token of the same fast client, right after the restart, passes.
            assertEquals(200, status(after, fastClientToken()));
        }
    }

    @Test
    void without_the_replay_file_the_restarted_node_refuses_what_its_previous_run_may_have_accepted()
            throws Exception {
        assumeTrue(mit != null, MitKdc.NOT_INSTALLED + " (or faketime)");
        String token = fastClientToken();
        // The first run keeps a file only so that it has no restart guard of its own; the second has none.
        try (Kerbgate before = gateway(dir.resolve("first-run-only.replay"))) {
            assertEquals(200, status(before, token));
        }
        try (Kerbgate after = gateway(null)) {
            assertEquals(401, status(after, token), "stamped 240 s ahead: within start + skew, refused");
        }
    }

    /** One Negotiate token of python-gssapi on MIT krb5, its clock 240 s ahead. */
    private static String fastClientToken() throws Exception {
        Path script = Path.of("src/test/resources/python/negotiate_client.py").toAbsolutePath();
        try (RunningProcess py = Processes.command(FAKETIME, "-f", "+240s", "/usr/bin/python3", script.toString(),
                "--target", "HTTP@" + HOST).env(Map.of("KRB5_CONFIG", fastClientConf.toString(),
                "KRB5CCNAME", "FILE:" + ccache.toAbsolutePath())).start()) {
            String token = py.readLine(Duration.ofSeconds(20));
            assertNotEquals(null, token);
            // The authenticator really is stamped ahead: what the test is about, not just what it assumes.
            TokenInspector.Settings withKeys = new TokenInspector.Settings(AcceptorKeys.keySet(
                    AcceptorKeys.read(keytab), List.of(), Clock.systemUTC()), AcceptorPolicy.defaults(Instant.EPOCH),
                    null, Clock.systemUTC());
            double ahead = TokenInspector.inspect(token, withKeys).findValue("skew_seconds").asDouble();
            assertTrue(ahead > 200 && ahead < 280, "the client's authenticator is " + ahead + " s ahead");
            return token;
        }
    }

    private static Kerbgate gateway(Path replayFile) throws Exception {
        return Kerbgate.start(ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                %s""".formatted(keytab, backend.port(),
                replayFile == null ? "" : "acceptor:\n  replay_cache_file: " + replayFile + "\n"), dir));
    }

    private static int status(Kerbgate gateway, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.frontPort()
                + "/")).header("Authorization", "Negotiate " + token).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }
}
