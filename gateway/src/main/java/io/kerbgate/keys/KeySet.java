package io.kerbgate.keys;

import io.kerbgate.crypto.KerberosKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable snapshot of the acceptor's keys: principal → kvno → enctype → key, with each version's life in the
 * keytab ({@link KeyVersion}). {@link KeyRing} builds a new snapshot on every change and swaps it in whole; a request
 * reads one snapshot and never sees a half-built one.
 *
 * <p>Everything {@link #find} can answer is computed at construction, so a lookup is a hash of the principal, a
 * binary search of the kvnos and a scan of a few enctypes, with no allocation.
 *
 * <p><b>Tickets without a kvno.</b> The kvno of EncryptedData is OPTIONAL (RFC 4120 §5.2.9) and some issuers leave it
 * out. Such a ticket is looked up with {@link #NO_KVNO} and gets the newest key of its enctype: the highest kvno the
 * keytab still lists, else the highest one in grace. That is the key the KDC most likely used, and the choice stays
 * one key, so a request costs at most one decryption. MIT's acceptor does the same with kvno 0 ("ignore vno"); here
 * kvno 0 is an ordinary version, because keytabs written with a fixed kvno 0 exist.
 */
public final class KeySet {

    /** The kvno to pass to {@link #find} for a ticket that carries none. */
    public static final int NO_KVNO = -1;

    /** No keys at all: what a {@link KeyRing} holds before its first load. */
    public static final KeySet EMPTY = new KeySet(List.of());

    private final Map<String, PrincipalKeys> byPrincipal;
    private final SortedSet<String> principals;

    /** @param versions at most one per (principal, kvno) */
    KeySet(Collection<KeyVersion> versions) {
        Map<String, TreeMap<Integer, KeyVersion>> grouped = new HashMap<>();
        for (KeyVersion version : versions) {
            KeyVersion clash = grouped.computeIfAbsent(version.principal(), p -> new TreeMap<>())
                    .put(version.kvno(), version);
            if (clash != null) {
                throw new IllegalArgumentException("two versions for " + version.principal() + " kvno " + version.kvno());
            }
        }
        Map<String, PrincipalKeys> byPrincipal = new HashMap<>();
        grouped.forEach((principal, byKvno) -> byPrincipal.put(principal, new PrincipalKeys(byKvno)));
        this.byPrincipal = Map.copyOf(byPrincipal);
        this.principals = Collections.unmodifiableSortedSet(new TreeSet<>(grouped.keySet()));
    }

    /**
     * Finds the key for a ticket.
     *
     * @param principal the acceptor principal, {@code primary/instance@REALM}, compared exactly
     * @param kvno      the ticket's kvno, or {@link #NO_KVNO} when the ticket carries none
     * @param enctype   the ticket's enctype
     */
    public Lookup find(String principal, int kvno, int enctype) {
        PrincipalKeys keys = byPrincipal.get(principal);
        return keys == null ? Lookup.NoPrincipal.INSTANCE : keys.find(kvno, enctype);
    }

    /** The principals with at least one key, sorted. */
    public Set<String> principals() {
        return principals;
    }

    /** The principal's kvnos, current and in grace, ascending; empty for an unknown principal. */
    public SortedSet<Integer> kvnos(String principal) {
        PrincipalKeys keys = byPrincipal.get(principal);
        return keys == null ? Collections.emptySortedSet() : keys.kvnoSet;
    }

    /** The principal's versions by ascending kvno, for status reports; empty for an unknown principal. */
    public List<KeyVersion> versions(String principal) {
        PrincipalKeys keys = byPrincipal.get(principal);
        return keys == null ? List.of() : List.of(keys.versions);
    }

    public Optional<KeyVersion> version(String principal, int kvno) {
        PrincipalKeys keys = byPrincipal.get(principal);
        return keys == null ? Optional.empty() : Optional.ofNullable(keys.version(kvno));
    }

    /** Every version of every principal, by principal then kvno. */
    public List<KeyVersion> allVersions() {
        List<KeyVersion> all = new ArrayList<>();
        for (String principal : principals) {
            all.addAll(versions(principal));
        }
        return all;
    }

    /** The fingerprints of every usable key of the snapshot, current and in grace (for caches keyed on them). */
    public Set<KerberosKey.Fingerprint> fingerprints() {
        Set<KerberosKey.Fingerprint> all = new HashSet<>();
        for (KeyVersion version : allVersions()) {
            for (int enctype : version.enctypeArray()) {
                KerberosKey key = version.found(enctype).key();
                if (key != null) {
                    all.add(key.fingerprint());
                }
            }
        }
        return all;
    }

    public boolean isEmpty() {
        return byPrincipal.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("KeySet[");
        for (String principal : principals) {
            out.append(out.length() > 7 ? ", " : "").append(principal).append(" kvnos ").append(kvnos(principal));
        }
        return out.append(']').toString();
    }

    /** One principal's versions, with every answer of {@link KeySet#find} precomputed. */
    private static final class PrincipalKeys {
        final int[] kvnos;
        final KeyVersion[] versions;
        final SortedSet<Integer> kvnoSet;
        final Lookup.NoKvno noKvno;
        // For tickets without a kvno: the newest version's key per enctype, and the miss listing every enctype.
        final int[] newestEnctypes;
        final Lookup.Found[] newestFound;
        final Lookup.NoEnctype noEnctypeAnyKvno;

        PrincipalKeys(TreeMap<Integer, KeyVersion> byKvno) {
            versions = byKvno.values().toArray(new KeyVersion[0]);
            kvnos = byKvno.keySet().stream().mapToInt(Integer::intValue).toArray();
            kvnoSet = Collections.unmodifiableSortedSet(new TreeSet<>(byKvno.keySet()));
            noKvno = new Lookup.NoKvno(kvnos);

            TreeMap<Integer, KeyVersion> newest = new TreeMap<>();
            for (KeyVersion version : versions) { // ascending kvno: a later version wins unless it is the graced one
                for (int enctype : version.enctypeArray()) {
                    KeyVersion best = newest.get(enctype);
                    if (best == null || best.inGrace() || !version.inGrace()) {
                        newest.put(enctype, version);
                    }
                }
            }
            newestEnctypes = newest.keySet().stream().mapToInt(Integer::intValue).toArray();
            newestFound = new Lookup.Found[newestEnctypes.length];
            for (int i = 0; i < newestEnctypes.length; i++) {
                newestFound[i] = newest.get(newestEnctypes[i]).found(newestEnctypes[i]);
            }
            noEnctypeAnyKvno = new Lookup.NoEnctype(newestEnctypes);
        }

        Lookup find(int kvno, int enctype) {
            if (kvno == NO_KVNO) {
                for (int i = 0; i < newestEnctypes.length; i++) {
                    if (newestEnctypes[i] == enctype) {
                        return newestFound[i];
                    }
                }
                return noEnctypeAnyKvno;
            }
            int i = Arrays.binarySearch(kvnos, kvno);
            return i < 0 ? noKvno : versions[i].find(enctype);
        }

        KeyVersion version(int kvno) {
            int i = Arrays.binarySearch(kvnos, kvno);
            return i < 0 ? null : versions[i];
        }
    }
}
