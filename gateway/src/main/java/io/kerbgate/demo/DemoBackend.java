package io.kerbgate.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny backend that answers with its name and the identity header it received, so the demo can show both. */
final class DemoBackend implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger hits = new AtomicInteger();

    private DemoBackend(HttpServer server) {
        this.server = server;
    }

    static DemoBackend start(String name, String identityHeader) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        DemoBackend backend = new DemoBackend(server);
        server.createContext("/", exchange -> {
            backend.hits.incrementAndGet();
            String user = String.join(",", exchange.getRequestHeaders().getOrDefault(identityHeader,
                    java.util.List.of("(none)")));
            String auth = exchange.getRequestHeaders().containsKey("Authorization") ? "present" : "absent";
            byte[] body = ("backend=" + name + " user=" + user + " authorization=" + auth + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return backend;
    }

    int port() {
        return server.getAddress().getPort();
    }

    int hits() {
        return hits.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
