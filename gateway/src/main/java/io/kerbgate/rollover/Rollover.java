package io.kerbgate.rollover;

import io.kerbgate.keys.KeytabEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code keys roll} and {@code keys init}: generate, distribute, verify, commit, check, in that order (see the
 * package documentation), under the lock, with every state change in the journal first.
 *
 * <p>Resuming: a run finding an unfinished journal finishes that run instead of starting another. It takes the key
 * from the pending keytab, so every node ends up with the same key; distribute and verify are idempotent and run
 * again for every node; the commit is skipped when the journal says it started and the KDC already issues the target
 * kvno, and refused loudly when the KDC's kvno is anything this run did not expect. So the KDC is committed to once.
 */
final class Rollover {

    private final RolloverContext ctx;
    private final String principal;
    private final Path journalFile;
    private final PendingKeytab pending;
    private final KeyArchive archive;
    private final Progress out;

    Rollover(RolloverContext ctx) {
        this.ctx = ctx;
        this.principal = ctx.array().principal();
        this.journalFile = ctx.array().besideFile("journal.json");
        this.pending = new PendingKeytab(ctx.array().besideFile("pending.keytab"));
        this.archive = new KeyArchive(ctx.array().besideFile("keys.keytab"));
        this.out = ctx.progress();
    }

    /**
     * Rolls to the KDC's kvno + 1 on every node, or finishes an interrupted run.
     *
     * @param ifOlderThan roll only when the current key was committed longer ago than this (a daily timer's
     *                    "every 30 days"); {@code null} always rolls. An interrupted run is finished regardless.
     */
    int roll(@Nullable Duration ifOlderThan) {
        return locked("roll", List.of(), ifOlderThan);
    }

    /**
     * First key: creates the principal if the KDC lacks it, and puts its key on {@code only} (empty: every node).
     * Refused when a node already holds the KDC's current kvno: that array is set up; use roll or add-node.
     */
    int init(List<String> only) {
        return locked("init", only, null);
    }

    private int locked(String command, List<String> only, @Nullable Duration ifOlderThan) {
        try (RolloverLock lock = RolloverLock.acquire(ctx.array().besideFile("lock"), now())) {
            Optional<Journal> previous = Journal.load(journalFile);
            if (previous.isPresent() && !previous.get().finished()) {
                return resume(previous.get());
            }
            if (ifOlderThan != null && young(ifOlderThan)) {
                return KeysTool.EXIT_OK;
            }
            return fresh(command, only);
        } catch (RolloverLock.LockedException e) {
            out.note("kerbgate keys " + command + ": " + e.getMessage());
            return KeysTool.EXIT_LOCKED;
        } catch (KdcException e) {
            out.note("kerbgate keys " + command + ": " + e.getMessage());
            return KeysTool.EXIT_FAILED;
        } catch (IOException e) {
            out.note("kerbgate keys " + command + ": " + e);
            return KeysTool.EXIT_FAILED;
        }
    }

    private boolean young(Duration ifOlderThan) throws KdcException, IOException {
        if (!ctx.kdc().exists(principal)) {
            return false;
        }
        int current = ctx.kdc().currentKvno(principal);
        Optional<Instant> committed = KeyAge.committedAt(ctx, current);
        if (committed.isEmpty() || !now().isBefore(committed.get().plus(ifOlderThan))) {
            return false;
        }
        out.line("roll", "-", Progress.SKIPPED, "kvno " + current + " was committed " + committed.get()
                + "; the next roll is due after " + committed.get().plus(ifOlderThan));
        return true;
    }

