package io.kerbgate.rollover;

import java.io.IOException;
import java.util.Optional;

/**
 * {@code keys status}: the KDC's current kvno and every node's kvnos side by side; a node without the KDC's current
 * kvno is flagged LAGGING, since clients with new tickets would fail there. Read-only, so it takes no lock and runs
 * beside a roll.
 */
final class ArrayStatus {

    private final RolloverContext ctx;

    ArrayStatus(RolloverContext ctx) {
        this.ctx = ctx;
    }

    int print() {
        Progress out = ctx.progress();
        String principal = ctx.array().principal();
        int current;
        try {
            if (!ctx.kdc().exists(principal)) {
                out.line("status", "kdc", Progress.FAILED, principal + " does not exist; run kerbgate keys init");
                return KeysTool.EXIT_FAILED;
            }
            current = ctx.kdc().currentKvno(principal);
            out.line("status", "kdc", Progress.OK, "kvno " + current + " (" + ctx.kdc().describe() + ")");
        } catch (KdcException e) {
            out.line("status", "kdc", Progress.FAILED, e.getMessage());
            return KeysTool.EXIT_FAILED;
        }
        boolean ok = true;
        for (NodeTarget node : ctx.nodes()) {
            try {
                HeldKeys held = node.held(principal);
                if (held.enctypesByKvno().containsKey(current)) {
                    out.line("status", node.name(), Progress.OK, "kvnos " + held.describe());
                } else {
                    ok = false;
                    out.line("status", node.name(), Progress.LAGGING, "kvnos " + held.describe() + ", lacks kvno "
                            + current + " the KDC issues; run kerbgate keys add-node " + node.name());
                }
            } catch (NodeException e) {
                ok = false;
                out.line("status", node.name(), Progress.FAILED, e.getMessage());
            }
        }
        try {
            Optional<String> unfinished = KeyAge.unfinishedRun(ctx);
            if (unfinished.isPresent()) {
                ok = false;
                out.line("status", "journal", Progress.FAILED, unfinished.get());
            }
        } catch (IOException e) {
            ok = false;
            out.line("status", "journal", Progress.FAILED, "cannot read the journal: " + e.getMessage());
        }
        return ok ? KeysTool.EXIT_OK : KeysTool.EXIT_FAILED;
    }
}
