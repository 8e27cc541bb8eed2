package io.kerbgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real {@code redis-sentinel} on a free loopback port, in the foreground, with its config file (which Sentinel
 * rewrites as it learns the topology) in a temp dir. It monitors one master, {@value #MASTER}, with a quorum of 2 and
 * short timings, so that a test sees a failover within seconds:
 *
 * <pre>{@code
 * assumeTrue(RedisSentinel.isAvailable(), RedisSentinel.NOT_INSTALLED);
 * RedisSentinel s = RedisSentinel.start(masterPort, Duration.ofMillis(1000));
 * }</pre>
 */
public final class RedisSentinel implements AutoCloseable {

    public static final String NOT_INSTALLED =
            "redis-sentinel not installed: run .ci/install-test-deps (apt-get install redis-sentinel)";
    public static final String MASTER = "mymaster";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;
    // Sentinel logs this once it has read its config and watches the master.
    private static final String READY = "+monitor master " + MASTER;

    private final WorkDir dir;
    private final int port;
    private final RunningProcess process;
    private final Thread killOnExit;

    private RedisSentinel(WorkDir dir, int port, RunningProcess process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.killOnExit = new Thread(process::close, "stop redis-sentinel on " + port);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    public static boolean isAvailable() {
        return binary().isPresent();
    }

    private static Optional<Path> binary() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Stream.of("redis-sentinel", "valkey-sentinel")
                .flatMap(name -> Stream.of(path.split(":")).map(d -> Path.of(d, name)))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts a sentinel watching the master on {@code 127.0.0.1:masterPort}.
     *
     * @param downAfter how long the master may be silent before this sentinel thinks it down
     *                  ({@code down-after-milliseconds}); a failover follows once a quorum of 2 agrees
     */
    public static RedisSentinel start(int masterPort, Duration downAfter) {
        Path binary = binary().orElseThrow(() -> new IllegalStateException(NOT_INSTALLED));
        WorkDir dir = WorkDir.create("kerbgate-sentinel-");
        try {
            for (int attempt = 1; ; attempt++) {
                int port = FreePorts.tcp();
                Optional<RunningProcess> started = launch(binary, dir, port, masterPort, downAfter);
                if (started.isPresent()) {
                    return new RedisSentinel(dir, port, started.get());
                }
                if (attempt == START_ATTEMPTS) {
                    throw new IllegalStateException("redis-sentinel did not start after " + START_ATTEMPTS + " ports");
                }
            }
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private static Optional<RunningProcess> launch(Path binary, WorkDir dir, int port, int masterPort,
            Duration downAfter) {
        Path conf = dir.resolve("sentinel-" + port + ".conf");
        try {
            Files.write(conf, List.of(
                    "port " + port,
                    "bind 127.0.0.1",
                    "daemonize no",
                    "dir " + dir.path(),
                    "sentinel monitor " + MASTER + " 127.0.0.1 " + masterPort + " 2",
                    "sentinel down-after-milliseconds " + MASTER + " " + downAfter.toMillis(),
                    // Bounds an election that found no leader (then the next try comes after twice this).
                    "sentinel failover-timeout " + MASTER + " 3000",
                    "sentinel parallel-syncs " + MASTER + " 1"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + conf, e);
        }
        RunningProcess process = Processes.command(binary.toString(), conf.toString()).start();
        try {
            while (!process.readLine(STARTUP_TIMEOUT).contains(READY)) {
                // Skip the banner until the sentinel watches the master.
            }
            return Optional.of(process);
        } catch (Processes.Failure e) {
            process.close();
            return Optional.empty();
        }
    }

    public int port() {
        return port;
    }

    /** The sentinel's log so far (its stdout): the failover's steps, {@code +sdown}, {@code +switch-master}... */
    public String log() {
        return process.stdout();
    }

    @Override
    public void close() {
        process.close();
        dir.close();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
    }
}