    private int fresh(String command, List<String> only) throws KdcException, IOException {
        List<NodeTarget> nodes = only.isEmpty() ? ctx.nodes() : ctx.select(only);
        boolean exists = ctx.kdc().exists(principal);
        int from = exists ? ctx.kdc().currentKvno(principal) : 0;
        boolean create = !exists;
        if (command.equals("roll") && !exists) {
            out.note("kerbgate keys roll: " + principal + " does not exist in the KDC (" + ctx.kdc().describe()
                    + "); create it with kerbgate keys init");
            return KeysTool.EXIT_FAILED;
        }
        if (command.equals("init") && exists) {
            for (NodeTarget node : nodes) {
                if (heldQuietly(node).enctypesByKvno().containsKey(from)) {
                    out.note("kerbgate keys init: " + node.name() + " already holds " + principal + " kvno " + from
                            + ", the KDC's current key: the array is set up. Use kerbgate keys roll for a new key, "
                            + "or kerbgate keys add-node for a new node");
                    return KeysTool.EXIT_FAILED;
                }
            }
        }
        int target = create ? ctx.kdc().firstKvno() : from + 1;
        out.note(command + " " + principal + ": " + (create ? "new principal, kvno " + target
                : "kvno " + from + " -> " + target) + " on " + names(nodes) + " via " + ctx.kdc().describe());

        ctx.hooks().beforeStep(Step.GENERATE);
        NewKey key = new KeyGenerator(ctx.random()).generate(target, ctx.array().enctypes(),
                ctx.kdc().salt(principal));
        pending.write(principal, key, ctx.kdc().needsPassword(), now().getEpochSecond());
        Journal journal = Journal.start(runId(), command, principal, from, target, create, names(nodes), now());
        Journal.load(journalFile).ifPresent(journal::carryLastSuccess);
        journal.step(Step.GENERATE, Journal.DONE, key.toString(), now());
        save(journal);
        out.note("run " + journal.runId() + "; journal " + journalFile + "; pending key " + pending.file() + " (0600)");
        out.line(Step.GENERATE, "-", Progress.OK, key.toString());
        ctx.hooks().afterStep(Step.GENERATE);
        return proceed(journal, key, nodes);
    }

    private int resume(Journal journal) throws KdcException, IOException {
        if (!journal.principal().equals(principal)) {
            out.note("kerbgate keys: " + journalFile + " is an unfinished run for " + journal.principal()
                    + ", not " + principal + "; finish it with that array file");
            return KeysTool.EXIT_FAILED;
        }
        List<NodeTarget> nodes;
        try {
            nodes = ctx.select(journal.nodes());
        } catch (IllegalArgumentException e) {
            out.note("kerbgate keys: cannot resume run " + journal.runId() + ": " + e.getMessage());
            return KeysTool.EXIT_FAILED;
        }
        out.note("resuming run " + journal.runId() + " (" + journal.command() + " " + principal + " kvno "
                + journal.fromKvno() + " -> " + journal.targetKvno() + "), interrupted at "
                + journal.lastStep().map(Step::label).orElse("the start"));
        Optional<NewKey> key = pending.read(principal, journal.targetKvno());
        if (key.isEmpty() && journal.step(Step.CHECK).filter(Journal.DONE::equals).isPresent()) {
            return finish(journal);
        }
        if (key.isEmpty()) {
            out.note("kerbgate keys: the pending key " + pending.file() + " is gone, so run " + journal.runId()
                    + " cannot be finished with the key its nodes hold. " + (committed(journal)
                    ? "The KDC has it already: restore the file, or roll again after removing " + journalFile
                    : "Nothing was committed: remove " + journalFile + " and run again for a new key"));
            return KeysTool.EXIT_FAILED;
        }
        if (ctx.kdc().needsPassword() && !key.get().hasPassword() && !committed(journal)) {
            out.note("kerbgate keys: " + pending.file() + " lacks the password " + ctx.kdc().describe()
                    + " needs to commit kvno " + journal.targetKvno() + "; nothing was committed: remove "
                    + journalFile + " and run again");
            return KeysTool.EXIT_FAILED;
        }
        journal.running();
        save(journal);
        return proceed(journal, key.get(), nodes);
    }

