package io.kerbgate.rollover;

import io.kerbgate.keys.KeytabEntry;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One node of the array, as the rollover reaches it: through the keytab file it watches ({@code KeytabFileNode}) or
 * its admin API ({@code AdminApiNode}), both in {@code rollover.node}. Every operation is idempotent, so that a resumed run may repeat it.
 */
public interface NodeTarget {

    String name();

    /** The kvnos (and their enctypes) of {@code principal} the node holds now. */
    HeldKeys held(String principal) throws NodeException;

    /**
     * Adds {@code entries} alongside the keys the node has (never instead of them): after this the node accepts the
     * old kvno and the new one. Entries already there with the same key are left as they are.
     */
    void install(List<KeytabEntry> entries) throws NodeException;

    /** Succeeds when the node holds exactly {@code expected} (same kvno, enctype and, where visible, key bytes). */
    void verify(List<KeytabEntry> expected) throws NodeException;

    /** Removes the kvnos of {@code principal} below {@code keepFrom}. @return the kvnos removed */
    List<Integer> retireBelow(String principal, int keepFrom) throws NodeException;

    /** The node's keytab entries when this tool can read the key bytes (a keytab file), for checks and copies. */
    Optional<List<KeytabEntry>> entries() throws NodeException;

    /** The node's front URL, for an end-to-end check through the node itself. */
    Optional<URI> front();

    /**
     * What the node's gateway itself says it has loaded and whether it is ready, asked of its admin API; empty when
     * the node has no admin URL (then only its keytab file can be read, which says nothing of the gateway).
     */
    default Optional<GatewayState> gateway(String principal) {
        return Optional.empty();
    }

    /**
     * A node's gateway as its admin API describes it.
     *
     * @param up        the admin API answered at all; when not, the gateway is down (or unreachable)
     * @param ready     {@code GET /readyz} said 200
     * @param detail    the readiness answer, or why the API could not be reached
     * @param loaded    the kvnos it accepts as current
     * @param inGrace   the kvnos it still accepts for their grace
     */
    record GatewayState(boolean up, boolean ready, String detail, HeldKeys loaded, java.util.SortedSet<Integer> inGrace) {
        public static GatewayState down(String why) {
            return new GatewayState(false, false, why, HeldKeys.of(java.util.Map.of()), new java.util.TreeSet<>());
        }
    }
}
