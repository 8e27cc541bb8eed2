package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser through the gateway: headless Chromium with MIT's GSS-API library (it loads libgssapi_krb5 at run
 * time) and a ccache from {@code kinit}, allowed to do Negotiate for the array's name, loads the page and completes
 * the exchange; the backend's echo shows the identity the gateway forwarded. Skipped when Debian's chromium is not
 * installed ({@code .ci/install-test-deps} installs it).
 */
final class ChromiumNegotiateTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String HOST = "array.example.test";

    @TempDir
    Path dir;

    @Test
    void headlessChromium_completesNegotiate_andTheBackendSeesAlice() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (apt-get install chromium): skipping the"
                + " browser test");
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        try (MitKdc kdc = MitKdc.start("MIT.TEST");
                EchoBackend backend = EchoBackend.start("browser-backend")) {
            kdc.createPrincipal("alice@MIT.TEST", "alice-pw");
            Path keytab = dir.resolve("http.keytab");
            kdc.createServicePrincipalWithKeytab("HTTP/" + HOST + "@MIT.TEST", keytab, 18, 17);
            Path ccache = dir.resolve("alice.ccache");
            kdc.kinit("alice@MIT.TEST", "alice-pw", ccache);

            try (Kerbgate gateway = Kerbgate.start(ConfigLoader.parse("""
                    listen: 127.0.0.1:0
                    keytab: %s
                    backends: [http://127.0.0.1:%d]
                    admin:
                      listen: 127.0.0.1:0
                    acceptor:
                      replay_cache_file: replay.cache
                    """.formatted(keytab, backend.port()), dir))) {
                String url = "http://" + HOST + ":" + gateway.frontPort() + "/";
                // Chromium loads libgssapi_krb5 on the first Negotiate challenge and refuses that one challenge as an
                // unsupported scheme. So a start page opens a throwaway window on the array (that challenge loads the
                // library), then moves itself to the array after a second; --virtual-time-budget makes --dump-dom
                // wait for that navigation, and the DOM dumped is the start tab's. That dance depends on timing a
                // loaded machine can upset (an empty DOM, exit 0), so a fresh browser tries up to three times; every
                // assertion below holds for the attempt that got through.
                String start = "data:text/html,<script>window.open('" + url + "warmup')</script>"
                        + "<meta http-equiv=\"refresh\" content=\"1;url=" + url + "\">";
                Processes.Result r = null;
                for (int attempt = 1; attempt <= 3; attempt++) {
                    // Chromium 156 has no --disable-auth-negotiate-cname-lookup switch any more; without that setting
                    // it builds the SPN from the resolved canonical name, which the MAP rule below makes 127.0.0.1
                    // (and the KDC has no HTTP/127.0.0.1). The setting is a Local State pref, so a fresh profile
                    // carries it.
                    Path profile = Files.createDirectories(dir.resolve("profile-" + attempt));
                    Files.writeString(profile.resolve("Local State"),
                            "{\"auth\":{\"disable_negotiate_cname_lookup\":true}}");
                    r = chromium(profile, "--auth-server-allowlist=" + HOST, "--disable-popup-blocking",
                            "--virtual-time-budget=4000", "--dump-dom", start)
                            .env(kdc.clientEnv(ccache))
                            .exec();
                    if (r.stdout().contains("x-remote-user:")) {
                        break;
                    }
                }

                String dom = r.stdout();
                assertTrue(dom.contains("x-remote-user: alice@MIT.TEST"),
                        "exit " + r.exitCode() + "\n--- dom ---\n" + dom + "\n--- stderr ---\n" + r.stderr());
                assertTrue(dom.contains("backend: browser-backend"), dom);
                assertTrue(!dom.contains("authorization: Negotiate"), "the ticket must not reach the backend");
                assertTrue(backend.hits() >= 1, "the backend was called");
            }
        }
    }

    @Test
    void chromiumWithoutATicket_showsTheSignInPage() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (apt-get install chromium): skipping the"
                + " browser test");
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        try (MitKdc kdc = MitKdc.start("MIT.TEST");
                EchoBackend backend = EchoBackend.start("browser-backend")) {
            Path keytab = dir.resolve("http.keytab");
            kdc.createServicePrincipalWithKeytab("HTTP/" + HOST + "@MIT.TEST", keytab, 18, 17);
            try (Kerbgate gateway = Kerbgate.start(ConfigLoader.parse("""
                    listen: 127.0.0.1:0
                    keytab: %s
                    backends: [http://127.0.0.1:%d]
                    admin:
                      listen: 127.0.0.1:0
                    error_pages:
                      help_url: https://help.example.test/sign-in
                    """.formatted(keytab, backend.port()), dir))) {
                String url = "http://" + HOST + ":" + gateway.frontPort() + "/";
                // Not on the allowlist: Chromium answers no challenge and renders the 401's body, as a browser on a
                // machine outside the domain does.
                Processes.Result r = chromium(Files.createDirectories(dir.resolve("profile")), "--dump-dom", url)
                        .exec();

                String dom = r.stdout();
                assertTrue(dom.contains("<h1>Sign-in required</h1>"),
                        "exit " + r.exitCode() + "\n--- dom ---\n" + dom + "\n--- stderr ---\n" + r.stderr());
                assertTrue(dom.contains("href=\"https://help.example.test/sign-in\""), dom);
                assertEquals(0, backend.hits(), "the backend is never called for a refused request");
            }
        }
    }

    /** Headless Chromium on a profile of its own, the array's name resolved to loopback, plus {@code args}. */
    private static Processes.Command chromium(Path profile, String... args) {
        List<String> argv = new ArrayList<>(List.of(CHROMIUM.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--host-resolver-rules=MAP " + HOST + " 127.0.0.1"));
        argv.addAll(List.of(args));
        return Processes.command(argv).timeout(Duration.ofSeconds(90));
    }
}