    private int proceed(Journal journal, NewKey key, List<NodeTarget> nodes) throws KdcException, IOException {
        int target = journal.targetKvno();
        int kdcKvno = kdcKvno();
        boolean applied = journal.step(Step.COMMIT).isPresent() && kdcKvno == target;
        if (!applied && kdcKvno != journal.fromKvno()) {
            return fail(journal, Step.COMMIT, "kdc", "the KDC's kvno of " + principal + " is " + kdcKvno
                    + ", but this run rolls from " + journal.fromKvno() + " to " + target + ": another change "
                    + "happened meanwhile. Nothing was committed by this run; check the KDC, remove " + journalFile
                    + " and roll again");
        }
        List<KeytabEntry> entries = new ArrayList<>(key.entries(principal, now().getEpochSecond()));
        for (String alias : ctx.kdc().aliases(principal)) {
            entries.addAll(key.entries(alias, now().getEpochSecond()));
        }

        if (!eachNode(journal, Step.DISTRIBUTE, nodes, node -> {
            String before = heldQuietly(node).describe();
            node.install(entries);
            return "kvno " + target + " added beside " + before;
        })) {
            return stopBeforeCommit(journal, Step.DISTRIBUTE, applied);
        }
        if (!eachNode(journal, Step.VERIFY, nodes, node -> {
            node.verify(entries);
            return "holds kvno " + target + " for " + key.keys().size() + " enctypes";
        })) {
            return stopBeforeCommit(journal, Step.VERIFY, applied);
        }

        if (applied) {
            out.line(Step.COMMIT, "kdc", Progress.OK, "the KDC already issues kvno " + target
                    + " (committed before the interruption; not committed again)");
            if (journal.committedAt().isEmpty()) {
                journal.committed(now());
            }
            journal.step(Step.COMMIT, Journal.DONE, "found committed on resume", now());
            save(journal);
        } else {
            ctx.hooks().beforeStep(Step.COMMIT);
            // Recorded before the KDC is asked: if we die inside the commit, the rerun knows to look.
            journal.step(Step.COMMIT, Journal.STARTED, null, now());
            save(journal);
            try {
                if (journal.create()) {
                    ctx.kdc().create(principal, key);
                } else {
                    ctx.kdc().commit(principal, key);
                }
                ctx.hooks().afterNode(Step.COMMIT, "kdc");
            } catch (KdcException e) {
                journal.step(Step.COMMIT, Journal.FAILED, e.getMessage(), now());
                return fail(journal, Step.COMMIT, "kdc", e.getMessage() + ". Nothing is broken: the nodes hold kvno "
                        + journal.fromKvno() + " and " + target + ", and the KDC still issues " + journal.fromKvno()
                        + ". Run again to retry the commit with the same key");
            }
            int after = ctx.kdc().currentKvno(principal);
            if (after != target) {
                return fail(journal, Step.COMMIT, "kdc", "after the commit the KDC reports kvno " + after
                        + ", expected " + target + ". Another change raced this one; the nodes hold " + target
                        + ". Check the principal in the KDC before anything else");
            }
            journal.committed(now());
            journal.step(Step.COMMIT, Journal.DONE, null, now());
            save(journal);
            out.line(Step.COMMIT, "kdc", Progress.OK, "the KDC issues kvno " + target + " from now on");
        }
        // The committed key joins the archive add-node takes older kvnos from (the KDC keeps only its current one).
        // A run dying before this line leaves the commit done in the journal: the rerun writes it here then.
        archive.add(entries, journal.committedAt().orElse(now()));
        key.forgetPassword();
        ctx.hooks().afterStep(Step.COMMIT);

        if (!check(journal, nodes, target)) {
            journal.failed("check failed");
            save(journal);
            out.note("the KDC has kvno " + target + " committed. Fix the node(s) above and run again: the rerun "
                    + "distributes, verifies and checks, and does not commit again");
            return KeysTool.EXIT_FAILED;
        }
        return finish(journal);
    }

    private boolean check(Journal journal, List<NodeTarget> nodes, int target) throws IOException {
        TicketSource tickets = ctx.tickets();
        if (tickets == null) {
            journal.step(Step.CHECK, Journal.SKIPPED, "no check: section in the array file", now());
            save(journal);
            out.line(Step.CHECK, "-", Progress.SKIPPED, "no check: section in " + ctx.array().file().getFileName());
            return true;
        }
        NodeCheck checker = new NodeCheck(principal, ctx.array().grace(), ctx.clock(), ctx.http());
        return eachNode(journal, Step.CHECK, nodes, node -> {
            if (!NodeCheck.checkable(node)) {
                return "not checked: no keytab readable here and no front URL";
            }
            String header;
            try {
                header = tickets.negotiateHeader(principal);
            } catch (Exception e) {
                throw new NodeException(node.name(), "cannot get a fresh ticket for " + principal + " from the KDC: "
                        + e.getMessage(), e);
            }
            return checker.check(node, header, target);
        });
    }

