package io.kerbgate.basic;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One token bucket per key: {@code attempts} at once, refilled at {@code attempts} per {@code per}. A bucket left alone
 * for {@code per} is full again, so it is dropped then, and memory holds only the keys seen lately, at most
 * {@link #MAX_KEYS}. An attacker who sprays random user names fills the table with keys seen once; Caffeine's
 * admission (W-TinyLFU) keeps the keys asked for often, such as the account under attack, over those.
 */
final class RateLimiter {

    static final int MAX_KEYS = 100_000;

    private final int attempts;
    private final long nanosPerToken;
    private final Ticker ticker;
    private final Cache<String, Bucket> buckets;

    RateLimiter(int attempts, Duration per, Ticker ticker) {
        if (attempts < 1 || per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("rate limit of " + attempts + " per " + per);
        }
        this.attempts = attempts;
        this.nanosPerToken = Math.max(1, per.toNanos() / attempts);
        this.ticker = ticker;
        this.buckets = Caffeine.newBuilder().maximumSize(MAX_KEYS).expireAfterAccess(per.toNanos(),
                TimeUnit.NANOSECONDS).ticker(ticker).build();
    }

    /**
     * Takes one attempt from {@code key}'s bucket.
     *
     * @return 0 when there was one; else how long until there is one, in nanoseconds
     */
    long acquire(String key) {
        Bucket bucket = buckets.get(key, k -> new Bucket(attempts, ticker.read()));
        synchronized (bucket) {
            long now = ticker.read();
            long earned = (now - bucket.updated) / nanosPerToken;
            if (earned > 0) {
                bucket.tokens = (int) Math.min(attempts, bucket.tokens + earned);
                bucket.updated = bucket.tokens == attempts ? now : bucket.updated + earned * nanosPerToken;
            }
            if (bucket.tokens > 0) {
                bucket.tokens--;
                return 0;
            }
            return Math.max(1, bucket.updated + nanosPerToken - now);
        }
    }

    /** The longest wait for one attempt: what {@code Retry-After} may promise. */
    Duration refill() {
        return Duration.ofNanos(nanosPerToken);
    }

    private static final class Bucket {
        int tokens;
        long updated;

        Bucket(int tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }
}
