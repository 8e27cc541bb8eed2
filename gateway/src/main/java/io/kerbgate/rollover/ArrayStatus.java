package io.kerbgate.rollover;

import java.io.IOException;
import java.util.Optional;

/**
 * {@code keys status}: the KDC's current kvno and every node's kvnos side by side; a node without the KDC's current
 * kvno is flagged LAGGING, since clients with new tickets would fail there. A node with an admin URL is asked what
 * its gateway has loaded and whether it is ready ({@code GET /keys}, {@code GET /readyz}): a gateway that does not
 * answer is DOWN, one that answers 503 is NOT-READY, whatever its keytab file holds. A node reached only by its
 * keytab path is reported from the file, and says so. Read-only, so it takes no lock and runs beside a roll.
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
            Optional<NodeTarget.GatewayState> gateway = node.gateway(principal);
            if (gateway.isPresent()) {
                ok &= gatewayLine(out, node.name(), gateway.get(), current);
                continue;
            }
            try {
                HeldKeys held = node.held(principal);
                if (held.enctypesByKvno().containsKey(current)) {
                    out.line("status", node.name(), Progress.OK, "kvnos " + held.describe()
                            + " in its keytab file (no admin URL: the gateway itself was not asked)");
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

    private static boolean gatewayLine(Progress out, String node, NodeTarget.GatewayState gateway, int current) {
        if (!gateway.up()) {
            out.line("status", node, Progress.DOWN, gateway.detail());
            return false;
        }
        String kvnos = "loaded kvnos " + gateway.loaded().describe() + (gateway.inGrace().isEmpty() ? ""
                : " (in grace: " + String.join(",", gateway.inGrace().stream().map(String::valueOf).toList()) + ")");
        if (!gateway.ready()) {
            out.line("status", node, Progress.NOT_READY, kvnos + "; " + gateway.detail());
            return false;
        }
        if (!gateway.loaded().enctypesByKvno().containsKey(current)) {
            out.line("status", node, Progress.LAGGING, kvnos + ", lacks kvno " + current
                    + " the KDC issues; run kerbgate keys add-node " + node);
            return false;
        }
        out.line("status", node, Progress.OK, kvnos + ", ready");
        return true;
    }
}
