package io.kerbgate.keys;

import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one swap of the {@link KeyRing} changed, per principal. Listeners use {@link #retired()} to evict whatever was
 * decrypted under a key that is no longer accepted (the ticket cache).
 *
 * @param keySet       the snapshot now current
 * @param added        kvnos accepted now that were not current before: new in the keytab, or back from grace
 * @param enteredGrace kvnos the keytab stopped listing; still accepted until their grace ends
 * @param retired      kvnos no longer accepted at all
 */
public record KeySetChange(KeySet keySet, Map<String, SortedSet<Integer>> added,
        Map<String, SortedSet<Integer>> enteredGrace, Map<String, SortedSet<Integer>> retired) {

    public KeySetChange {
        added = freeze(added);
        enteredGrace = freeze(enteredGrace);
        retired = freeze(retired);
    }

    /** True when no kvno moved; the snapshot may still differ in when versions were last seen. */
    public boolean isEmpty() {
        return added.isEmpty() && enteredGrace.isEmpty() && retired.isEmpty();
    }

    private static Map<String, SortedSet<Integer>> freeze(Map<String, SortedSet<Integer>> byPrincipal) {
        TreeMap<String, SortedSet<Integer>> copy = new TreeMap<>();
        byPrincipal.forEach((principal, kvnos) -> {
            if (!kvnos.isEmpty()) {
                copy.put(principal, Collections.unmodifiableSortedSet(new TreeSet<>(kvnos)));
            }
        });
        return Collections.unmodifiableMap(copy);
    }
}
