package io.kerbgate.keys;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link KeySet} and turns each load of the keytab into the next one, keeping the keys of a rolled
 * kvno for a grace period.
 *
 * <p>Readers call {@link #current()} once per request: one volatile read, no lock. Writers ({@link #update},
 * {@link #retireExpired}) are serialised, build a whole new snapshot, swap it in, and only then, outside the lock,
 * tell the listeners, so a slow listener never holds up the next reload. (Two writers racing may notify in the
 * opposite order of their swaps; each change names the snapshot it produced.)
 *
 * <p>The grace rule: a kvno the keytab lists is current. A kvno that was current and is gone from the new keytab
 * stays accepted until {@code now + gracePeriod}, because the KDC may have issued tickets under it until the moment
 * the key was rolled, and those live up to the longest ticket lifetime; set the grace to that lifetime plus the clock
 * skew. A kvno listed again during its grace is current again. Grace also softens a keytab caught half-written
 * (complete entries, later ones not yet there): what is missing is still accepted, and the next load restores it.
 *
 * <p>The pinned identity: the ring serves the configured principals or, when none are configured, the principals of
 * the first keys it loaded, which it then pins. A keytab that lacks any of them is refused as an
 * {@link KeytabException#identityMismatch identity mismatch} (another service's keytab swapped in), and entries of
 * other principals are ignored. {@link #retireBelow} ends a kvno at once and remembers it, so a keytab that still
 * lists it cannot bring it back. Both, with the snapshot, make up the {@link State} a node keeps across restarts
 * ({@link KeyStateStore}).
 */
public final class KeyRing {

    private static final Logger log = LoggerFactory.getLogger(KeyRing.class);

    private final Set<String> configuredPrincipals;
    private final Duration gracePeriod;
    private final Clock clock;
    private final Object writeLock = new Object();
    private final List<Consumer<KeySetChange>> listeners = new CopyOnWriteArrayList<>();
    private volatile KeySet current = KeySet.EMPTY;
    /** The principals served: the configured ones, or those pinned at the first load; empty until then. */
    private volatile Set<String> served;
    /** Per principal, the lowest kvno still allowed: lower ones were retired on purpose. Guarded by writeLock. */
    private final Map<String, Integer> retiredBelow = new TreeMap<>();

    /**
     * What a node keeps across restarts: the snapshot (keys in grace included, with their deadlines), the pinned
     * principals and the retired kvnos.
     */
    public record State(Set<String> pinnedPrincipals, Map<String, Integer> retiredBelow, KeySet keys) {
        public State {
            pinnedPrincipals = Set.copyOf(pinnedPrincipals);
            retiredBelow = Map.copyOf(retiredBelow);
            Objects.requireNonNull(keys, "keys");
        }
    }

    /**
     * @param acceptorPrincipals the principals this gateway accepts tickets for, {@code primary/instance@REALM};
     *                           empty means every principal in the keytab
     * @param gracePeriod        how long a kvno gone from the keytab is still accepted
     * @param clock              the time of loads made without an explicit instant
     */
    public KeyRing(List<String> acceptorPrincipals, Duration gracePeriod, Clock clock) {
        this.configuredPrincipals = Set.copyOf(new LinkedHashSet<>(acceptorPrincipals));
        for (String principal : this.configuredPrincipals) {
            PrincipalName.parse(principal);
        }
        this.served = configuredPrincipals;
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod cannot be negative: " + gracePeriod);
        }
        this.gracePeriod = gracePeriod;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The snapshot to use for one request. */
    public KeySet current() {
        return current;
    }

    public Duration gracePeriod() {
        return gracePeriod;
    }

    /** The principals this node serves: configured, or pinned at the first load; empty before that. */
    public Set<String> principalsServed() {
        return served;
    }

    /** A consistent copy of what {@link #restore} takes back. */
    public State state() {
        synchronized (writeLock) {
            return new State(served, retiredBelow, current);
        }
    }

    /**
     * Takes back what a previous run of this node kept, before the first load: its versions (those still in grace
     * keep their deadline; those whose grace has passed, or below a retired kvno, are dropped), its pin unless
     * principals are configured (the configuration wins), and its retired kvnos.
     *
     * @throws IllegalStateException when keys were loaded already
     */
    public KeySetChange restore(State saved, Instant now) {
        KeySetChange change;
        synchronized (writeLock) {
            if (!current.isEmpty()) {
                throw new IllegalStateException("restore before the first load");
            }
            retiredBelow.putAll(saved.retiredBelow());
            if (configuredPrincipals.isEmpty()) {
                served = saved.pinnedPrincipals();
            } else if (!saved.pinnedPrincipals().isEmpty() && !saved.pinnedPrincipals().equals(configuredPrincipals)) {
                log.warn("principals {} are configured; the state directory had pinned {}; serving the configured ones",
                        new TreeSet<>(configuredPrincipals), new TreeSet<>(saved.pinnedPrincipals()));
            }
            Changes changes = new Changes();
            List<KeyVersion> next = new ArrayList<>();
            for (KeyVersion version : saved.keys().allVersions()) {
                boolean retired = version.kvno() < floor(version.principal()) && !version.inGrace();
                if (version.retiredAt(now) || retired
                        || (!served.isEmpty() && !served.contains(version.principal()))) {
                    continue;
                }
                next.add(version);
                changes.added(version.principal(), version.kvno());
            }
            current = new KeySet(next);
            change = changes.toChange(current);
            if (!next.isEmpty()) {
                log.info("keys restored from the state directory: {}", current);
            }
        }
        notifyListeners(change);
        return change;
    }

    /**
     * Retires {@code principal}'s kvnos below {@code kvno} (the rollover tool's {@code keys retire}): those still
     * current enter their grace now, as if gone from the keytab, and the retirement is remembered, so a later load
     * that lists them again (a read-only keytab that still has them) does not make them current again, and once their
     * grace ends they stay out, across restarts too ({@link State}).
     *
     * @throws IllegalStateException when that would leave {@code principal} without any current kvno
     */
    public KeySetChange retireBelow(String principal, int kvno, Instant now) {
        KeySetChange change;
        synchronized (writeLock) {
            KeySet before = current;
            boolean keeps = before.versions(principal).stream().anyMatch(v -> v.kvno() >= kvno && !v.inGrace());
            if (!keeps) {
                throw new IllegalStateException("retiring kvnos below " + kvno + " would leave " + principal
                        + " without a current key (it has " + before.kvnos(principal) + ")");
            }
            retiredBelow.merge(principal, kvno, Math::max);
            Changes changes = new Changes();
            List<KeyVersion> next = new ArrayList<>();
            for (KeyVersion version : before.allVersions()) {
                if (version.principal().equals(principal) && version.kvno() < kvno && !version.inGrace()) {
                    changes.enteredGrace(principal, version.kvno());
                    next.add(version.inGraceUntil(now.plus(gracePeriod)));
                } else {
                    next.add(version);
                }
            }
            current = new KeySet(next);
            change = changes.toChange(current);
            log.info("keys retired: {} kvnos below {} (kerbgate keys retire); {} accepted until {}, then never again",
                    principal, kvno, change.enteredGrace().getOrDefault(principal, new TreeSet<>()),
                    now.plus(gracePeriod));
        }
        notifyListeners(change);
        return change;
    }

    private int floor(String principal) {
        return retiredBelow.getOrDefault(principal, Integer.MIN_VALUE);
    }

    public Clock clock() {
        return clock;
    }

    /** Calls {@code listener} after every swap, on the thread that made it. */
    public void addListener(Consumer<KeySetChange> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** {@link #update(List, Instant)} at the ring's clock's now. */
    public KeySetChange update(List<KeytabEntry> fromFile) throws KeytabException {
        return update(fromFile, clock.instant());
    }

    /**
     * Makes the entries of a freshly parsed keytab the current keys: its kvnos become current, kvnos it no longer lists
     * enter grace, kvnos whose grace has passed are dropped.
     *
     * @throws KeytabException when a configured acceptor principal has no key in the file, or the file holds no key
     *                         for this gateway at all; the current keys then stay as they are
     */
    public KeySetChange update(List<KeytabEntry> fromFile, Instant now) throws KeytabException {
        KeySetChange change;
        synchronized (writeLock) {
            Map<String, SortedMap<Integer, SortedMap<Integer, byte[]>>> listed = group(fromFile);
            KeySet before = current;
            Changes changes = new Changes();
            List<KeyVersion> next = new ArrayList<>();
            listed.forEach((principal, byKvno) -> byKvno.forEach((kvno, keys) -> {
                KeyVersion old = before.version(principal, kvno).orElse(null);
                if (old == null || old.inGrace()) {
                    changes.added(principal, kvno);
                }
                if (old != null) {
                    warnIfKeysChanged(old, keys);
                }
                next.add(new KeyVersion(principal, kvno, keys, old == null ? now : old.firstSeen(), now, null));
            }));
            for (KeyVersion old : before.allVersions()) {
                SortedMap<Integer, SortedMap<Integer, byte[]>> stillListed = listed.get(old.principal());
                if (stillListed != null && stillListed.containsKey(old.kvno())) {
                    continue;
                }
                if (!old.inGrace()) {
                    changes.enteredGrace(old.principal(), old.kvno());
                    next.add(old.inGraceUntil(now.plus(gracePeriod)));
                } else if (old.retiredAt(now)) {
                    changes.retired(old.principal(), old.kvno());
                } else {
                    next.add(old);
                }
            }
            KeySet after = new KeySet(next);
            current = after;
            if (served.isEmpty()) {
                served = Set.copyOf(listed.keySet());
                log.info("principals pinned: {} (no principals configured: this node serves the principals of the"
                        + " first keys it loaded, and refuses a keytab without them)", new TreeSet<>(served));
            }
            change = changes.toChange(after);
            logReload(after, change);
        }
        notifyListeners(change);
        return change;
    }

    /** {@link #retireExpired(Instant)} at the ring's clock's now. */
    public KeySetChange retireExpired() {
        return retireExpired(clock.instant());
    }

    /**
     * Drops the kvnos whose grace has ended (at {@code retiresAt} exactly or later). Swaps and notifies only when
     * something was dropped; otherwise returns an empty change.
     */
    public KeySetChange retireExpired(Instant now) {
        KeySetChange change;
        synchronized (writeLock) {
            KeySet before = current;
            Changes changes = new Changes();
            List<KeyVersion> next = new ArrayList<>();
            for (KeyVersion version : before.allVersions()) {
                if (version.retiredAt(now)) {
                    changes.retired(version.principal(), version.kvno());
                    log.info("keys retired: {} kvno {} (grace ended {})", version.principal(), version.kvno(),
                            version.retiresAt().orElseThrow());
                } else {
                    next.add(version);
                }
            }
            if (changes.isEmpty()) {
                return changes.toChange(before);
            }
            KeySet after = new KeySet(next);
            current = after;
            change = changes.toChange(after);
        }
        notifyListeners(change);
        return change;
    }

    /**
     * Keeps the served principals' entries, by principal, kvno and enctype, checking that none is missing; entries
     * below a retired kvno are left out.
     */
    private Map<String, SortedMap<Integer, SortedMap<Integer, byte[]>>> group(List<KeytabEntry> fromFile)
            throws KeytabException {
        Set<String> acceptorPrincipals = served;
        Map<String, SortedMap<Integer, SortedMap<Integer, byte[]>>> listed = new TreeMap<>();
        Set<String> retiredListed = new TreeSet<>();
        for (KeytabEntry entry : fromFile) {
            if (!acceptorPrincipals.isEmpty() && !acceptorPrincipals.contains(entry.principal())) {
                continue;
            }
            if (entry.kvno() < floor(entry.principal())) {
                retiredListed.add(entry.principal() + " kvno " + entry.kvno());
                continue;
            }
            SortedMap<Integer, byte[]> keys = listed.computeIfAbsent(entry.principal(), p -> new TreeMap<>())
                    .computeIfAbsent(entry.kvno(), k -> new TreeMap<>());
            byte[] first = keys.putIfAbsent(entry.enctype(), entry.keyBytes());
            // ktutil appends freely, so duplicates happen; the first entry wins, as in MIT's krb5_kt_get_entry.
            if (first != null && !Arrays.equals(first, entry.keyBytes())) {
                log.warn("keytab lists {} kvno {} enctype {} twice with different keys; using the first",
                        entry.principal(), entry.kvno(), entry.enctype());
            }
        }
        if (!retiredListed.isEmpty()) {
            log.info("keytab lists {}, retired on this node: ignored", retiredListed);
        }
        Set<String> missing = new TreeSet<>(acceptorPrincipals);
        missing.removeAll(listed.keySet());
        if (!missing.isEmpty()) {
            Set<String> absent = new TreeSet<>(missing);
            fromFile.forEach(e -> absent.remove(e.principal()));
            String message = "no key for acceptor principal(s) " + String.join(", ", missing) + "; the keytab has: "
                    + describe(fromFile) + (configuredPrincipals.isEmpty()
                    ? ". This node pinned the principals of the first keys it loaded; install a keytab for them"
                    : ". Fix the keytab or the configured principals");
            throw absent.isEmpty() ? new KeytabException(message + " (its kvnos for them are retired)")
                    : KeytabException.identityMismatch(message);
        }
        if (listed.isEmpty()) {
            throw new KeytabException("the keytab holds no keys");
        }
        return listed;
    }

    private static String describe(List<KeytabEntry> entries) {
        Set<String> principals = new TreeSet<>();
        entries.forEach(e -> principals.add(e.principal()));
        return principals.isEmpty() ? "no entries" : String.join(", ", principals);
    }

    private static void warnIfKeysChanged(KeyVersion old, SortedMap<Integer, byte[]> keys) {
        keys.forEach((enctype, key) -> {
            byte[] before = old.key(enctype);
            if (before != null && !Arrays.equals(before, key)) {
                log.warn("keytab reloaded: {} kvno {} enctype {} has a different key than before under the same kvno;"
                        + " tickets issued under the old key will fail to decrypt. A rollover must use a new kvno",
                        old.principal(), old.kvno(), enctype);
            }
        });
    }

    // e.g. "keytab reloaded: HTTP/array.example.test@ARRAY.TEST kvnos 3,4 (added 4); in grace: 2 until 2026-11-25T18:00:00Z"
    private static void logReload(KeySet keys, KeySetChange change) {
        Set<String> principals = new TreeSet<>(keys.principals());
        principals.addAll(change.retired().keySet());
        for (String principal : principals) {
            StringJoiner current = new StringJoiner(",");
            StringJoiner grace = new StringJoiner(", ");
            for (KeyVersion version : keys.versions(principal)) {
                if (version.inGrace()) {
                    grace.add(version.kvno() + " until " + version.retiresAt().orElseThrow());
                } else {
                    current.add(Integer.toString(version.kvno()));
                }
            }
            StringBuilder line = new StringBuilder("keytab reloaded: ").append(principal)
                    .append(" kvnos ").append(current.length() == 0 ? "none" : current.toString());
            SortedSet<Integer> added = change.added().get(principal);
            if (added != null) {
                line.append(" (added ").append(join(added)).append(')');
            }
            if (grace.length() > 0) {
                line.append("; in grace: ").append(grace);
            }
            SortedSet<Integer> retired = change.retired().get(principal);
            if (retired != null) {
                line.append("; retired: ").append(join(retired));
            }
            log.info(line.toString());
        }
    }

    private static String join(SortedSet<Integer> kvnos) {
        StringJoiner out = new StringJoiner(",");
        kvnos.forEach(kvno -> out.add(kvno.toString()));
        return out.toString();
    }

    private void notifyListeners(KeySetChange change) {
        for (Consumer<KeySetChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                log.warn("key set listener {} failed; the new keys are in use regardless", listener, e);
            }
        }
    }

    /** Collects the kvno moves of one swap. */
    private static final class Changes {
        private final Map<String, SortedSet<Integer>> added = new HashMap<>();
        private final Map<String, SortedSet<Integer>> enteredGrace = new HashMap<>();
        private final Map<String, SortedSet<Integer>> retired = new HashMap<>();

        void added(String principal, int kvno) {
            added.computeIfAbsent(principal, p -> new TreeSet<>()).add(kvno);
        }

        void enteredGrace(String principal, int kvno) {
            enteredGrace.computeIfAbsent(principal, p -> new TreeSet<>()).add(kvno);
        }

        void retired(String principal, int kvno) {
            retired.computeIfAbsent(principal, p -> new TreeSet<>()).add(kvno);
        }

        boolean isEmpty() {
            return added.isEmpty() && enteredGrace.isEmpty() && retired.isEmpty();
        }

        KeySetChange toChange(KeySet keySet) {
            return new KeySetChange(keySet, added, enteredGrace, retired);
        }
    }
}
