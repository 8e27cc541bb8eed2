package io.kerbgate.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A blocking HTTP/1.1 backend for bulk transfers, on plain sockets and one thread per connection, so that a stalled
 * proxy shows as a blocked {@code write} here ({@link #written} stops growing). Paths:
 * <ul>
 *   <li>{@code POST /sink[?pauseAfter=B&pauseMs=M]}: reads the body (Content-Length or chunked), optionally pausing
 *       once after B bytes, answers {@code bytes=N\ncrc=C\n};
 *   <li>{@code GET /produce?bytes=N}: N bytes of {@link #pattern} with Content-Length; {@link #written} counts what
 *       {@code write} accepted, {@link #producedCrc} is the CRC32 of the whole body once sent.
 * </ul>
 */
final class BulkBackend implements AutoCloseable {

    /** 1 MiB of seeded noise, repeated: bodies are {@code PATTERN[i % PATTERN.length]}. */
    static final byte[] PATTERN = new byte[1024 * 1024];
    private static final int WRITE = 256 * 1024;

    static {
        new Random(7).nextBytes(PATTERN);
    }

    final AtomicLong written = new AtomicLong();
    final AtomicLong sunk = new AtomicLong();
    final AtomicLong producedCrc = new AtomicLong(-1);
    private final ServerSocket server;
    private final Thread acceptor;

    BulkBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "bulk-backend-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Writes {@code length} bytes of the pattern, from pattern offset 0, and updates {@code crc}. */
    static void writePattern(OutputStream out, long length, CRC32 crc, AtomicLong counter) throws IOException {
        long sent = 0;
        while (sent < length) {
            int offset = (int) (sent % PATTERN.length);
            int n = (int) Math.min(Math.min(WRITE, PATTERN.length - offset), length - sent);
            out.write(PATTERN, offset, n);
            crc.update(PATTERN, offset, n);
            sent += n;
            if (counter != null) {
                counter.addAndGet(n);
            }
        }
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> serve(socket), "bulk-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 256 * 1024);
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                Map<String, String> headers = new HashMap<>();
                String header;
                while (!(header = line(in)).isEmpty()) {
                    int colon = header.indexOf(':');
                    headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            header.substring(colon + 1).trim());
                }
                URI target = URI.create(requestLine.split(" ")[1]);
                Map<String, String> query = query(target.getRawQuery());
                if (target.getPath().equals("/produce")) {
                    long length = Long.parseLong(query.get("bytes"));
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    CRC32 crc = new CRC32();
                    writePattern(out, length, crc, written);
                    producedCrc.set(crc.getValue());
                } else {
                    long pauseAfter = Long.parseLong(query.getOrDefault("pauseAfter", "-1"));
                    long pauseMs = Long.parseLong(query.getOrDefault("pauseMs", "0"));
                    CRC32 crc = new CRC32();
                    long bytes = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))
                            ? chunked(in, crc)
                            : fixed(in, Long.parseLong(headers.getOrDefault("content-length", "0")), crc, pauseAfter,
                                    pauseMs);
                    byte[] body = ("bytes=" + bytes + "\ncrc=" + crc.getValue() + "\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // The test reads the outcome from the client side.
        }
    }

    private long fixed(InputStream in, long length, CRC32 crc, long pauseAfter, long pauseMs)
            throws IOException, InterruptedException {
        byte[] buffer = new byte[256 * 1024];
        long read = 0;
        boolean paused = false;
        while (read < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                throw new IOException("body ended at " + read);
            }
            crc.update(buffer, 0, n);
            read += n;
            sunk.addAndGet(n);
            if (!paused && pauseAfter >= 0 && read >= pauseAfter) {
                paused = true;
                Thread.sleep(pauseMs);
            }
        }
        return read;
    }

    /** A chunked body; pauses apply to Content-Length bodies only. */
    private long chunked(InputStream in, CRC32 crc) throws IOException, InterruptedException {
        long total = 0;
        while (true) {
            long size = Long.parseLong(line(in).split(";")[0].trim(), 16);
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return total;
            }
            total += fixed(in, size, crc, -1, 0);
            line(in);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                query.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return query;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = buffer.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            buffer.write(b);
        }
        return null;
    }
}
