package io.kerbgate.keys;

import io.kerbgate.testing.MutableClock;
import io.kerbgate.testing.SecretFile;
import static io.kerbgate.keys.Keytabs.AES256;
import static io.kerbgate.keys.Keytabs.HTTP;
import static io.kerbgate.keys.Keytabs.OTHER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files, a real WatchService and the watcher's real thread; every wait is bounded (5 s). */
final class KeytabWatcherTest {

    private static final Instant T = Instant.parse("2026-11-25T08:00:00Z");
    private static final Duration GRACE = Duration.ofHours(10);
    private static final Duration POLL = Duration.ofMillis(200);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T);
    private final KeyRing ring = new KeyRing(List.of(), GRACE, clock);
    private KeytabWatcher watcher;

    @AfterEach
    void close() {
        if (watcher != null) {
            watcher.close();
        }
    }

    @Test
    void start_loadsTheKeytab_onOneDaemonThread() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));

        start(keytab);

        assertEquals(new TreeSet<>(List.of(3)), ring.current().kvnos(HTTP));
        assertEquals(1, watcher.reloadsOk());
        assertEquals(0, watcher.reloadsFailed());
        assertEquals(T, watcher.lastReload());
        Thread thread = watcherThread();
        assertNotNull(thread, "no thread named kerbgate-keytab-watcher");
        assertTrue(thread.isDaemon());
    }

    @Test
    void close_stopsTheThread() throws Exception {
        start(write("http.keytab", Keytabs.kvnos(HTTP, 3)));

        watcher.close();

        assertEquals(null, watcherThread());
    }

    @Test
    void start_missingFile_namesTheFileAndTheFix() {
        Path keytab = dir.resolve("missing.keytab");

        KeytabException e = assertThrows(KeytabException.class, () -> start(keytab));

        assertTrue(e.getMessage().startsWith("keytab " + keytab + " does not exist: check the path and that the "
                + "gateway's user"), e.getMessage());
    }

    @Test
    void start_emptyFile_saysItIsNotAKeytab() throws Exception {
        Path keytab = SecretFile.write(dir.resolve("http.keytab"), new byte[0]);

        KeytabException e = assertThrows(KeytabException.class, () -> start(keytab));

        assertEquals("keytab " + keytab + " is not a valid keytab: keytab is empty (0 bytes): the version is "
                + "missing at offset 0", e.getMessage());
    }

    @Test
    void start_directory_isRefused() {
        KeytabException e = assertThrows(KeytabException.class, () -> start(dir));

        assertTrue(e.getMessage().contains("is a directory, not a keytab file"), e.getMessage());
    }

    @Test
    void start_unreadableFile_namesTheFix() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        assumeTrue(Files.getFileStore(keytab).supportsFileAttributeView("posix"), "needs POSIX permissions");
        Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(keytab), "running as root: every file is readable");

        KeytabException e = assertThrows(KeytabException.class, () -> start(keytab));

        assertTrue(e.getMessage().contains("is not readable (permission denied): check the path"), e.getMessage());
    }

    @Test
    void start_acceptorPrincipalMissing_failsTheStart() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        KeyRing strict = new KeyRing(List.of(OTHER), GRACE, clock);
        watcher = new KeytabWatcher(keytab, strict, POLL);

        KeytabException e = assertThrows(KeytabException.class, watcher::start);

        assertTrue(e.getMessage().startsWith("keytab " + keytab + ": no key for acceptor principal(s) " + OTHER),
                e.getMessage());
    }

    @Test
    void reload_onInPlaceWrite() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        start(keytab);

        SecretFile.write(keytab, Keytabs.bytes(Keytabs.kvnos(HTTP, 3, 4)));

        awaitKvnos(3, 4);
        await(() -> watcher.reloadsOk() == 2, "the reload to be counted");
    }

    @Test
    void reload_onRenameReplace() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        start(keytab);

        KeytabFile.writeAtomically(keytab, Keytabs.kvnos(HTTP, 4));

        awaitKvnos(3, 4);
        assertTrue(ring.current().version(HTTP, 3).orElseThrow().inGrace());
    }

    @Test
    void reload_onKubernetesSymlinkSwap() throws Exception {
        // The layout of a Kubernetes secret volume: http.keytab -> ..data/http.keytab, ..data -> ..<timestamp>.
        Path first = Files.createDirectory(dir.resolve("..2026_11_25_08_00_00.1"));
        KeytabFile.writeAtomically(first.resolve("http.keytab"), Keytabs.kvnos(HTTP, 3));
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path keytab = Files.createSymbolicLink(dir.resolve("http.keytab"), Path.of("..data", "http.keytab"));
        start(keytab);

        Path second = Files.createDirectory(dir.resolve("..2026_11_25_09_00_00.2"));
        KeytabFile.writeAtomically(second.resolve("http.keytab"), Keytabs.kvnos(HTTP, 4));
        Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(first.resolve("http.keytab"));
        Files.delete(first);

        awaitKvnos(3, 4);
    }

    @Test
    void reload_ofAHardLinkChangedElsewhere_isCaughtByThePoll() throws Exception {
        // The write goes through another directory, so the watched one sees no event (as on NFS).
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path original = write("elsewhere/keys.keytab", Keytabs.kvnos(HTTP, 3));
        Path watched = Files.createDirectory(dir.resolve("watched"));
        Path keytab = Files.createLink(watched.resolve("http.keytab"), original);
        start(keytab);

        SecretFile.write(elsewhere.resolve("keys.keytab"), Keytabs.bytes(Keytabs.kvnos(HTTP, 3, 4)));

        awaitKvnos(3, 4);
    }

    @Test
    void corruptFile_keepsTheKeys_countsOneFailure_thenAGoodFileLoads() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        start(keytab);
        KeySet good = ring.current();

        replace(keytab, new byte[] {5, 2, 0, 0, 0, 99, 1, 2, 3});

        await(() -> watcher.reloadsFailed() == 1, "the corrupt file to be refused");
        assertSame(good, ring.current());
        assertTrue(watcher.lastError().contains("is not a valid keytab: entry at offset 2 declares 99 bytes"),
                watcher.lastError());

        replace(keytab, Keytabs.bytes(Keytabs.kvnos(HTTP, 3, 4)));
        awaitKvnos(3, 4);
        assertEquals(1, watcher.reloadsFailed(), "the same bad file must be counted once, not at every poll");
    }

    @Test
    void truncatedFile_keepsTheKeys() throws Exception {
        byte[] whole = Keytabs.bytes(Keytabs.kvnos(HTTP, 3, 4));
        Path keytab = SecretFile.write(dir.resolve("http.keytab"), whole);
        start(keytab);
        KeySet good = ring.current();

        replace(keytab, Arrays.copyOf(whole, whole.length - 10));

        await(() -> watcher.reloadsFailed() == 1, "the truncated file to be refused");
        assertSame(good, ring.current());
        assertTrue(watcher.lastError().contains("declares"), watcher.lastError());
    }

    @Test
    void emptyFile_keepsTheKeys() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        start(keytab);
        KeySet good = ring.current();

        replace(keytab, new byte[0]);

        await(() -> watcher.reloadsFailed() == 1, "the empty file to be refused");
        assertSame(good, ring.current());
        assertTrue(watcher.lastError().contains("keytab is empty"), watcher.lastError());
    }

    @Test
    void deletedFile_keepsTheKeys_untilItComesBack() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        start(keytab);
        KeySet good = ring.current();

        Files.delete(keytab);

        await(() -> watcher.reloadsFailed() == 1, "the missing file to be reported");
        assertSame(good, ring.current());
        assertTrue(watcher.lastError().contains("does not exist"), watcher.lastError());

        write("http.keytab", Keytabs.kvnos(HTTP, 3, 4));
        awaitKvnos(3, 4);
    }

    @Test
    void burstOfWrites_isDebouncedIntoFewReloads() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        watcher = new KeytabWatcher(keytab, ring, Duration.ofSeconds(30)); // events only
        watcher.start();

        for (int kvno = 4; kvno <= 8; kvno++) {
            SecretFile.write(keytab, Keytabs.bytes(Keytabs.kvnos(HTTP, kvno)));
        }

        await(() -> ring.current().version(HTTP, 8).isPresent(), "the last write to load");
        assertTrue(watcher.reloadsOk() <= 3, "5 writes in a burst caused " + (watcher.reloadsOk() - 1) + " reloads");
    }

    @Test
    void periodicTick_retiresKvnosWhoseGraceEnded() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        start(keytab);
        KeytabFile.writeAtomically(keytab, Keytabs.kvnos(HTTP, 4));
        awaitKvnos(3, 4);
        List<KeySetChange> retired = new CopyOnWriteArrayList<>();
        ring.addListener(retired::add);

        clock.advance(GRACE.plusSeconds(1));

        awaitKvnos(4);
        await(() -> !retired.isEmpty(), "the listener to hear of it"); // listeners run just after the swap
        assertEquals(Set.of(3), retired.get(0).retired().get(HTTP));
    }

    private void start(Path keytab) throws KeytabException {
        watcher = new KeytabWatcher(keytab, ring, POLL);
        watcher.start();
    }

    private Path write(String name, List<KeytabEntry> entries) throws IOException {
        Path keytab = dir.resolve(name);
        KeytabFile.writeAtomically(keytab, entries);
        return keytab;
    }

    private void awaitKvnos(Integer... kvnos) throws InterruptedException {
        Set<Integer> expected = new TreeSet<>(List.of(kvnos));
        await(() -> ring.current().kvnos(HTTP).equals(expected), "kvnos " + expected);
        assertInstanceOf(Lookup.Found.class, ring.current().find(HTTP, kvnos[kvnos.length - 1], AES256));
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited 5 s for " + what + "; keys " + ring.current() + ", reloads ok "
                        + watcher.reloadsOk() + ", failed " + watcher.reloadsFailed() + ", last error "
                        + watcher.lastError());
            }
            Thread.sleep(10);
        }
    }

    private static Thread watcherThread() {
        Set<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("kerbgate-keytab-watcher") && t.isAlive())
                .collect(Collectors.toSet());
        return threads.isEmpty() ? null : threads.iterator().next();
    }

    /**
     * The file's new content in one step (written beside it, renamed over it): the failure counts asserted here are
     * exact, and a truncate-and-write caught halfway by the poll would rightly count one failure more.
     */
    private static void replace(Path file, byte[] content) throws IOException {
        Path tmp = SecretFile.write(file.resolveSibling(file.getFileName() + ".new"), content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void start_worldReadableKeytab_isRefused_withTheFix() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-r--r--"));
        watcher = new KeytabWatcher(keytab, ring, POLL);

        KeytabException e = assertThrows(KeytabException.class, watcher::start);

        assertTrue(e.getMessage().contains("is mode 0644 (rw-r--r--): readable by every user"), e.getMessage());
        assertTrue(e.getMessage().contains("chmod 600 " + keytab), e.getMessage());
        assertEquals(1, watcher.reloadsFailed());
    }

    @Test
    void chmodOthersReadable_whileRunning_isRefusedAtTheNextPoll_keepsTheKeys_andCountsOnce() throws Exception {
        Path keytab = write("http.keytab", Keytabs.kvnos(HTTP, 3));
        start(keytab);
        KeySet good = ring.current();

        // A chmod alone: same contents, and no event for the directory watch.
        Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-r--r--"));

        await(() -> watcher.reloadsFailed() == 1, "the world-readable keytab to be refused");
        assertSame(good, ring.current());
        assertTrue(watcher.lastError().contains("readable by every user"), watcher.lastError());
        Thread.sleep(3 * POLL.toMillis());
        assertEquals(1, watcher.reloadsFailed(), "reported once, not at every poll");

        // A group-writable replacement is refused too; 0640 loads.
        replace(keytab, Keytabs.bytes(Keytabs.kvnos(HTTP, 3, 4)));
        Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-rw----"));
        await(() -> watcher.reloadsFailed() == 2, "the group-writable keytab to be refused");
        assertTrue(watcher.lastError().contains("writable by its group"), watcher.lastError());
        Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-r-----"));
        awaitKvnos(3, 4);
    }
}
