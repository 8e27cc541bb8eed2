package io.kerbgate.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kerbgate.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class KvnoUsageTest {

    private static final String SPN = "HTTP/array.example.test@ARRAY.TEST";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T09:00:10Z"));
    private final KvnoUsage usage = new KvnoUsage(clock);

    @Test
    void counts_perKvno_inOneMinuteBuckets_newestFirst() {
        usage.accepted(SPN, 1);
        usage.accepted(SPN, 1);
        clock.advance(Duration.ofMinutes(1));
        usage.accepted(SPN, 1);
        usage.accepted(SPN, 2);

        assertArrayEquals(new long[] {1, 2, 0, 0, 0}, usage.perMinute(SPN, 1));
        assertArrayEquals(new long[] {1, 0, 0, 0, 0}, usage.perMinute(SPN, 2));
        assertEquals(3, usage.lastMinutes(SPN, 1));
        assertEquals(0, usage.lastMinutes(SPN, 3));
        assertEquals(0, usage.lastMinutes("HTTP/other@ARRAY.TEST", 1));
    }

    @Test
    void window_slides_aBucketComingRoundStartsFromZero() {
        usage.accepted(SPN, 1);
        clock.advance(Duration.ofMinutes(4));
        assertArrayEquals(new long[] {0, 0, 0, 0, 1}, usage.perMinute(SPN, 1));

        clock.advance(Duration.ofMinutes(1)); // the first minute's bucket is reused
        assertArrayEquals(new long[] {0, 0, 0, 0, 0}, usage.perMinute(SPN, 1));
        usage.accepted(SPN, 1);
        assertArrayEquals(new long[] {1, 0, 0, 0, 0}, usage.perMinute(SPN, 1));
    }

    @Test
    void concurrentCounts_areAllKept() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.submit(() -> {
                for (int i = 0; i < 10_000; i++) {
                    usage.accepted(SPN, 7);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);

        assertEquals(40_000, usage.lastMinutes(SPN, 7));
    }

    @Test
    void retainOnly_forgetsRetiredVersions_andTheReportShowsCountsAndTimeToRetire() throws Exception {
        KeyRing ring = new KeyRing(List.of(SPN), Duration.ofSeconds(90), Clock.systemUTC());
        ring.update(List.of(entry(1)), clock.instant());
        ring.update(List.of(entry(2)), clock.instant());
        usage.accepted(SPN, 1);
        usage.accepted(SPN, 2);
        usage.accepted(SPN, 9);

        usage.retainOnly(ring.current());
        KeysReport report = KeysReport.of(ring.current(), usage, clock.instant().plusSeconds(30));

        assertEquals(0, usage.lastMinutes(SPN, 9), "kvno 9 is not in the key set");
        KeysReport.Version one = report.version(SPN, 1).orElseThrow();
        assertEquals(1, one.accepted().last5m());
        assertEquals(List.of(1L, 0L, 0L, 0L, 0L), one.accepted().perMinute());
        assertEquals(60, one.secondsUntilRetire());
        assertEquals(null, report.version(SPN, 2).orElseThrow().secondsUntilRetire());
        String json = report.toJson();
        assertEquals(report, KeysReport.fromJson(json));
        assertEquals(true, json.contains("\"accepted\":{\"last_5m\":1,\"per_minute\":[1,0,0,0,0]},"
                + "\"seconds_until_retire\":60"), json);
    }

    private static KeytabEntry entry(int kvno) {
        return new KeytabEntry(SPN, 1, 0, kvno, 18, new byte[32]);
    }
}
