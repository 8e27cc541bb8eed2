package io.kerbgate.keys;

import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many tickets each key version decrypted lately: per (principal, kvno), a sliding window of {@value #MINUTES}
 * one-minute buckets. During a rollover {@code GET /keys} shows the traffic move from kvno n to n+1, and that
 * nothing uses kvno n any more before it is retired (the question Exchange's
 * {@code -IncludeAlternateServiceAccountCredentialStatus} answers).
 *
 * <p>{@link #accepted} is on the request path: one map lookup and one compare-and-set, no lock. Each bucket is one
 * {@code long} holding the epoch minute it counts (high 32 bits) and the count (low 32 bits), so a bucket that
 * comes round again starts from zero in the same atomic step that counts the first ticket of its new minute.
 */
public final class KvnoUsage {

    /** The window, in one-minute buckets. */
    public static final int MINUTES = 5;
    private static final long MINUTE_MILLIS = 60_000;
    private static final long COUNT_MASK = 0xFFFF_FFFFL;

    private final Clock clock;
    private final ConcurrentHashMap<Version, AtomicLongArray> windows = new ConcurrentHashMap<>();

    public KvnoUsage(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private record Version(String principal, int kvno) {}

    /** Counts one ticket of {@code principal} decrypted with key version {@code kvno}. */
    public void accepted(String principal, int kvno) {
        long minute = clock.millis() / MINUTE_MILLIS;
        AtomicLongArray window = windows.computeIfAbsent(new Version(principal, kvno),
                v -> new AtomicLongArray(MINUTES));
        int i = (int) (minute % MINUTES);
        while (true) {
            long bucket = window.get(i);
            long next = bucket >>> 32 == minute
                    ? bucket + ((bucket & COUNT_MASK) == COUNT_MASK ? 0 : 1) // saturate rather than wrap
                    : minute << 32 | 1;
            if (window.compareAndSet(i, bucket, next)) {
                return;
            }
        }
    }

    /**
     * The counts of the last {@value #MINUTES} minutes, the current (partial) minute first; zeros for a version
     * that decrypted nothing lately.
     */
    public long[] perMinute(String principal, int kvno) {
        long[] counts = new long[MINUTES];
        AtomicLongArray window = windows.get(new Version(principal, kvno));
        if (window == null) {
            return counts;
        }
        long minute = clock.millis() / MINUTE_MILLIS;
        for (int k = 0; k < MINUTES; k++) {
            long bucket = window.get((int) ((minute - k) % MINUTES));
            counts[k] = bucket >>> 32 == minute - k ? bucket & COUNT_MASK : 0;
        }
        return counts;
    }

    /** The sum of {@link #perMinute}. */
    public long lastMinutes(String principal, int kvno) {
        return Arrays.stream(perMinute(principal, kvno)).sum();
    }

    /** Forgets the versions {@code keys} no longer holds (retired), so the map stays as small as the key set. */
    public void retainOnly(KeySet keys) {
        windows.keySet().removeIf(v -> keys.version(v.principal(), v.kvno()).isEmpty());
    }
}
