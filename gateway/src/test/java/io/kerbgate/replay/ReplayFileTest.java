package io.kerbgate.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay file on a real file system: what a run records, the next run restores; crashes and bounds. */
final class ReplayFileTest {
    private static final Duration LIFE = Duration.ofMinutes(10);

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T08:00:00Z"));

    private static ReplayKey key(int i) {
        return new ReplayKey(ByteBuffer.allocate(12).putInt(8, i).array());
    }

    @Test
    void entries_survive_a_clean_restart_and_expired_ones_are_dropped() throws Exception {
        Path file = dir.resolve("replay.cache");
        try (ReplayFile run1 = ReplayFile.open(file, clock, LIFE)) {
            assertTrue(run1.restored().isEmpty());
            assertFalse(run1.previousRunMayBeLost(), "no file: a first start");
            run1.record(key(1), LIFE);
            clock.advance(Duration.ofMinutes(6));
            run1.record(key(2), LIFE);
        }
        clock.advance(Duration.ofMinutes(5)); // key 1 expired a minute ago, key 2 has 5 min left
        try (ReplayFile run2 = ReplayFile.open(file, clock, LIFE)) {
            assertFalse(run2.previousRunMayBeLost());
            assertEquals(List.of(new Journal.Restored(key(2), Duration.ofMinutes(5))), run2.restored());
        }
        assertEquals(ReplayFile.HEADER_BYTES + 2L * ReplayFile.RECORD_BYTES, Files.size(file),
                "compacted at start: the live entry and the clean-close record");
    }

    @Test
    void a_killed_process_loses_nothing_and_a_torn_last_record_is_ignored() throws Exception {
        Path file = dir.resolve("replay.cache");
        ReplayFile run1 = ReplayFile.open(file, clock, LIFE);
        run1.record(key(1), LIFE);
        run1.record(key(2), LIFE);
        run1.killForTest();
        // Killed mid-write: half a record at the end, and no clean-close record. Same host (same boot id).
        Files.write(file, new byte[ReplayFile.RECORD_BYTES / 2], StandardOpenOption.APPEND);
        try (ReplayFile run2 = ReplayFile.open(file, clock, LIFE)) {
            assertEquals(2, run2.restored().size());
            assertFalse(run2.previousRunMayBeLost(), "a process crash on the same boot lost nothing");
        }
    }

    @Test
    void a_damaged_record_switches_the_guard_on() throws Exception {
        Path file = dir.resolve("replay.cache");
        try (ReplayFile run1 = ReplayFile.open(file, clock, LIFE)) {
            run1.record(key(1), LIFE);
            run1.record(key(2), LIFE);
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[ReplayFile.HEADER_BYTES + ReplayFile.RECORD_BYTES + 3] ^= 1; // inside the second record
        Files.write(file, bytes);
        try (ReplayFile run2 = ReplayFile.open(file, clock, LIFE)) {
            assertEquals(List.of(key(1)), run2.restored().stream().map(Journal.Restored::key).toList());
            assertTrue(run2.previousRunMayBeLost());
        }
    }

    @Test
    void segments_rotate_so_the_files_stay_bounded() throws Exception {
        Path file = dir.resolve("replay.cache");
        try (ReplayFile run = ReplayFile.open(file, clock, LIFE)) {
            for (int i = 0; i < 100; i++) {
                run.record(key(i), LIFE);
                clock.advance(Duration.ofMinutes(1));
            }
        }
        long bytes = Files.size(file) + Files.size(dir.resolve("replay.cache.prev"));
        // One record a minute, ten-minute lives: two segments of at most ~10 records each, never all 100.
        assertTrue(bytes <= 2 * ReplayFile.HEADER_BYTES + 22L * ReplayFile.RECORD_BYTES, bytes + " bytes");
        try (ReplayFile next = ReplayFile.open(file, clock, LIFE)) {
            assertEquals(9, next.restored().size(), "the last ten minutes' entries, less the one now expiring");
        }
    }

    @Test
    void local_cache_restores_the_file_and_refuses_the_previous_runs_authenticators() throws Exception {
        Path file = dir.resolve("replay.cache");
        FakeTicker ticker = new FakeTicker();
        try (ReplayFile run1 = ReplayFile.open(file, clock, LIFE)) {
            LocalReplayCache cache = new LocalReplayCache(1_000, 100, 250, ticker, run1);
            assertTrue(cache.firstSeen(key(7), Requester.of("alice@R", java.net.InetAddress.getLoopbackAddress()),
                    LIFE));
        }
        try (ReplayFile run2 = ReplayFile.open(file, clock, LIFE)) {
            LocalReplayCache cache = new LocalReplayCache(1_000, 100, 250, ticker, run2);
            assertFalse(cache.firstSeen(key(7), LIFE), "the previous run's authenticator is a replay");
            assertTrue(cache.firstSeen(key(8), LIFE));
        }
    }

    @Test
    void a_second_process_cannot_share_the_file_while_the_first_holds_it() throws Exception {
        Path file = dir.resolve("replay.cache");
        try (ReplayFile first = ReplayFile.open(file, clock, LIFE)) {
            first.record(key(1), LIFE);
            java.io.IOException refused = assertThrows(java.io.IOException.class,
                    () -> ReplayFile.open(file, clock, LIFE));
            assertTrue(refused.getMessage().contains("in use by another kerbgate process"), refused.getMessage());
        }
        try (ReplayFile next = ReplayFile.open(file, clock, LIFE)) {
            assertEquals(1, next.restored().size(), "the lock went with the first run's close");
        }
    }

    @Test
    void a_closed_file_refuses_to_record() throws Exception {
        ReplayFile run = ReplayFile.open(dir.resolve("replay.cache"), clock, LIFE);
        run.close();
        assertThrows(java.io.IOException.class, () -> run.record(key(1), LIFE));
    }
}