    private int finish(Journal journal) throws IOException {
        pending.delete();
        journal.done(now());
        save(journal);
        ctx.hooks().afterStep(Step.CHECK);
        out.note("done: " + principal + " kvno " + journal.targetKvno() + " on every node and the KDC"
                + (journal.fromKvno() > 0 ? "; kvno " + journal.fromKvno() + " stays accepted; kerbgate keys retire "
                + "removes it from the keytabs after " + journal.committedAt().map(at -> at.plus(ctx.array().grace())
                .toString()).orElse("the grace period") : ""));
        return KeysTool.EXIT_OK;
    }

    private int stopBeforeCommit(Journal journal, Step step, boolean applied) throws IOException {
        List<String> failed = failedNodes(journal, step);
        journal.failed(step.label() + " failed on " + String.join(", ", failed));
        save(journal);
        out.note("stopped at " + step.label() + " (" + String.join(", ", failed) + "): " + (applied
                ? "the KDC already has kvno " + journal.targetKvno() + "; fix the node(s) and run again"
                : "nothing was committed, the KDC still issues kvno " + journal.fromKvno() + ". Fix the node(s) and "
                + "run again: the same key is kept in " + pending.file()));
        return KeysTool.EXIT_FAILED;
    }

    private int fail(Journal journal, Step step, String target, String reason) throws IOException {
        journal.failed(reason);
        save(journal);
        out.line(step, target, Progress.FAILED, reason);
        return KeysTool.EXIT_FAILED;
    }

    /** What one node does in a step; returns the detail of its output line. */
    @FunctionalInterface
    interface NodeAction {
        String run(NodeTarget node) throws NodeException;
    }

    /** Runs {@code action} on every node, recording each; false when any failed (the others still ran). */
    private boolean eachNode(Journal journal, Step step, List<NodeTarget> nodes, NodeAction action)
            throws IOException {
        ctx.hooks().beforeStep(step);
        journal.step(step, Journal.STARTED, null, now());
        save(journal);
        boolean ok = true;
        for (NodeTarget node : nodes) {
            try {
                String detail = action.run(node);
                journal.node(node.name(), step, Journal.DONE, null, now());
                out.line(step, node.name(), Progress.OK, detail);
            } catch (NodeException e) {
                ok = false;
                journal.node(node.name(), step, Journal.FAILED, e.getMessage(), now());
                out.line(step, node.name(), Progress.FAILED, e.getMessage());
            }
            save(journal);
            ctx.hooks().afterNode(step, node.name());
        }
        journal.step(step, ok ? Journal.DONE : Journal.FAILED, null, now());
        save(journal);
        if (ok) {
            ctx.hooks().afterStep(step);
        }
        return ok;
    }

    private List<String> failedNodes(Journal journal, Step step) {
        List<String> failed = new ArrayList<>();
        for (String node : journal.nodes()) {
            if (journal.nodeStep(node, step).filter(Journal.FAILED::equals).isPresent()) {
                failed.add(node);
            }
        }
        return failed;
    }

    private boolean committed(Journal journal) {
        return journal.step(Step.COMMIT).filter(Journal.DONE::equals).isPresent();
    }

    private int kdcKvno() throws KdcException {
        return ctx.kdc().exists(principal) ? ctx.kdc().currentKvno(principal) : 0;
    }

    /** What the node holds, or nothing when it cannot be read; only for messages and the init guard. */
    private HeldKeys heldQuietly(NodeTarget node) {
        try {
            return node.held(principal);
        } catch (NodeException e) {
            return HeldKeys.of(Map.of());
        }
    }

    private void save(Journal journal) throws IOException {
        journal.save(journalFile, now());
    }

    private Instant now() {
        return ctx.clock().instant();
    }

    private String runId() {
        byte[] random = new byte[4];
        ctx.random().nextBytes(random);
        return now().toString().replace(":", "").replace("-", "") + "-" + HexFormat.of().formatHex(random);
    }

    private static List<String> names(List<NodeTarget> nodes) {
        return nodes.stream().map(NodeTarget::name).toList();
    }
}
