package io.kerbgate.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs external commands (kinit, kadmin.local, curl, python) for tests: extra environment, stdin, a timeout on
 * everything, stdout and stderr captured. {@link Command#run()} fails with both outputs in the message on a non-zero exit,
 * so a failing test shows what the tool said.
 *
 * <pre>{@code
 * Processes.command("/usr/bin/kinit", "alice").env(kdc.clientEnv(ccache)).stdin("secret\n").run();
 * }</pre>
 */
public final class Processes {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Processes() {
    }

    public static Command command(String... argv) {
        return new Command(List.of(argv));
    }

    public static Command command(List<String> argv) {
        return new Command(List.copyOf(argv));
    }

    /** How a finished command ended. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        String describe() {
            return String.join(" ", command) + " exited with " + exitCode
                    + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    /** A command that failed, timed out or could not start; the message carries everything it printed. */
    public static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A command line to run, built fluently; each {@code run()}, {@code exec()} or {@code start()} starts a new process. */
    public static final class Command {
        private final List<String> argv;
        private final Map<String, String> env = new LinkedHashMap<>();
        private String stdin;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Command(List<String> argv) {
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("empty command");
            }
            this.argv = argv;
        }

        /** Sets variables on top of the inherited environment. */
        public Command env(Map<String, String> vars) {
            env.putAll(vars);
            return this;
        }

        public Command env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Text written to the process's stdin, which is then closed. Without it stdin is closed at once. */
        public Command stdin(String text) {
            this.stdin = text;
            return this;
        }

        /** The longest the command may run; it is killed after that. Default 30 s. */
        public Command timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Runs to the end and returns the result. @throws Failure on a non-zero exit, a timeout or a failed start */
        public Result run() {
            Result result = exec();
            if (result.exitCode() != 0) {
                throw new Failure(result.describe());
            }
            return result;
        }

        /** Runs to the end and returns the result whatever the exit code. @throws Failure on a timeout or a failed start */
        public Result exec() {
            try (RunningProcess process = start()) {
                if (stdin != null) {
                    process.write(stdin);
                }
                process.closeStdin();
                return process.await(timeout);
            }
        }

        /** Starts the process and leaves it running: for servers and for a conversation over stdin and stdout. */
        public RunningProcess start() {
            ProcessBuilder builder = new ProcessBuilder(argv);
            builder.environment().putAll(env);
            try {
                return new RunningProcess(argv, builder.start());
            } catch (IOException e) {
                throw new Failure("cannot start " + String.join(" ", argv), e);
            }
        }
    }
}
