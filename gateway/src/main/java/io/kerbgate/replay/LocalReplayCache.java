package io.kerbgate.replay;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/**
 * The per-node replay cache, in memory. Entries expire on their own deadline (Caffeine's timer wheel, so tokens
 * arriving out of time order cost the same as in-order ones: a cache that degrades on them is a denial-of-service
 * lever, as the JDK's is). It is bounded, but never by evicting live entries, which would reopen the window for a
 * replay: when full, it refuses to record, and the acceptor refuses the request.
 */
public final class LocalReplayCache implements ReplayCache {
    private final Cache<ReplayKey, Long> seen;
    private final long maxEntries;

    public LocalReplayCache(long maxEntries, Ticker ticker) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.seen = Caffeine.newBuilder()
                .ticker(ticker)
                .expireAfter(Expiry.<ReplayKey, Long>creating((key, ttlNanos) -> Duration.ofNanos(ttlNanos)))
                .build();
    }

    @Override
    public boolean firstSeen(ReplayKey key, Duration ttl) throws ReplayCacheUnavailableException {
        if (seen.estimatedSize() >= maxEntries) {
            seen.cleanUp();
            if (seen.estimatedSize() >= maxEntries) {
                throw new ReplayCacheUnavailableException("replay cache is full (" + maxEntries + " entries)");
            }
        }
        return seen.asMap().putIfAbsent(key, ttl.toNanos()) == null;
    }

    public long size() {
        return seen.estimatedSize();
    }
}
