package io.kerbgate.rollover;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The entry point of {@code kerbgate keys}: one method per subcommand, each returning the process exit code.
 *
 * <p>Exit codes: {@value #EXIT_OK} every step asked for succeeded; {@value #EXIT_FAILED} a step failed (the output
 * names the node or the KDC and why); {@value #EXIT_USAGE} the array file or an option is wrong;
 * {@value #EXIT_LOCKED} another run holds the array's lock (EX_TEMPFAIL: a timer may simply try again later).
 */
public final class KeysTool {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_LOCKED = 75;

    private final RolloverContext ctx;

    KeysTool(RolloverContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The tool for an array, with the KDC adapter and node targets the caller built from it (the command line's
     * wiring, {@code cli.KeysToolFactory}, or a test's) and the check client the array file configures.
     */
    public static KeysTool forArray(ArrayConfig array, KdcAdapter kdc, List<NodeTarget> nodes, Clock clock,
            PrintStream out) {
        TicketSource tickets = array.check() == null ? null : new KeytabTicketSource(array.check());
        return new KeysTool(RolloverContext.of(array, kdc, nodes, tickets, clock, out));
    }

    public int init(List<String> nodes) {
        return new Rollover(ctx).init(nodes);
    }

    public int roll() {
        return new Rollover(ctx).roll(null);
    }

    /** Rolls only when the current key is older than {@code age}: what the daily timer runs. */
    public int rollIfOlderThan(Duration age) {
        return new Rollover(ctx).roll(age);
    }

    /**
     * {@link #roll()} or, with {@code age}, {@link #rollIfOlderThan}, then the outcome and the journal's last success
     * into {@code metricsFile} for node_exporter ({@link RolloverMetricsFile}). A file that cannot be written is
     * reported and leaves the exit code as the roll made it: the roll matters more than its metrics.
     */
    public int rollWithMetrics(@Nullable Duration age, Path metricsFile) {
        Instant ranAt = ctx.clock().instant();
        int exit = age == null ? roll() : rollIfOlderThan(age);
        try {
            Optional<Journal.Success> last = Journal.load(ctx.array().besideFile("journal.json"))
                    .flatMap(Journal::lastSuccess);
            RolloverMetricsFile.write(metricsFile, ctx.array().principal(), last, age, ranAt, exit);
        } catch (IOException | RuntimeException e) {
            ctx.progress().note("kerbgate keys roll: metrics not written to " + metricsFile + ": " + e);
        }
        return exit;
    }

    public int retire() {
        return new Retirement(ctx).retire();
    }

    /** @param from the node to copy from; {@code null} picks the first node that holds the KDC's current kvno */
    public int addNode(String name, @Nullable String from) {
        return new NodeAdder(ctx).add(name, from);
    }

    public int status() {
        return new ArrayStatus(ctx).print();
    }

    /** Writes {@code kerbgate-rollover.service} and {@code .timer} into {@code dir} and prints the crontab line. */
    public int schedule(Duration every, Path dir, String executable) {
        return new SystemdSchedule(ctx.array(), ctx.progress()).write(every, dir, executable);
    }

    /** {@link #schedule(Duration, Path, String)} with the roll's {@code --metrics-file} at {@code metricsFile}. */
    public int schedule(Duration every, Path dir, String executable, String metricsFile) {
        return new SystemdSchedule(ctx.array(), ctx.progress()).write(every, dir, executable, metricsFile);
    }
}
