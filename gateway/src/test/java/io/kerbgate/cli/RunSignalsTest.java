package io.kerbgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.testing.FreePorts;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.RunningProcess;
import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kerbgate run} as systemd runs it: its own JVM, signals from {@code kill}, the exit code the service manager
 * sees. SIGHUP reloads (routes and logging live, a bad file refused with the key named, {@code listen} refused as
 * "needs a restart") instead of killing the JVM with 129; SIGTERM drains and exits 0, not 143; a config error found
 * at start is exit 2.
 */
final class RunSignalsTest {

    private static final String PRINCIPAL = "HTTP/gw.example.test@EXAMPLE.TEST";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private EchoBackend backend;
    private int front;
    private int admin;
    private Path config;

    @BeforeEach
    void files() throws IOException {
        SecretFile.write(dir.resolve("http.keytab"), KeytabFile.write(List.of(new KeytabEntry(PRINCIPAL, 1, 0, 3,
                Enctype.AES256_CTS_HMAC_SHA1_96.id(),
                KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96).bytes()))));
        backend = EchoBackend.start("b1");
        front = FreePorts.tcp();
        admin = FreePorts.tcp();
        config = dir.resolve("kerbgate.yaml");
    }

    @AfterEach
    void stopBackend() {
        backend.close();
    }

    private String yaml(String extra) {
        return "listen: 127.0.0.1:" + front + "\n"
                + "admin: {listen: 127.0.0.1:" + admin + "}\n"
                + "keytab: http.keytab\n"
                + "principals: [" + PRINCIPAL + "]\n"
                + "backends: [http://127.0.0.1:" + backend.port() + "]\n"
                + "acceptor: {replay_cache_file: replay.cache}\n"
                + extra;
    }

    /** The gateway's own logging (logback.xml: stderr), not the tests' logback-test.xml (stdout, DEBUG). */
    private static RunningProcess run(Path config) {
        String logback = RunSignalsTest.class.getResource("/logback.xml").toString();
        return Processes.command(java(), "-XX:TieredStopAtLevel=1", "-Xmx192m",
                "-Dlogback.configurationFile=" + logback, "-cp",
                System.getProperty("java.class.path"), "io.kerbgate.cli.KerbgateCommand", "run", "--config",
                config.toString()).timeout(WAIT).start();
    }

    @Test
    void sighup_reloadsRoutesAndLogging_refusesABadFile_andSigterm_drainsAndExits0() throws Exception {
        Files.writeString(config, yaml(""));
        try (RunningProcess gateway = run(config)) {
            await(() -> status("http://127.0.0.1:" + admin + "/readyz") == 200, gateway, "ready");
            assertEquals(401, status("http://127.0.0.1:" + front + "/public/x"), "no route yet: Negotiate");

            // A route that makes /public anonymous, and JSON logs: both apply live.
            Files.writeString(config, yaml("""
                    routes: [{name: public, path: /public, anonymous: true}]
                    logging: {format: json}
                    """));
            hup(gateway);
            await(() -> status("http://127.0.0.1:" + front + "/public/x") == 200, gateway, "the route applied");
            assertEquals(1, backend.hits());
            await(() -> metric("kerbgate_config_reloads_total{result=\"applied\",}") == 1.0, gateway, "counted");
            await(() -> gateway.stderr().contains("\"level\":\"INFO\""), gateway, "JSON log lines");

            // A bad file: the running config stays, one line names the key.
            Files.writeString(config, yaml("clock_skew: 5 minutes\nroutes: []\n"));
            hup(gateway);
            await(() -> metric("kerbgate_config_reloads_total{result=\"rejected\",}") == 1.0, gateway, "rejected");
            assertTrue(gateway.stderr().contains("config not reloaded, the running config stays: config error at"
                    + " 'clock_skew'"), gateway.stderr());
            assertEquals(200, status("http://127.0.0.1:" + front + "/public/x"), "the route survived the bad file");

            // listen needs a re-bind: refused with a WARN; the routes of the same file still apply.
            int otherPort = FreePorts.tcp();
            Files.writeString(config, yaml("routes: []\n").replace("listen: 127.0.0.1:" + front,
                    "listen: 127.0.0.1:" + otherPort));
            hup(gateway);
            await(() -> metric("kerbgate_config_reloads_total{result=\"needs_restart\",}") == 1.0, gateway,
                    "needs a restart");
            assertTrue(gateway.stderr().contains("listen changed, which needs a restart"), gateway.stderr());
            assertEquals(401, status("http://127.0.0.1:" + front + "/public/x"), "routes: [] applied");
            assertTrue(gateway.isAlive(), "SIGHUP killed the gateway");

            Processes.command("kill", "-TERM", Long.toString(gateway.pid())).run();
            Processes.Result exit = gateway.await(WAIT);
            assertEquals(0, exit.exitCode(), "SIGTERM: " + exit.stderr());
            assertTrue(exit.stderr().contains("proxy stopped"), exit.stderr());
        }
    }

    @Test
    void aPrincipalMissingFromTheKeytab_isExit2_forRunAsForCheckConfig() throws Exception {
        Files.writeString(config, yaml("").replace("principals: [" + PRINCIPAL + "]",
                "principals: [" + PRINCIPAL + ", HTTP/other.example.test@EXAMPLE.TEST]"));
        Processes.Result run;
        try (RunningProcess gateway = run(config)) {
            run = gateway.await(WAIT);
        }
        assertEquals(2, run.exitCode(), run.stderr());
        String line = "config error at 'principals': no key in " + dir.resolve("http.keytab")
                + " for HTTP/other.example.test@EXAMPLE.TEST (it holds " + PRINCIPAL + ")";
        assertTrue(run.stderr().startsWith(line), run.stderr());

        Processes.Result check = Processes.command(java(), "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "io.kerbgate.cli.KerbgateCommand", "check-config", "--config",
                config.toString()).timeout(WAIT).exec();
        assertEquals(2, check.exitCode(), check.stdout() + check.stderr());
        assertTrue(check.stderr().startsWith(line), check.stderr());
    }

    private static void hup(RunningProcess gateway) {
        Processes.command("kill", "-HUP", Long.toString(gateway.pid())).run();
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The value of one sample of /metrics, or NaN when it is not there. */
    private double metric(String sample) {
        try {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(l -> l.startsWith(sample + " ")).findFirst()
                    .map(l -> Double.parseDouble(l.substring(sample.length() + 1))).orElse(Double.NaN);
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void await(BooleanSupplier condition, RunningProcess gateway, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (!gateway.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " (alive: " + gateway.isAlive() + ")\n" + gateway.stderr());
            }
            Thread.sleep(100);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
