package io.kerbgate.keys;

import io.kerbgate.testing.MutableClock;
import static io.kerbgate.keys.Keytabs.AES128;
import static io.kerbgate.keys.Keytabs.AES256;
import static io.kerbgate.keys.Keytabs.HTTP;
import static io.kerbgate.keys.Keytabs.OTHER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

final class KeyRingTest {

    private static final Instant T = Instant.parse("2026-11-25T08:00:00Z");
    private static final Duration GRACE = Duration.ofHours(10);

    private final MutableClock clock = new MutableClock(T);
    private final KeyRing ring = new KeyRing(List.of(), GRACE, clock);
    private final List<KeySetChange> changes = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(KeyRing.class);

    @BeforeEach
    void listen() {
        ring.addListener(changes::add);
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(logs);
    }

    @Test
    void update_firstLoad_addsEveryKvno() throws Exception {
        KeySetChange change = ring.update(Keytabs.kvnos(HTTP, 3, 4));

        assertEquals(Map.of(HTTP, kvnos(3, 4)), change.added());
        assertTrue(change.enteredGrace().isEmpty());
        assertSame(change.keySet(), ring.current());
        assertEquals(T, ring.current().version(HTTP, 3).orElseThrow().firstSeen());
        assertEquals(List.of(change), changes);
    }

    @Test
    void update_logsTheKvnoDiff() throws Exception {
        ring.update(Keytabs.kvnos(HTTP, 2, 3), T);
        ring.update(Keytabs.kvnos(HTTP, 3, 4), T.plusSeconds(60));

        assertTrue(messages(Level.INFO).contains("keytab reloaded: HTTP/array.example.test@ARRAY.TEST kvnos 3,4 "
                + "(added 4); in grace: 2 until 2026-11-25T18:01:00Z"), messages(Level.INFO).toString());
    }

    @Test
    void grace_removedKvno_isFoundUntilGraceEnds_thenRetiredWithAnEvent() throws Exception {
        ring.update(Keytabs.kvnos(HTTP, 3, 4), T);
        KeySetChange rolled = ring.update(Keytabs.kvnos(HTTP, 4, 5), T);
        assertEquals(Map.of(HTTP, kvnos(3)), rolled.enteredGrace());
        changes.clear();

        clock.set(T.plus(GRACE).minusSeconds(1));
        KeySetChange early = ring.retireExpired();
        assertTrue(early.isEmpty());
        assertTrue(changes.isEmpty(), "nothing retired, nothing to tell");
        assertInstanceOf(Lookup.Found.class, ring.current().find(HTTP, 3, AES256));

        clock.set(T.plus(GRACE).plusSeconds(1));
        KeySetChange late = ring.retireExpired();
        assertEquals(Map.of(HTTP, kvnos(3)), late.retired());
        assertEquals(List.of(late), changes);
        Lookup.NoKvno miss = assertInstanceOf(Lookup.NoKvno.class, ring.current().find(HTTP, 3, AES256));
        assertArrayEquals(new int[] {4, 5}, miss.kvnosPresent());
    }

    @Test
    void grace_endsAtRetiresAtExactly() throws Exception {
        ring.update(Keytabs.kvnos(HTTP, 3), T);
        ring.update(Keytabs.kvnos(HTTP, 4), T);

        assertEquals(Map.of(HTTP, kvnos(3)), ring.retireExpired(T.plus(GRACE)).retired());
    }

    @Test
    void grace_passedKvnos_areAlsoDroppedByAnUpdate() throws Exception {
        ring.update(Keytabs.kvnos(HTTP, 3, 4), T);
        ring.update(Keytabs.kvnos(HTTP, 4), T);

        KeySetChange change = ring.update(Keytabs.kvnos(HTTP, 4), T.plus(GRACE).plusSeconds(1));

        assertEquals(Map.of(HTTP, kvnos(3)), change.retired());
        assertEquals(kvnos(4), ring.current().kvnos(HTTP));
    }

    @Test
    void grace_kvnoListedAgain_isCurrentAgain() throws Exception {
        ring.update(Keytabs.kvnos(HTTP, 3, 4), T);
        ring.update(Keytabs.kvnos(HTTP, 4), T.plusSeconds(10));

        KeySetChange back = ring.update(Keytabs.kvnos(HTTP, 3, 4), T.plusSeconds(20));

        KeyVersion three = ring.current().version(HTTP, 3).orElseThrow();
        assertEquals(Map.of(HTTP, kvnos(3)), back.added());
        assertFalse(three.inGrace());
        assertEquals(T, three.firstSeen());
        assertTrue(ring.retireExpired(T.plus(GRACE).plusSeconds(30)).isEmpty(), "no longer on the way out");
    }

