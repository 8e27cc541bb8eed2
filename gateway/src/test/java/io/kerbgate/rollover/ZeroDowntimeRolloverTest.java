package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.cli.KeysToolFactory;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.keys.KeysReport;
import io.kerbgate.testing.FreePorts;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.JdkKrb5;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof of the rollover: three gateway processes of one array on a real MIT KDC, under continuous load from
 * clients with fresh tickets and clients holding tickets from before each roll, while {@code kerbgate keys roll} runs
 * twice in a row (the real CLI, in its own JVM, as an operator or a timer runs it). Not one request may fail, and every
 * node must have accepted tickets of every kvno. Then {@code keys retire} takes the old kvnos out of the keytabs; the
 * nodes keep accepting them for their grace ({@code keys.grace: 20s} here), and once it has passed a ticket of the
 * old kvno is refused with {@code badkeyver}.
 */
final class ZeroDowntimeRolloverTest {

    private static final String REALM = "ARRAY.TEST";
    private static final String SPN = "HTTP/zdt.example.test@" + REALM;
    private static final String ALICE = "alice@" + REALM;
    private static final String ALICE_PASSWORD = "alice-pw";
    private static final Duration GATEWAY_GRACE = Duration.ofSeconds(20);
    private static final Duration LOAD_BETWEEN_STEPS = Duration.ofSeconds(3);
    private static final Duration FRESH_LOGIN_EVERY = Duration.ofMillis(400);
    private static final int FRESH_THREADS = 2;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern BADKEYVER =
            Pattern.compile("(?m)^kerbgate_auth_requests_total\\{[^}]*reason=\"badkeyver\"[^}]*\\} (\\S+)$");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void twoRollsUnderLoad_noRequestFails_everyNodeAcceptsEveryKvno_andAfterTheGraceTheOldKvnoIsRefused()
            throws Exception {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        long started = System.nanoTime();
        List<GatewayProcess> nodes = new ArrayList<>();
        Load load = new Load(nodes);
        try (MitKdc kdc = MitKdc.start(REALM); EchoBackend backend = EchoBackend.start("app")) {
            kdc.createPrincipal(ALICE, ALICE_PASSWORD);
            kdc.createPrincipal(ArrayFixture.CHECK_CLIENT, "rollcheck-pw");
            Path checkKeytab = dir.resolve("rollcheck.keytab");
            kdc.exportKeytab(ArrayFixture.CHECK_CLIENT, checkKeytab);
            Path logback = Files.writeString(dir.resolve("logback-node.xml"), LOGBACK);

            // keys init: the principal and kvno 1 in each node's own keytab, before any gateway runs.
            for (int n = 1; n <= 3; n++) {
                Files.createDirectories(dir.resolve("node" + n));
            }
            Path arrayFile = dir.resolve("array.yaml");
            Files.writeString(arrayFile, arrayFile(kdc, checkKeytab, null));
            ByteArrayOutputStream initOut = new ByteArrayOutputStream();
            int init = JdkKrb5.call(kdc.krb5Conf(), () -> KeysToolFactory.forArrayFile(arrayFile,
                    new PrintStream(initOut, true, StandardCharsets.UTF_8)).init(List.of()));
            assertEquals(0, init, initOut.toString(StandardCharsets.UTF_8));

            for (int n = 1; n <= 3; n++) {
                nodes.add(GatewayProcess.start(dir, "node" + n, backend.port(), logback));
            }
            for (GatewayProcess node : nodes) {
                node.awaitReady(Duration.ofSeconds(60));
            }
            // From now on the tool also verifies through each node's GET /keys that the gateway loaded the new kvno.
            Files.writeString(arrayFile, arrayFile(kdc, checkKeytab, nodes));

            JdkKrb5.use(kdc.krb5Conf());
            GssClient kvno1 = GssClient.withPassword(kdc.krb5Conf(), ALICE, ALICE_PASSWORD);
            load.pinned("kvno1-ticket", kvno1);
            for (int i = 0; i < FRESH_THREADS; i++) {
                load.fresh("fresh-" + i, kdc);
            }
            load.awaitRequests(30, Duration.ofSeconds(20));
            sleep(LOAD_BETWEEN_STEPS);

            CliRun roll1 = cli(arrayFile, "roll");
            assertEquals(0, roll1.exit(), roll1.output());
            assertEquals(2, kdc.kvno(SPN));
            GssClient kvno2 = GssClient.withPassword(kdc.krb5Conf(), ALICE, ALICE_PASSWORD);
            load.pinned("kvno2-ticket", kvno2);
            sleep(LOAD_BETWEEN_STEPS);

            CliRun roll2 = cli(arrayFile, "roll");
            assertEquals(0, roll2.exit(), roll2.output());
            assertEquals(3, kdc.kvno(SPN));
            sleep(LOAD_BETWEEN_STEPS);

            // Every node accepted tickets of all three kvnos, and holds them all (nothing retired yet).
            Map<String, Map<Integer, Long>> acceptedByNode = new TreeMap<>();
            for (GatewayProcess node : nodes) {
                Map<Integer, Long> accepted = new TreeMap<>();
                for (KeysReport.Version v : node.keys().versions(SPN)) {
                    accepted.put(v.kvno(), v.accepted().last5m());
                }
                acceptedByNode.put(node.name, accepted);
                for (int kvno = 1; kvno <= 3; kvno++) {
                    assertTrue(accepted.getOrDefault(kvno, 0L) > 0, node.name + " accepted no kvno " + kvno
                            + " ticket: " + accepted);
                }
            }

            // keys retire: kvnos 1 and 2 leave the keytabs; the nodes keep them for their grace of 20 s.
            CliRun retire = cli(arrayFile, "retire");
            assertEquals(0, retire.exit(), retire.output());
            for (GatewayProcess node : nodes) {
                awaitInGrace(node, 1, Duration.ofSeconds(10));
            }
            sleep(Duration.ofSeconds(2)); // old tickets still accepted, in grace
            load.stop();

            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            String summary = "requests " + load.ok.get() + " ok, " + load.failed.get() + " failed, by kvno accepted per "
                    + "node " + acceptedByNode + ", " + seconds + " s so far; first failures: " + load.failures;
            System.out.println("ZeroDowntimeRolloverTest: " + summary);
            assertEquals(0, load.failed.get(), summary);
            assertTrue(load.ok.get() > 100, summary);

            // After the grace, the kvno 1 ticket is refused: badkeyver, counted on every node.
            for (GatewayProcess node : nodes) {
                awaitRetired(node, 1, GATEWAY_GRACE.plusSeconds(15));
            }
            for (GatewayProcess node : nodes) {
                double before = node.badkeyver();
                HttpResponse<String> r = get(node, kvno1);
                assertEquals(401, r.statusCode(), node.name + " still accepts kvno 1 after the grace");
                assertEquals(before + 1, node.badkeyver(), node.name + " counts the refusal as badkeyver");
                assertTrue(node.log().contains("auth refused reason=badkeyver"), node.name + " logs it");
            }
            try (GssClient fresh = GssClient.withPassword(kdc.krb5Conf(), ALICE, ALICE_PASSWORD)) {
                assertEquals(200, get(nodes.get(0), fresh).statusCode(), "a kvno 3 ticket is still accepted");
            }
            kvno1.close();
            kvno2.close();
            System.out.println("ZeroDowntimeRolloverTest: done in "
                    + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s");
        } finally {
            load.stop();
            for (GatewayProcess node : nodes) {
                node.close();
            }
        }
    }

    private static String arrayFile(MitKdc kdc, Path checkKeytab, List<GatewayProcess> nodes) {
        StringBuilder out = new StringBuilder("principal: " + SPN + "\n"
                + "enctypes: [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96]\n"
                + "kdc: {type: mit, kadmin: local, krb5_config: " + kdc.krb5Conf() + ", kdc_profile: "
                + kdc.krb5Conf().resolveSibling("kdc.conf") + "}\n"
                + "grace: 1s\nverify_timeout: 20s\n"
                + "check: {client: " + ArrayFixture.CHECK_CLIENT + ", keytab: " + checkKeytab + ", krb5_conf: "
                + kdc.krb5Conf() + "}\n"
                + "nodes:\n");
        for (int n = 1; n <= 3; n++) {
            out.append("  - {name: node").append(n).append(", keytab: node").append(n).append("/http.keytab");
            if (nodes != null) {
                out.append(", admin: \"http://127.0.0.1:").append(nodes.get(n - 1).adminPort).append('"');
            }
            out.append("}\n");
        }
        return out.toString();
    }

    /** {@code kerbgate keys COMMAND --array FILE}, the real CLI in its own JVM. */
    private CliRun cli(Path arrayFile, String command) {
        long t = System.nanoTime();
        Processes.Result r = Processes.command(java(), "-XX:TieredStopAtLevel=1", "-Xmx128m",
                        "-cp", System.getProperty("java.class.path"), "io.kerbgate.cli.KerbgateCommand",
                        "keys", command, "--array", arrayFile.toString())
                .timeout(Duration.ofSeconds(90)).exec();
        System.out.println("ZeroDowntimeRolloverTest: keys " + command + " exited " + r.exitCode() + " after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t) + " ms");
        return new CliRun(r.exitCode(), r.stdout() + r.stderr());
    }

    private record CliRun(int exit, String output) {}

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static HttpResponse<String> get(GatewayProcess node, GssClient client) throws Exception {
        String header = client.headers(SPN, GssMech.SPNEGO, 1).get(0);
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.frontPort + "/zdt"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", header).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitInGrace(GatewayProcess node, int kvno, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<KeysReport.Version> v = node.keys().version(SPN, kvno);
            if (v.isPresent() && v.get().inGrace()) {
                assertTrue(v.get().secondsUntilRetire() <= GATEWAY_GRACE.toSeconds(), v.get().toString());
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                fail(node.name + ": kvno " + kvno + " did not enter grace within " + timeout + ": " + v);
            }
            sleep(Duration.ofMillis(100));
        }
    }

    private static void awaitRetired(GatewayProcess node, int kvno, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (node.keys().version(SPN, kvno).isPresent()) {
            if (System.nanoTime() - deadline > 0) {
                fail(node.name + ": kvno " + kvno + " still accepted " + timeout + " after the retire");
            }
            sleep(Duration.ofMillis(250));
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    /** The load: threads that authenticate round-robin against every node until stopped, counting every outcome. */
    private static final class Load {
        final List<GatewayProcess> nodes;
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicInteger next = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();
        volatile boolean running = true;

        Load(List<GatewayProcess> nodes) {
            this.nodes = nodes;
        }

        /** A client that keeps the service ticket it got first: its kvno is the one of before the rolls. */
        void pinned(String name, GssClient client) throws Exception {
            request(name, client); // the ticket is fetched now, before the next roll
            start(name, () -> {
                while (running) {
                    request(name, client);
                }
            });
        }

        /** Logs in anew every {@link #FRESH_LOGIN_EVERY}: a fresh service ticket under the KDC's current kvno. */
        void fresh(String name, MitKdc kdc) {
            start(name, () -> {
                while (running) {
                    try (GssClient client = GssClient.withPassword(kdc.krb5Conf(), ALICE, ALICE_PASSWORD)) {
                        long until = System.nanoTime() + FRESH_LOGIN_EVERY.toNanos();
                        while (running && System.nanoTime() - until < 0) {
                            request(name, client);
                        }
                    }
                }
            });
        }

        private void request(String name, GssClient client) {
            GatewayProcess node = nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size()));
            try {
                HttpResponse<String> r = get(node, client);
                if (r.statusCode() == 200 && EchoBackend.headerValues(r.body(), "x-remote-user").equals(List.of(ALICE))) {
                    ok.incrementAndGet();
                } else {
                    failure(name + " -> " + node.name + ": " + r.statusCode() + " " + r.body().strip());
                }
            } catch (Exception e) {
                failure(name + " -> " + node.name + ": " + e);
            }
        }

        private void failure(String what) {
            failed.incrementAndGet();
            if (failures.size() < 10) {
                failures.add(what);
            }
        }

        private void start(String name, ThrowingRunnable body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Exception e) {
                    failure(name + " stopped: " + e);
                }
            }, "load-" + name);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }

        void awaitRequests(long count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (ok.get() + failed.get() < count && System.nanoTime() - deadline < 0) {
                Thread.sleep(50);
            }
        }

        void stop() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.join(15_000);
            }
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** One gateway node in a JVM of its own: {@code kerbgate run --config nodeN.yaml}, logging to nodeN.log. */
    private static final class GatewayProcess implements AutoCloseable {
        final String name;
        final int frontPort;
        final int adminPort;
        final Path log;
        final Process process;

        private GatewayProcess(String name, int frontPort, int adminPort, Path log, Process process) {
            this.name = name;
            this.frontPort = frontPort;
            this.adminPort = adminPort;
            this.log = log;
            this.process = process;
        }

        static GatewayProcess start(Path dir, String name, int backendPort, Path logback) throws IOException {
            int front = FreePorts.tcp();
            int admin = FreePorts.tcp();
            Path config = Files.writeString(dir.resolve(name + ".yaml"), "listen: 127.0.0.1:" + front + "\n"
                    + "keytab: " + name + "/http.keytab\n"
                    + "principals: [" + SPN + "]\n"
                    + "backends: [http://127.0.0.1:" + backendPort + "]\n"
                    + "admin:\n  listen: 127.0.0.1:" + admin + "\n"
                    + "keys:\n  grace: " + GATEWAY_GRACE.toSeconds() + "s\n  poll_interval: 200ms\n"
                    + "acceptor:\n  replay_cache_file: " + dir.resolve(name + ".replay") + "\n");
            Path log = dir.resolve(name + ".log");
            Process process = new ProcessBuilder(java(), "-XX:TieredStopAtLevel=1", "-Xmx128m",
                    "-Dlogback.configurationFile=" + logback, "-cp", System.getProperty("java.class.path"),
                    "io.kerbgate.cli.KerbgateCommand", "run", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new GatewayProcess(name, front, admin, log, process);
        }

        void awaitReady(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                if (!process.isAlive()) {
                    fail(name + " exited with " + process.exitValue() + ":\n" + log());
                }
                try {
                    if (admin("/readyz").statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() - deadline > 0) {
                    fail(name + " not ready after " + timeout + ":\n" + log());
                }
                Thread.sleep(100);
            }
        }

        HttpResponse<String> admin(String path) throws IOException, InterruptedException {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }

        KeysReport keys() throws Exception {
            return KeysReport.fromJson(admin("/keys").body());
        }

        double badkeyver() throws Exception {
            Matcher m = BADKEYVER.matcher(admin("/metrics").body());
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        }

        String log() throws IOException {
            return Files.readString(log);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n</pattern></encoder>
              </appender>
              <logger name="io.kerbgate" level="INFO"/>
              <root level="WARN"><appender-ref ref="OUT"/></root>
            </configuration>
            """;
}
