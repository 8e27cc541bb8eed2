package io.kerbgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process started by {@link Processes.Command#start()}. Its stdout and stderr are read by a thread each, so a chatty
 * process never blocks on a full pipe; stdout lines can also be taken one by one with a timeout. {@link #close()} kills
 * the process and its children.
 */
public final class RunningProcess implements AutoCloseable {

    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final List<String> command;
    private final Process process;
    private final OutputStream stdin;
    private final Pump stdout;
    private final Pump stderr;

    RunningProcess(List<String> command, Process process) {
        this.command = command;
        this.process = process;
        this.stdin = process.getOutputStream();
        String name = command.get(0);
        this.stdout = new Pump(process.getInputStream(), name + " stdout");
        this.stderr = new Pump(process.getErrorStream(), name + " stderr");
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until something accepts connections on loopback {@code port} while this process lives: false when it died
     * first or {@code limit} passed. (Had another process held the port, this one would have died of the bind.)
     */
    public boolean awaitListening(int port, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (process.isAlive() && System.nanoTime() - deadline < 0) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return process.isAlive();
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    /** The next line the process printed on stdout. @throws Processes.Failure if none comes in time or stdout ended */
    public String readLine(Duration timeout) {
        Optional<String> line;
        try {
            line = stdout.lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Processes.Failure("interrupted while reading from " + command.get(0), e);
        }
        if (line == null) {
            throw new Processes.Failure(describe("no line on stdout within " + timeout));
        }
        return line.orElseThrow(() -> new Processes.Failure(describe("stdout ended")));
    }

    public void writeLine(String line) {
        write(line + "\n");
    }

    public void write(String text) {
        try {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(describe("cannot write to stdin"), e);
        }
    }

    public void closeStdin() {
        try {
            stdin.close();
        } catch (IOException e) {
            throw new UncheckedIOException(describe("cannot close stdin"), e);
        }
    }

    /** Everything printed on stdout so far, lines taken by {@link #readLine} included. */
    public String stdout() {
        return stdout.text();
    }

    /** Everything printed on stderr so far. */
    public String stderr() {
        return stderr.text();
    }

    /**
     * Waits for the process to exit. @throws Processes.Failure when it is still running after {@code timeout}; it is
     * killed first
     */
    public Processes.Result await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new Processes.Failure(describe("killed after the timeout of " + timeout));
            }
            // The process has exited; the pumps finish once they have read the last bytes.
            stdout.thread.join(KILL_GRACE.toMillis());
            stderr.thread.join(KILL_GRACE.toMillis());
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new Processes.Failure(describe("interrupted"), e);
        }
        return new Processes.Result(command, process.exitValue(), stdout.text(), stderr.text());
    }

    /** Kills the process and its children: politely, then by force after a grace period. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String describe(String what) {
        return String.join(" ", command) + ": " + what
                + "\n--- stdout ---\n" + stdout.text() + "--- stderr ---\n" + stderr.text();
    }

    /** Copies one output stream into a buffer and, line by line, into a queue; an empty Optional marks the end. */
    private static final class Pump implements Runnable {
        private final InputStream in;
        private final StringBuilder text = new StringBuilder();
        private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();
        private final Thread thread;

        Pump(InputStream in, String name) {
            this.in = in;
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    synchronized (text) {
                        text.append(line).append('\n');
                    }
                    lines.add(Optional.of(line));
                }
            } catch (IOException e) {
                // The stream closes under us when the process is killed: what was read so far stays.
            } finally {
                lines.add(Optional.empty());
            }
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }
}