    @Test
    void update_keepsFirstSeen_andMovesLastSeen() throws Exception {
        ring.update(Keytabs.kvnos(HTTP, 3), T);
        ring.update(Keytabs.kvnos(HTTP, 3), T.plusSeconds(60));

        KeyVersion three = ring.current().version(HTTP, 3).orElseThrow();
        assertEquals(T, three.firstSeen());
        assertEquals(T.plusSeconds(60), three.lastSeen());
    }

    @Test
    void update_principalGoneFromTheFile_isAnIdentityMismatch_theKeysStay() throws Exception {
        List<KeytabEntry> both = new ArrayList<>(Keytabs.kvnos(HTTP, 3));
        both.addAll(Keytabs.kvnos(OTHER, 7));
        ring.update(both, T);

        KeytabException e = assertThrows(KeytabException.class, () -> ring.update(Keytabs.kvnos(HTTP, 3), T));

        assertTrue(e.isIdentityMismatch(), e.getMessage());
        assertEquals(Set.of(HTTP, OTHER), ring.principalsServed(), "pinned at the first load");
        assertInstanceOf(Lookup.Found.class, ring.current().find(OTHER, 7, AES128));
    }

    @Test
    void noPrincipalsConfigured_pinsTheFirstKeys_andRefusesAnotherServicesKeytab() throws Exception {
        ring.update(Keytabs.kvnos(HTTP, 3), T);

        KeytabException e = assertThrows(KeytabException.class, () -> ring.update(Keytabs.kvnos(OTHER, 9), T));

        assertTrue(e.isIdentityMismatch(), e.getMessage());
        assertEquals(Set.of(HTTP), ring.principalsServed());
        assertInstanceOf(Lookup.Found.class, ring.current().find(HTTP, 3, AES128));
        assertEquals(Set.of(HTTP), ring.current().principals());
    }

    @Test
    void retireBelow_startsTheGrace_andALaterLoadListingTheKvnoDoesNotBringItBack() throws Exception {
        ring.update(Keytabs.kvnos(HTTP, 3, 4), T);

        KeySetChange change = ring.retireBelow(HTTP, 4, T);
        ring.update(Keytabs.kvnos(HTTP, 3, 4), T.plusSeconds(1));

        assertEquals(Map.of(HTTP, kvnos(3)), change.enteredGrace());
        assertTrue(ring.current().version(HTTP, 3).orElseThrow().inGrace(), "listed again, still only in grace");
        ring.update(Keytabs.kvnos(HTTP, 3, 4), T.plus(GRACE));
        assertEquals(kvnos(4), ring.current().kvnos(HTTP), "after the grace it is gone for good");
        assertThrows(IllegalStateException.class, () -> ring.retireBelow(HTTP, 5, T), "would leave no key");
    }

    @Test
    void restore_keepsGraceDeadlines_dropsWhatExpired_andPinsAsSaved() throws Exception {
        KeyRing before = new KeyRing(List.of(), GRACE, Clock.fixed(T, ZoneOffset.UTC));
        before.update(Keytabs.kvnos(HTTP, 2, 3), T);
        before.update(Keytabs.kvnos(HTTP, 3), T.plusSeconds(10));
        before.retireBelow(HTTP, 1, T);
        KeyRing.State saved = before.state();
        KeyRing after = new KeyRing(List.of(), GRACE, Clock.fixed(T, ZoneOffset.UTC));

        after.restore(saved, T.plusSeconds(20));

        assertEquals(Optional.of(T.plusSeconds(10).plus(GRACE)), after.current().version(HTTP, 2).orElseThrow()
                .retiresAt());
        assertEquals(Set.of(HTTP), after.principalsServed());
        KeyRing late = new KeyRing(List.of(), GRACE, Clock.fixed(T, ZoneOffset.UTC));
        late.restore(saved, T.plusSeconds(10).plus(GRACE));
        assertEquals(kvnos(3), late.current().kvnos(HTTP), "kvno 2's grace had passed");
    }

    @Test
    void update_changedKeyUnderTheSameKvno_isTakenWithAWarning() throws Exception {
        ring.update(List.of(Keytabs.entry(HTTP, 3, AES256, 1)), T);

        ring.update(List.of(Keytabs.entry(HTTP, 3, AES256, 2)), T);

        Lookup.Found found = assertInstanceOf(Lookup.Found.class, ring.current().find(HTTP, 3, AES256));
        assertArrayEquals(Keytabs.entry(HTTP, 3, AES256, 2).key(), found.key().bytes());
        assertEquals(1, messages(Level.WARN).size());
        assertTrue(messages(Level.WARN).get(0).contains("kvno 3 enctype 18 has a different key than before"),
                messages(Level.WARN).toString());
    }

    @Test
    void update_duplicateEntries_theFirstWins() throws Exception {
        ring.update(List.of(Keytabs.entry(HTTP, 3, AES256, 1), Keytabs.entry(HTTP, 3, AES256, 2)), T);

        Lookup.Found found = (Lookup.Found) ring.current().find(HTTP, 3, AES256);
        assertArrayEquals(Keytabs.entry(HTTP, 3, AES256, 1).key(), found.key().bytes());
        assertEquals(1, messages(Level.WARN).size());
    }

