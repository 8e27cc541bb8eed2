package io.kerbgate.rollover;

import io.kerbgate.keys.KeytabEntry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * {@code keys add-node NAME}: a node joining the array gets the keys an existing node holds (the KDC's current kvno
 * and any older one still in use), copied from that node's keytab, and is verified to hold them. Nothing changes on
 * the KDC. The source is a node whose keytab this tool can read (an admin API never shows key bytes); in an array
 * reached only by admin URLs, the tool's {@link KeyArchive} (the current kvno and every older one still in grace),
 * when its newest kvno is the KDC's; otherwise the KDC's current key itself ({@link KdcAdapter#currentKeys}) with
 * the archive's older kvnos still in grace.
 */
final class NodeAdder {

    private final RolloverContext ctx;

    NodeAdder(RolloverContext ctx) {
        this.ctx = ctx;
    }

    int add(String name, @Nullable String from) {
        Progress out = ctx.progress();
        String principal = ctx.array().principal();
        try (RolloverLock lock = RolloverLock.acquire(ctx.array().besideFile("lock"), ctx.clock().instant())) {
            Optional<String> unfinished = KeyAge.unfinishedRun(ctx);
            if (unfinished.isPresent()) {
                out.note("kerbgate keys add-node: " + unfinished.get());
                return KeysTool.EXIT_FAILED;
            }
            NodeTarget target = ctx.select(List.of(name)).get(0);
            int current = ctx.kdc().currentKvno(principal);
            NodeTarget source = from != null ? ctx.select(List.of(from)).get(0) : source(name, current);
            List<KeytabEntry> entries;
            String origin;
            if (source != null) {
                NodeTarget src = source;
                entries = src.entries().orElseThrow(() -> new NodeException(src.name(),
                        "its keytab cannot be read here (admin API only); name a node with a keytab path with --from"))
                        .stream().filter(e -> e.principal().equals(principal)).toList();
                origin = src.name();
            } else {
                // Admin URLs only: no keytab to copy from. The tool's key archive (every committed kvno still in
                // grace), checked against the KDC's kvno; the KDC's own current key where the archive lags.
                KeyArchive archive = new KeyArchive(ctx.array().besideFile("keys.keytab"));
                List<KeytabEntry> archived = archive.inGrace(principal, ctx.clock().instant(), ctx.array().grace());
                Optional<Integer> newest = archive.newest(principal);
                if (newest.isPresent() && newest.get() == current) {
                    entries = archived;
                    origin = "the key archive " + archive.file();
                } else {
                    Optional<List<KeytabEntry>> fromKdc = ctx.kdc().currentKeys(principal);
                    if (fromKdc.isEmpty()) {
                        out.note("kerbgate keys add-node: no node with a readable keytab holds kvno " + current
                                + ", the KDC's current key, " + (newest.isEmpty() ? "the key archive " + archive.file()
                                + " has none" : "the key archive's newest is kvno " + newest.get()) + ", and "
                                + ctx.kdc().describe() + " cannot export it; name one with --from, or run kerbgate "
                                + "keys roll");
                        return KeysTool.EXIT_FAILED;
                    }
                    out.note("add-node " + name + ": the key archive " + archive.file() + (newest.isEmpty()
                            ? " holds no key" : "'s newest kvno is " + newest.get()) + ", not the KDC's " + current
                            + ": the current key comes from the KDC (" + ctx.kdc().describe() + ")"
                            + (archived.isEmpty() ? "" : ", older kvnos in grace from the archive"));
                    List<KeytabEntry> merged = new java.util.ArrayList<>(fromKdc.get());
                    archived.stream().filter(e -> e.kvno() < current).forEach(merged::add);
                    entries = merged;
                    origin = archived.isEmpty() ? "the KDC" : "the KDC and the key archive";
                }
            }
            if (entries.stream().noneMatch(e -> e.kvno() == current)) {
                out.note("kerbgate keys add-node: " + origin + " lacks kvno " + current
                        + ", the KDC's current key; pick another node with --from");
                return KeysTool.EXIT_FAILED;
            }
            String kvnos = String.join(",", new TreeSet<>(entries.stream().map(KeytabEntry::kvno).toList())
                    .stream().map(String::valueOf).toList());
            out.note("add-node " + name + ": copying " + principal + " kvno " + kvnos + " from " + origin);
            try {
                target.install(entries);
                out.line(Step.DISTRIBUTE, name, Progress.OK, "kvno " + kvnos + " copied from " + origin);
                target.verify(entries);
                out.line(Step.VERIFY, name, Progress.OK, "holds kvno " + kvnos);
            } catch (NodeException e) {
                out.line(Step.VERIFY, name, Progress.FAILED, e.getMessage());
                return KeysTool.EXIT_FAILED;
            }
            return KeysTool.EXIT_OK;
        } catch (IllegalArgumentException e) {
            out.note("kerbgate keys add-node: " + e.getMessage());
            return KeysTool.EXIT_USAGE;
        } catch (RolloverLock.LockedException e) {
            out.note("kerbgate keys add-node: " + e.getMessage());
            return KeysTool.EXIT_LOCKED;
        } catch (KdcException | NodeException | IOException e) {
            out.note("kerbgate keys add-node: " + e.getMessage());
            return KeysTool.EXIT_FAILED;
        }
    }

    private @Nullable NodeTarget source(String exclude, int current) {
        for (NodeTarget node : ctx.nodes()) {
            try {
                if (!node.name().equals(exclude) && node.entries().isPresent()
                        && node.held(ctx.array().principal()).enctypesByKvno().containsKey(current)) {
                    return node;
                }
            } catch (NodeException e) {
                // An unreadable node is simply no source; the next one may be.
            }
        }
        return null;
    }
}
