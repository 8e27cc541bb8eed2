package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.testing.FreePorts;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.KerbyKdc;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2 GiB up and 2 GiB down through the real gateway ({@code kerbgate run}) in a child JVM with {@code -Xmx256m} and
 * {@code -XX:MaxDirectMemorySize=64m}: a gateway that buffered a body would die of either. Each request carries a real
 * Kerberos token (Kerby KDC, the JDK's initiator, one token per request); bodies are checked with CRC32 end to end.
 * While a transfer runs, the child's {@code /metrics} is sampled for heap and Netty direct memory.
 */
@Tag("slow")
final class TwoGigabyteStreamingTest {

    private static final long SIZE = 2L * 1024 * 1024 * 1024;
    private static final long MIB = 1024 * 1024;
    private static final String SERVICE = "HTTP/array.example.test@STREAM.TEST";

    @TempDir
    static Path dir;

    private static KerbyKdc kdc;
    private static GssClient client;
    private static BulkBackend backend;
    private static Process gateway;
    private static Path gatewayLog;
    private static int port;
    private static int adminPort;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        kdc = KerbyKdc.start("STREAM.TEST");
        kdc.createPrincipal("alice@STREAM.TEST", "alice-pw");
        Path keytab = dir.resolve("http.keytab");
        kdc.createServicePrincipalWithKeytab(SERVICE, keytab, 18);
        client = GssClient.withPassword(kdc.krb5Conf(), "alice@STREAM.TEST", "alice-pw");
        backend = new BulkBackend();
        port = FreePorts.tcp();
        adminPort = FreePorts.tcp();
        Path yaml = dir.resolve("kerbgate.yaml");
        Files.writeString(yaml, """
                listen: 127.0.0.1:%d
                keytab: %s
                backends: [%s]
                admin:
                  listen: 127.0.0.1:%d
                acceptor:
                  replay_cache_file: %s
                """.formatted(port, keytab, backend.uri(), adminPort, dir.resolve("replay.cache")));
        Path logback = Path.of(TwoGigabyteStreamingTest.class.getResource("/logback.xml").toURI());
        gatewayLog = dir.resolve("gateway.log");
        gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:MaxDirectMemorySize=64m", "-Dlogback.configurationFile=" + logback,
                "-cp", System.getProperty("java.class.path"),
                "io.kerbgate.cli.KerbgateCommand", "run", "--config", yaml.toString())
                .redirectErrorStream(true)
                .redirectOutput(gatewayLog.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!ready()) {
            if (!gateway.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the gateway did not start: " + Files.readString(gatewayLog));
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.destroy();
            gateway.waitFor(40, TimeUnit.SECONDS);
            gateway.destroyForcibly();
        }
        if (client != null) {
            client.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (kdc != null) {
            kdc.close();
        }
    }

    @Test
    @Timeout(120)
    void upload2GiB_heapBounded() throws Exception {
        Sampler sampler = Sampler.start();
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /sink HTTP/1.1\r\nHost: array.example.test\r\nAuthorization: " + client.header(SERVICE)
                    + "\r\nContent-Length: " + SIZE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            CRC32 crc = new CRC32();
            BulkBackend.writePattern(out, SIZE, crc, null);
            RawHttp.Response response = BackpressureTest.readResponse(socket);
            assertEquals(200, response.status(), response.text());
            assertEquals(String.valueOf(SIZE), response.echo("bytes"));
            assertEquals(String.valueOf(crc.getValue()), response.echo("crc"));
        }
        report("upload", start, sampler.stop());
    }

    @Test
    @Timeout(120)
    void download2GiB_heapBounded() throws Exception {
        Sampler sampler = Sampler.start();
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(("GET /produce?bytes=" + SIZE + " HTTP/1.1\r\nHost: array.example.test\r\n"
                    + "Authorization: " + client.header(SERVICE) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(socket.getInputStream(), 256 * 1024);
            String head = head(in);
            assertTrue(head.startsWith("http/1.1 200"), head);
            assertTrue(head.contains("content-length: " + SIZE), head);
            CRC32 crc = new CRC32();
            byte[] buffer = new byte[256 * 1024];
            long got = 0;
            while (got < SIZE) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, SIZE - got));
                if (n < 0) {
                    throw new AssertionError("body ended at " + got);
                }
                crc.update(buffer, 0, n);
                got += n;
            }
            assertEquals(backend.producedCrc.get(), crc.getValue());
        }
        report("download", start, sampler.stop());
    }

    private static void report(String what, long start, long[] peaks) throws IOException {
        double seconds = (System.nanoTime() - start) / 1e9;
        long hwm = peakRss();
        System.out.printf("%s 2 GiB in %.1f s (%.0f MiB/s); gateway peak heap %d MiB, peak Netty direct %d KiB, "
                        + "VmHWM %d MiB%n", what, seconds, SIZE / MIB / seconds, peaks[0] / MIB, peaks[1] / 1024,
                hwm / MIB);
        assertTrue(gateway.isAlive(), "the gateway died: " + Files.readString(gatewayLog));
        assertTrue(peaks[0] < 256 * MIB, "heap " + peaks[0] / MIB + " MiB");
        assertTrue(peaks[1] < 64 * MIB, "direct " + peaks[1] / MIB + " MiB");
        assertTrue(!Files.readString(gatewayLog).contains("OutOfMemoryError"), "no OutOfMemoryError");
    }

    private static long peakRss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(gateway.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head: " + head);
            }
            head.append((char) Character.toLowerCase(b));
        }
        return head.toString();
    }

    private static boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode()
                    == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Samples the child's heap and Netty direct memory from its /metrics every 200 ms. */
    private static final class Sampler {
        private final AtomicLong heap = new AtomicLong();
        private final AtomicLong direct = new AtomicLong();
        private volatile boolean running = true;
        private final Thread thread = new Thread(this::run, "gateway-sampler");

        static Sampler start() {
            Sampler sampler = new Sampler();
            sampler.thread.setDaemon(true);
            sampler.thread.start();
            return sampler;
        }

        long[] stop() throws InterruptedException {
            running = false;
            thread.join();
            return new long[] {heap.get(), direct.get()};
        }

        private void run() {
            while (running) {
                try {
                    String metrics = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    heap.accumulateAndGet(sum(metrics, "jvm_memory_used_bytes{", "area=\"heap\""), Math::max);
                    direct.accumulateAndGet(sum(metrics, "netty_allocator_memory_used{", "memory_type=\"direct\""),
                            Math::max);
                    Thread.sleep(200);
                } catch (IOException e) {
                    // The next sample will do.
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static long sum(String metrics, String prefix, String tag) {
            double total = 0;
            for (String line : metrics.lines().toList()) {
                if (line.startsWith(prefix) && line.contains(tag)) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return (long) total;
        }
    }
}
