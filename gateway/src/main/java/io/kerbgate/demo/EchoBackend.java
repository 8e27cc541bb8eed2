package io.kerbgate.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A real HTTP backend on a loopback port that answers with its name and every request header it received, one per
 * line ({@code name: value}, names lower-cased), so the demo, and a test, can see exactly what the gateway forwarded.
 */
public final class EchoBackend implements AutoCloseable {
    private final String name;
    private final HttpServer server;
    private final AtomicInteger hits = new AtomicInteger();

    private EchoBackend(String name, HttpServer server) {
        this.name = name;
        this.server = server;
    }

    public static EchoBackend start(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        EchoBackend backend = new EchoBackend(name, server);
        server.createContext("/", exchange -> {
            backend.hits.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            String headers = exchange.getRequestHeaders().entrySet().stream()
                    .flatMap(e -> e.getValue().stream().map(v -> e.getKey().toLowerCase() + ": " + v))
                    .sorted().collect(Collectors.joining("\n"));
            byte[] body = ("backend: " + name + "\n" + headers + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return backend;
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public int hits() {
        return hits.get();
    }

    /** The header values the backend reported in a response body, for one lower-case header name. */
    public static List<String> headerValues(String body, String lowerCaseName) {
        return body.lines().filter(l -> l.startsWith(lowerCaseName + ": "))
                .map(l -> l.substring(lowerCaseName.length() + 2)).toList();
    }

    public static Map<String, String> firstValues(String body) {
        return body.lines().filter(l -> l.contains(": ")).collect(Collectors.toMap(
                l -> l.substring(0, l.indexOf(": ")), l -> l.substring(l.indexOf(": ") + 2), (a, b) -> a));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
