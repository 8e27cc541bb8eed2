package io.kerbgate.rollover.kdc;

import io.kerbgate.config.Durations;
import io.kerbgate.rollover.KdcException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one MIT {@code kadmin.local} or {@code kadmin} query, written to the tool's standard input, so that a password
 * never appears in a process listing ({@code ps}, {@code /proc/<pid>/cmdline}) as {@code -q "cpw -pw ..."} would.
 *
 * <p>Two traps of kadmin read from a pipe: it echoes each query line after its prompt, password included, and it
 * exits 0 when the query failed. So every output is redacted of the secrets before anyone sees it, and callers judge
 * success by what the query printed.
 */
public final class Kadmin {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String REDACTED = "<redacted>";

    private final List<String> argv;
    private final Map<String, String> env;

    /** @param env set on top of the inherited environment, e.g. {@code KRB5_CONFIG} */
    Kadmin(List<String> argv, Map<String, String> env) {
        this.argv = List.copyOf(argv);
        this.env = Map.copyOf(env);
    }

    /** What one query printed, already redacted. */
    record Output(int exitCode, String stdout, String stderr) {
        String both() {
            return (stdout.strip() + "\n" + stderr.strip()).strip();
        }
    }

    /**
     * @param secrets strings removed from everything the tool printed (the password it was given)
     * @throws KdcException when kadmin cannot be started, times out, or exits non-zero (it could not initialise)
     */
    Output run(String query, List<String> secrets) throws KdcException {
        if (query.indexOf('\n') >= 0 || query.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a kadmin query is one line");
        }
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(false);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new KdcException("cannot start " + argv.get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> stdout = drain(process.getInputStream());
        CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            in.write((query + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // kadmin died before reading its query (e.g. no database); its exit code and stderr tell why.
        }
        try {
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new KdcException(argv.get(0) + " did not answer within " + Durations.format(TIMEOUT));
            }
            Output out = new Output(process.exitValue(), redact(stdout.join(), secrets), redact(stderr.join(), secrets));
            if (out.exitCode() != 0) {
                throw new KdcException(argv.get(0) + " exited with " + out.exitCode() + ": " + oneLine(out.both()));
            }
            return out;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new KdcException("interrupted while " + argv.get(0) + " ran", e);
        }
    }

    public static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\n\\s*", " | ");
    }

    /** {@code /usr/sbin/kadmin.local} where Debian and RHEL put it, otherwise the name, for a lookup on PATH. */
    static String binary(String name, String... candidates) {
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return name;
    }

    private static String redact(byte[] bytes, List<String> secrets) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                text = text.replace(secret, REDACTED);
            }
        }
        return text;
    }

    // A thread each, not the common pool: on a small machine that pool has one thread, and a drain waiting behind
    // the other would let a full pipe block kadmin.
    private static CompletableFuture<byte[]> drain(InputStream stream) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (stream) {
                stream.transferTo(out);
            } catch (IOException e) {
                // The process is gone; what was read so far is all there is.
            }
            result.complete(out.toByteArray());
        }, "kerbgate-kadmin-output");
        thread.setDaemon(true);
        thread.start();
        return result;
    }
}