    @Test
    void update_acceptorPrincipals_filterTheKeytab() throws Exception {
        KeyRing filtered = new KeyRing(List.of(OTHER), GRACE, clock);
        List<KeytabEntry> both = new ArrayList<>(Keytabs.kvnos(HTTP, 3));
        both.addAll(Keytabs.kvnos(OTHER, 7));

        filtered.update(both, T);

        assertEquals(Set.of(OTHER), filtered.current().principals());
    }

    @Test
    void update_configuredPrincipalMissing_isRefused_andTheKeysStay() throws Exception {
        KeyRing strict = new KeyRing(List.of(HTTP, OTHER), GRACE, clock);
        List<KeytabEntry> both = new ArrayList<>(Keytabs.kvnos(HTTP, 3));
        both.addAll(Keytabs.kvnos(OTHER, 7));
        strict.update(both, T);
        KeySet before = strict.current();

        KeytabException e = assertThrows(KeytabException.class, () -> strict.update(Keytabs.kvnos(HTTP, 4), T));

        assertEquals("no key for acceptor principal(s) HTTP/other.example.test@ARRAY.TEST; the keytab has: "
                + "HTTP/array.example.test@ARRAY.TEST. Fix the keytab or the configured principals", e.getMessage());
        assertSame(before, strict.current());
    }

    @Test
    void update_noKeysAtAll_isRefused() {
        KeytabException e = assertThrows(KeytabException.class, () -> ring.update(List.of(), T));

        assertEquals("the keytab holds no keys", e.getMessage());
        assertSame(KeySet.EMPTY, ring.current());
        assertTrue(changes.isEmpty());
    }

    @Test
    void constructor_principalWithoutRealm_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KeyRing(List.of("HTTP/host"), GRACE, clock));
    }

    @Test
    void listeners_runAfterTheSwap_andOneFailingListenerStopsNoOther() throws Exception {
        AtomicReference<KeySet> seenByListener = new AtomicReference<>();
        ring.addListener(change -> {
            throw new IllegalStateException("listener bug");
        });
        ring.addListener(change -> seenByListener.set(ring.current()));

        KeySetChange change = ring.update(Keytabs.kvnos(HTTP, 3), T);

        assertSame(change.keySet(), seenByListener.get());
    }

    @Test
    void readers_duringUpdates_neverSeeAHalfBuiltSet() throws Exception {
        // Every keytab below lists kvnos n and n+1 with keys filled with their kvno; a reader checks every snapshot.
        int readers = 4;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicLong checks = new AtomicLong();
        CountDownLatch started = new CountDownLatch(readers);
        ring.update(Keytabs.kvnos(HTTP, 1, 2), T);
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            Thread reader = new Thread(() -> {
                started.countDown();
                while (!stop.get() && failure.get() == null) {
                    String problem = check(ring.current());
                    if (problem != null) {
                        failure.compareAndSet(null, problem);
                    }
                    checks.incrementAndGet();
                }
            }, "reader-" + r);
            reader.start();
            threads.add(reader);
        }
        started.await(5, TimeUnit.SECONDS);
        logger.setLevel(Level.WARN); // 500 reload lines would only slow the writer
        try {
            for (int n = 2; n < 500; n++) {
                // Each load is a grace period after the last, so every snapshot also holds one kvno in grace.
                ring.update(Keytabs.kvnos(HTTP, n, n + 1), T.plus(GRACE.multipliedBy(n)));
            }
        } finally {
            logger.setLevel(null);
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(5_000);
            }
        }

        assertNull(failure.get());
        assertTrue(checks.get() > readers, "readers ran " + checks.get() + " checks");
    }

    /** Null when the snapshot is whole: two current kvnos n, n+1, and every listed key of the right version. */
    private static String check(KeySet keys) {
        SortedSet<Integer> listed = keys.kvnos(HTTP);
        List<Integer> current = keys.versions(HTTP).stream().filter(v -> !v.inGrace()).map(KeyVersion::kvno).toList();
        if (current.size() != 2 || current.get(1) != current.get(0) + 1) {
            return "current kvnos " + current;
        }
        for (int kvno : listed) {
            for (int enctype : new int[] {AES128, AES256}) {
                if (!(keys.find(HTTP, kvno, enctype) instanceof Lookup.Found found)
                        || found.kvno() != kvno || found.key().bytes()[0] != (byte) kvno) {
                    return "kvno " + kvno + " enctype " + enctype + " in " + keys;
                }
            }
        }
        return null;
    }

    private List<String> messages(Level level) {
        return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static SortedSet<Integer> kvnos(Integer... kvnos) {
        return new TreeSet<>(List.of(kvnos));
    }
}
