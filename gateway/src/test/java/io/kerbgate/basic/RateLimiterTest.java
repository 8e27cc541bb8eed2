package io.kerbgate.basic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class RateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(3, Duration.ofMinutes(3), nanos::get);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aBurstOfAttempts_thenOneAPeriodOverAttempts() {
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.acquire("alice"));
        }
        long wait = limiter.acquire("alice");
        assertTrue(wait > 0 && wait <= Duration.ofMinutes(1).toNanos(), "wait " + wait);

        advance(Duration.ofSeconds(59));
        assertTrue(limiter.acquire("alice") > 0);
        advance(Duration.ofSeconds(1));
        assertEquals(0, limiter.acquire("alice"));
        assertTrue(limiter.acquire("alice") > 0);
    }

    @Test
    void keysHaveTheirOwnBuckets_andAnIdleOneIsFullAgain() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire("alice");
        }
        assertEquals(0, limiter.acquire("bob"));
        advance(Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.acquire("alice"));
        }
        assertTrue(limiter.acquire("alice") > 0, "never more than the burst, however long it waited");
    }

    @Test
    void refill_isTheLongestWaitForOneAttempt() {
        assertEquals(Duration.ofMinutes(1), limiter.refill());
    }
}
