package io.kerbgate.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} (or {@code valkey-server}) on a free loopback port, in the foreground, with no
 * persistence and its working directory in a temp dir. Tests can kill it, freeze it and start it again on the same
 * port, which is what a client's reconnect logic meets in production.
 *
 * <pre>{@code
 * assumeTrue(RedisServer.isAvailable(), RedisServer.NOT_INSTALLED);
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {

    public static final String NOT_INSTALLED =
            "redis-server not installed: run .ci/install-test-deps (apt-get install redis-server)";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;
    private static final String READY = "Ready to accept connections";

    private final Path binary;
    private final List<String> extraArgs;
    private final WorkDir dir;
    private final int port;
    private final Thread killOnExit;
    private volatile RunningProcess process;

    private RedisServer(Path binary, List<String> extraArgs, WorkDir dir, int port, RunningProcess process) {
        this.binary = binary;
        this.extraArgs = extraArgs;
        this.dir = dir;
        this.port = port;
        this.process = process;
        // A test JVM that exits without close() must not leave a server behind.
        this.killOnExit = new Thread(() -> this.process.close(), "stop redis-server on " + port);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    public static boolean isAvailable() {
        return binary().isPresent();
    }

    // Debian 12 ships redis-server 7; Valkey's server speaks the same protocol and takes the same options.
    private static Optional<Path> binary() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Stream.of("redis-server", "valkey-server")
                .flatMap(name -> Stream.of(path.split(":")).map(d -> Path.of(d, name)))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts a server on a free loopback port.
     *
     * @param extraArgs more options, e.g. {@code "--requirepass", "secret"}
     */
    public static RedisServer start(String... extraArgs) {
        List<String> extra = List.of(extraArgs);
        Path binary = binary().orElseThrow(() -> new IllegalStateException(NOT_INSTALLED));
        WorkDir dir = WorkDir.create("kerbgate-redis-");
        try {
            for (int attempt = 1; ; attempt++) {
                int port = FreePorts.tcp();
                Optional<RunningProcess> started = launch(binary, extra, dir, port);
                if (started.isPresent()) {
                    return new RedisServer(binary, extra, dir, port, started.get());
                }
                if (attempt == START_ATTEMPTS) {
                    throw new IllegalStateException("redis-server did not start after " + START_ATTEMPTS + " ports");
                }
            }
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private static Optional<RunningProcess> launch(Path binary, List<String> extraArgs, WorkDir dir, int port) {
        List<String> argv = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.path().toString(),
                "--daemonize", "no"));
        argv.addAll(extraArgs);
        RunningProcess process = Processes.command(argv).start();
        try {
            while (!process.readLine(STARTUP_TIMEOUT).contains(READY)) {
                // Skip the banner and notices until the server says it listens.
            }
            return Optional.of(process);
        } catch (Processes.Failure e) {
            // stdout ended (the port was taken after all) or the server never became ready.
            process.close();
            return Optional.empty();
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>/0} */
    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port + "/0");
    }

    /** SIGKILL, as a crash or an OOM kill would: no goodbye on the connections. Waits for the exit. */
    public void kill() {
        ProcessHandle handle = ProcessHandle.of(process.pid()).orElse(null);
        if (handle != null) {
            handle.destroyForcibly();
            handle.onExit().join();
        }
    }

    /** SIGSTOP: the server keeps its connections open but answers nothing, like a host that hangs. */
    public void freeze() {
        signal("-STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() {
        signal("-CONT");
    }

    private void signal(String signal) {
        Processes.command("kill", signal, Long.toString(process.pid())).run();
    }

    /** Starts the server again on the same port, empty (no persistence), after {@link #kill()}. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("redis-server on " + port + " is still running");
        }
        for (int attempt = 1; ; attempt++) {
            Optional<RunningProcess> started = launch(binary, extraArgs, dir, port);
            if (started.isPresent()) {
                process = started.get();
                return;
            }
            if (attempt == START_ATTEMPTS) {
                throw new IllegalStateException("redis-server did not start again on port " + port);
            }
        }
    }

    @Override
    public void close() {
        thawQuietly();
        process.close();
        dir.close();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
    }

    // A frozen process ignores SIGTERM until continued; close() would then wait for the kill grace period.
    private void thawQuietly() {
        if (process.isAlive()) {
            Processes.command("kill", "-CONT", Long.toString(process.pid())).exec();
        }
    }
}
