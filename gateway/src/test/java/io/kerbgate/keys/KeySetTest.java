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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

final class KeySetTest {

    private static final Instant T = Instant.parse("2026-11-25T08:00:00Z");
    private static final Duration GRACE = Duration.ofHours(10);

    private final MutableClock clock = new MutableClock(T);

    @Test
    void find_presentKey_isFoundWithItsKvno() throws Exception {
        KeySet keys = load(Keytabs.kvnos(HTTP, 3, 4));

        Lookup.Found found = assertInstanceOf(Lookup.Found.class, keys.find(HTTP, 3, AES256));

        assertEquals(3, found.kvno());
        assertArrayEquals(Keytabs.entry(HTTP, 3, AES256, 3).key(), found.key().bytes());
    }

    @Test
    void find_unknownPrincipal_isNoPrincipal() throws Exception {
        KeySet keys = load(Keytabs.kvnos(HTTP, 3));

        assertSame(Lookup.NoPrincipal.INSTANCE, keys.find(OTHER, 3, AES256));
        assertSame(Lookup.NoPrincipal.INSTANCE, keys.find("HTTP/array.example.test@array.test", 3, AES256));
    }

    @Test
    void find_absentKvno_listsTheKvnosPresent() throws Exception {
        KeySet keys = load(Keytabs.kvnos(HTTP, 4, 3));

        Lookup.NoKvno miss = assertInstanceOf(Lookup.NoKvno.class, keys.find(HTTP, 5, AES256));

        assertArrayEquals(new int[] {3, 4}, miss.kvnosPresent());
    }

    @Test
    void find_absentEnctype_listsTheKvnosEnctypes() throws Exception {
        KeySet keys = load(List.of(Keytabs.entry(HTTP, 3, AES256, 3), Keytabs.entry(HTTP, 3, 99, 3)));

        Lookup.NoEnctype miss = assertInstanceOf(Lookup.NoEnctype.class, keys.find(HTTP, 3, AES128));

        assertArrayEquals(new int[] {18, 99}, miss.enctypesPresent());
    }

    @Test
    void find_withoutKvno_takesTheHighestKvnoHoldingTheEnctype() throws Exception {
        KeySet keys = load(List.of(Keytabs.entry(HTTP, 3, AES128, 3), Keytabs.entry(HTTP, 3, AES256, 3),
                Keytabs.entry(HTTP, 4, AES256, 4)));

        assertEquals(4, ((Lookup.Found) keys.find(HTTP, KeySet.NO_KVNO, AES256)).kvno());
        assertEquals(3, ((Lookup.Found) keys.find(HTTP, KeySet.NO_KVNO, AES128)).kvno());
        Lookup.NoEnctype miss = assertInstanceOf(Lookup.NoEnctype.class, keys.find(HTTP, KeySet.NO_KVNO, 20));
        assertArrayEquals(new int[] {17, 18}, miss.enctypesPresent());
    }

    @Test
    void find_withoutKvno_prefersACurrentKvnoOverAHigherOneInGrace() throws Exception {
        KeyRing ring = ring();
        ring.update(Keytabs.kvnos(HTTP, 7), T);
        ring.update(Keytabs.kvnos(HTTP, 5), T.plusSeconds(1)); // a rollback: 7 goes into grace

        assertEquals(5, ((Lookup.Found) ring.current().find(HTTP, KeySet.NO_KVNO, AES256)).kvno());

        ring.update(List.of(Keytabs.entry(HTTP, 5, AES128, 5)), T.plusSeconds(2));
        assertEquals(7, ((Lookup.Found) ring.current().find(HTTP, KeySet.NO_KVNO, AES256)).kvno(),
                "with no current aes256 key, the newest one in grace");
    }

    @Test
    void find_kvnoZero_isAnOrdinaryVersion() throws Exception {
        KeySet keys = load(Keytabs.kvnos(HTTP, 0));

        assertEquals(0, ((Lookup.Found) keys.find(HTTP, 0, AES256)).kvno());
        assertInstanceOf(Lookup.NoKvno.class, keys.find(HTTP, 1, AES256));
    }

    @Test
    void find_returnsPrecomputedAnswers() throws Exception {
        KeySet keys = load(Keytabs.kvnos(HTTP, 3, 4));

        assertSame(keys.find(HTTP, 3, AES256), keys.find(HTTP, 3, AES256));
        assertSame(keys.find(HTTP, 9, AES256), keys.find(HTTP, 4000, AES256));
        assertSame(keys.find(HTTP, 3, 99), keys.find(HTTP, 3, 98));
        assertSame(keys.find(HTTP, KeySet.NO_KVNO, AES128), keys.find(HTTP, 4, AES128));
    }

    @Test
    void find_allocatesNothing() throws Exception {
        KeySet keys = load(Keytabs.kvnos(HTTP, 200, 300));
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int[] kvnos = {200, 300, 301, KeySet.NO_KVNO};
        int hits = 0;
        for (int i = 0; i < 20_000; i++) { // warm up, so that the measured loop runs compiled code
            hits += keys.find(HTTP, kvnos[i & 3], AES256) instanceof Lookup.Found ? 1 : 0;
        }

        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            hits += keys.find(HTTP, kvnos[i & 3], AES256) instanceof Lookup.Found ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;

        assertTrue(hits > 0);
        assertTrue(allocated < 10_000, "100k lookups allocated " + allocated + " bytes");
    }

    @Test
    void statusAccessors_reportEveryVersion() throws Exception {
        KeyRing ring = ring();
        ring.update(Keytabs.kvnos(HTTP, 2, 3), T);
        clock.advance(Duration.ofMinutes(5));
        ring.update(Keytabs.kvnos(HTTP, 3, 4), T.plusSeconds(300));
        KeySet keys = ring.current();

        assertEquals(new TreeSet<>(List.of(HTTP)), new TreeSet<>(keys.principals()));
        assertEquals(new TreeSet<>(List.of(2, 3, 4)), keys.kvnos(HTTP));
        assertEquals(List.of(2, 3, 4), keys.versions(HTTP).stream().map(KeyVersion::kvno).toList());
        KeyVersion two = keys.version(HTTP, 2).orElseThrow();
        KeyVersion three = keys.version(HTTP, 3).orElseThrow();
        KeyVersion four = keys.version(HTTP, 4).orElseThrow();
        assertTrue(two.inGrace());
        assertEquals(Optional.of(T.plusSeconds(300).plus(GRACE)), two.retiresAt());
        assertEquals(T, two.lastSeen());
        assertFalse(three.inGrace());
        assertEquals(Optional.empty(), three.retiresAt());
        assertEquals(T, three.firstSeen());
        assertEquals(T.plusSeconds(300), three.lastSeen());
        assertEquals(T.plusSeconds(300), four.firstSeen());
        SortedSet<Integer> enctypes = four.enctypes();
        assertEquals(new TreeSet<>(List.of(17, 18)), enctypes);
        assertTrue(keys.kvnos(OTHER).isEmpty());
        assertEquals(List.of(), keys.versions(OTHER));
    }

    @Test
    void empty_hasNothing() {
        assertTrue(KeySet.EMPTY.isEmpty());
        assertTrue(KeySet.EMPTY.principals().isEmpty());
        assertSame(Lookup.NoPrincipal.INSTANCE, KeySet.EMPTY.find(HTTP, 1, AES256));
    }

    private KeyRing ring() {
        return new KeyRing(List.of(), GRACE, clock);
    }

    private KeySet load(List<KeytabEntry> entries) throws KeytabException {
        KeyRing ring = ring();
        ring.update(entries, T);
        return ring.current();
    }
}
