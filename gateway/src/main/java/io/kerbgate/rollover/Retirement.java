package io.kerbgate.rollover;

import io.kerbgate.config.Durations;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Step 6, {@code keys retire}: once the grace period since the commit of the current kvno has passed, removes the
 * older kvnos from every node's keytab. The gateways already stopped accepting them then (their key ring drops a
 * kvno gone from the file after the same grace); this cleans the files. A node that lacks the current kvno keeps its
 * old keys: they may be all it has. The tool's {@link KeyArchive} loses each kvno whose own grace (the commit of the
 * next kvno plus the grace) has ended.
 */
final class Retirement {

    private final RolloverContext ctx;

    Retirement(RolloverContext ctx) {
        this.ctx = ctx;
    }

    int retire() {
        Progress out = ctx.progress();
        String principal = ctx.array().principal();
        try (RolloverLock lock = RolloverLock.acquire(ctx.array().besideFile("lock"), ctx.clock().instant())) {
            Optional<String> unfinished = KeyAge.unfinishedRun(ctx);
            if (unfinished.isPresent()) {
                out.note("kerbgate keys retire: " + unfinished.get());
                return KeysTool.EXIT_FAILED;
            }
            int current = ctx.kdc().currentKvno(principal);
            Optional<Instant> committed = KeyAge.committedAt(ctx, current);
            if (committed.isEmpty()) {
                out.note("kerbgate keys retire: cannot tell when kvno " + current + " was committed (no journal of "
                        + "that run, and " + ctx.kdc().describe() + " does not say); nothing removed");
                return KeysTool.EXIT_FAILED;
            }
            Instant due = committed.get().plus(ctx.array().grace());
            boolean early = ctx.clock().instant().isBefore(due);
            out.note("retire " + principal + ": KDC kvno " + current + " committed " + committed.get() + "; grace "
                    + Durations.format(ctx.array().grace()) + (early ? " ends " + due : " has passed"));
            boolean ok = true;
            for (NodeTarget node : ctx.nodes()) {
                try {
                    HeldKeys held = node.held(principal);
                    List<Integer> older = List.copyOf(held.kvnos().headSet(current));
                    if (!held.enctypesByKvno().containsKey(current)) {
                        ok = false;
                        out.line(Step.RETIRE, node.name(), Progress.LAGGING, "lacks kvno " + current + " (holds "
                                + held.describe() + "); its older keys stay. Run kerbgate keys add-node " + node.name());
                    } else if (older.isEmpty()) {
                        out.line(Step.RETIRE, node.name(), Progress.OK, "nothing older than kvno " + current);
                    } else if (early) {
                        out.line(Step.RETIRE, node.name(), Progress.SKIPPED, "kvno " + join(older)
                                + " kept until " + due + " (grace)");
                    } else {
                        List<Integer> removed = node.retireBelow(principal, current);
                        for (String alias : ctx.kdc().aliases(principal)) {
                            node.retireBelow(alias, current);
                        }
                        out.line(Step.RETIRE, node.name(), Progress.OK, "removed kvno " + join(removed) + "; holds "
                                + node.held(principal).describe());
                    }
                } catch (NodeException e) {
                    ok = false;
                    out.line(Step.RETIRE, node.name(), Progress.FAILED, e.getMessage());
                }
            }
            // The tool's key archive keeps a kvno until its own grace (from the next kvno's commit) has ended.
            KeyArchive archive = new KeyArchive(ctx.array().besideFile("keys.keytab"));
            List<Integer> pruned = archive.prune(principal, ctx.clock().instant(), ctx.array().grace());
            if (!pruned.isEmpty()) {
                out.line(Step.RETIRE, "archive", Progress.OK, "removed kvno " + join(pruned) + " from "
                        + archive.file() + " (grace over)");
            }
            return ok ? KeysTool.EXIT_OK : KeysTool.EXIT_FAILED;
        } catch (RolloverLock.LockedException e) {
            out.note("kerbgate keys retire: " + e.getMessage());
            return KeysTool.EXIT_LOCKED;
        } catch (KdcException | IOException e) {
            out.note("kerbgate keys retire: " + e.getMessage());
            return KeysTool.EXIT_FAILED;
        }
    }

    private static String join(List<Integer> kvnos) {
        return String.join(",", kvnos.stream().map(String::valueOf).toList());
    }
}
