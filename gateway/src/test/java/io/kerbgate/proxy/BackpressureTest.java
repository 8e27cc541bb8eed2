package io.kerbgate.proxy;

import static io.kerbgate.proxy.FixedTokenAuthenticator.GOOD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backpressure both ways, in process: a client that stops reading makes the proxy stop reading the backend (whose
 * {@code write} blocks), a backend that stops reading makes the proxy stop reading the client (whose {@code write}
 * blocks); either way the proxy's direct memory stays put.
 */
final class BackpressureTest {

    private static final long MIB = 1024 * 1024;
    /** Socket buffers on both hops (Linux autotunes them to a few MiB each) plus the proxy's 64 KiB watermark. */
    private static final long IN_FLIGHT_BOUND = 48 * MIB;

    private BulkBackend backend;
    private ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        backend = new BulkBackend();
        proxy = ProxyHarness.builder().backend(backend.uri()).start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @Test
    void slowReadingClient_backendWritesBlock_proxyMemoryFlat() throws Exception {
        long size = 256 * MIB;
        long directBefore = directMemory();
        try (Socket socket = new Socket("127.0.0.1", proxy.port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET /produce?bytes=" + size + " HTTP/1.1\r\nHost: gw.test\r\n"
                    + "Authorization: " + GOOD + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            skipHead(in);
            in.readNBytes((int) MIB);

            // The client reads nothing for a while: the backend's writes must stall, well short of the body.
            Thread.sleep(1_500);
            long stalledAt = backend.written.get();
            long directStalled = directMemory();
            Thread.sleep(1_000);
            assertEquals(stalledAt, backend.written.get(), "the backend kept writing while the client did not read");
            assertTrue(stalledAt < IN_FLIGHT_BOUND, "backend wrote " + stalledAt / MIB + " MiB ahead");
            assertTrue(directStalled - directBefore < 16 * MIB,
                    "proxy direct memory grew by " + (directStalled - directBefore) / MIB + " MiB");

            // Then the client drains the rest; every byte arrives intact.
            CRC32 crc = new CRC32();
            crc.update(BulkBackend.PATTERN, 0, (int) MIB);
            byte[] buffer = new byte[256 * 1024];
            long got = MIB;
            while (got < size) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - got));
                crc.update(buffer, 0, n);
                got += n;
            }
            assertEquals(backend.producedCrc.get(), crc.getValue());
        }
    }

    @Test
    void slowReadingBackend_clientWritesBlock_proxyMemoryFlat() throws Exception {
        long size = 256 * MIB;
        long directBefore = directMemory();
        try (Socket socket = new Socket("127.0.0.1", proxy.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /sink?pauseAfter=" + MIB + "&pauseMs=2500 HTTP/1.1\r\nHost: gw.test\r\nAuthorization: "
                    + GOOD + "\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            AtomicLong sent = new AtomicLong();
            CRC32 crc = new CRC32();
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    BulkBackend.writePattern(out, size, crc, sent);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(1_200);
            long stalledAt = sent.get();
            long directStalled = directMemory();
            Thread.sleep(800);
            assertEquals(stalledAt, sent.get(), "the client could keep writing while the backend did not read");
            assertTrue(stalledAt < IN_FLIGHT_BOUND, "client wrote " + stalledAt / MIB + " MiB ahead");
            assertTrue(directStalled - directBefore < 16 * MIB,
                    "proxy direct memory grew by " + (directStalled - directBefore) / MIB + " MiB");

            upload.get(60, TimeUnit.SECONDS);
            RawHttp.Response response = readResponse(socket);
            assertEquals(200, response.status());
            assertEquals(String.valueOf(size), response.echo("bytes"));
            assertEquals(String.valueOf(crc.getValue()), response.echo("crc"));
        }
    }

    private static long directMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    private static void skipHead(InputStream in) throws Exception {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    /** A response with a Content-Length body, read off the socket's stream. */
    static RawHttp.Response readResponse(Socket socket) throws Exception {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("closed in the response head: " + head);
            }
            head.append((char) b);
        }
        int status = Integer.parseInt(head.substring(9, 12));
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                .matcher(head);
        byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
        return new RawHttp.Response(status, java.util.List.of(), body);
    }
}
