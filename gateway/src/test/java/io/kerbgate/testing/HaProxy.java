package io.kerbgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's HAProxy as an L4 balancer on loopback: one TCP frontend on a free port, one backend server that it
 * opens each connection to with a PROXY protocol header ({@code send-proxy-v2} or {@code send-proxy}). Its config and
 * socket live in a temp dir that {@link #close()} removes.
 */
public final class HaProxy implements AutoCloseable {

    public static final String NOT_INSTALLED = "haproxy not installed (apt-get install haproxy)";
    private static final Path BINARY = Path.of("/usr/sbin/haproxy");

    private final WorkDir dir;
    private final RunningProcess process;
    private final int port;

    private HaProxy(WorkDir dir, RunningProcess process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    public static boolean isAvailable() {
        return Files.isExecutable(BINARY);
    }

    /**
     * @param server    host:port of the server behind it
     * @param sendProxy {@code send-proxy-v2} or {@code send-proxy} (v1)
     */
    public static HaProxy start(String server, String sendProxy) {
        WorkDir dir = WorkDir.create("kerbgate-haproxy-");
        int port = FreePorts.tcp();
        String config = """
                global
                  maxconn 256
                defaults
                  mode tcp
                  timeout connect 5s
                  timeout client 60s
                  timeout server 60s
                frontend front
                  bind 127.0.0.1:%d
                  default_backend gateways
                backend gateways
                  server gw1 %s %s
                """.formatted(port, server, sendProxy);
        try {
            Files.writeString(dir.resolve("haproxy.cfg"), config);
        } catch (IOException e) {
            dir.close();
            throw new UncheckedIOException(e);
        }
        RunningProcess process = Processes.command(BINARY.toString(), "-db", "-f", dir.resolve("haproxy.cfg")
                .toString()).start();
        HaProxy proxy = new HaProxy(dir, process, port);
        proxy.awaitListening(Duration.ofSeconds(10));
        return proxy;
    }

    public int port() {
        return port;
    }

    private void awaitListening(Duration limit) {
        if (!process.awaitListening(port, limit)) {
            String stderr = process.stderr();
            close();
            throw new IllegalStateException("haproxy did not listen on " + port + ": " + stderr);
        }
    }

    @Override
    public void close() {
        process.close();
        dir.close();
    }
}
