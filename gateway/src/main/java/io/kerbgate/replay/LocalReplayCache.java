package io.kerbgate.replay;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The per-node replay cache, in memory. Entries expire on their own deadline (Caffeine's timer wheel, so tokens
 * arriving out of time order cost the same as in-order ones: a cache that degrades on them is a denial-of-service
 * lever, as the JDK's is). It is bounded, but never by evicting live entries, which would reopen the window for a
 * replay: when full, it refuses to record, and the acceptor refuses the request (503).
 *
 * <p>So that one client cannot fill it and shut everyone out (issue #11 item 5), each principal and each source
 * address (an IPv6 peer by its /64) may hold only a share of it: past that, that requester's fresh authenticators are
 * refused ({@link ReplayQuotaExceededException}, 429) until its own entries expire, and everyone else is unaffected.
 * A share of {@code n} entries is a sustained {@code n / (2 × skew)} fresh authenticators per second on this node.
 *
 * <p>With a {@link Journal}, every recorded entry is written down, and the entries a previous run wrote are restored
 * at construction (charged to nobody), so a restart forgets nothing it accepted.
 */
public final class LocalReplayCache implements ReplayCache {
    /** The default share of one principal: a tenth of the cache. */
    public static final int DEFAULT_PRINCIPAL_DIVISOR = 10;
    /** The default share of one address: a quarter of the cache (many users may sit behind one NAT). */
    public static final int DEFAULT_ADDRESS_DIVISOR = 4;

    private final Cache<ReplayKey, Held> seen;
    private final long maxEntries;
    private final long maxPerPrincipal;
    private final long maxPerAddress;
    private final Journal journal;
    private final ConcurrentMap<String, Long> byPrincipal = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Long> byAddress = new ConcurrentHashMap<>();

    private record Held(Requester requester, long ttlNanos) {}

    /** With the default shares and no journal. */
    public LocalReplayCache(long maxEntries, Ticker ticker) {
        this(maxEntries, defaultShare(maxEntries, DEFAULT_PRINCIPAL_DIVISOR),
                defaultShare(maxEntries, DEFAULT_ADDRESS_DIVISOR), ticker, Journal.NONE);
    }

    /**
     * @param maxPerPrincipal most live entries one client principal may hold
     * @param maxPerAddress   most live entries one source address (IPv6: one /64) may hold
     * @param journal         where entries are written down, and read back from at start
     */
    public LocalReplayCache(long maxEntries, long maxPerPrincipal, long maxPerAddress, Ticker ticker,
            Journal journal) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        if (maxPerPrincipal < 1 || maxPerPrincipal > maxEntries) {
            throw new IllegalArgumentException("maxPerPrincipal must be in 1.." + maxEntries + ": " + maxPerPrincipal);
        }
        if (maxPerAddress < 1 || maxPerAddress > maxEntries) {
            throw new IllegalArgumentException("maxPerAddress must be in 1.." + maxEntries + ": " + maxPerAddress);
        }
        this.maxEntries = maxEntries;
        this.maxPerPrincipal = maxPerPrincipal;
        this.maxPerAddress = maxPerAddress;
        this.journal = journal;
        this.seen = Caffeine.newBuilder()
                .ticker(ticker)
                .expireAfter(Expiry.<ReplayKey, Held>creating((key, held) -> Duration.ofNanos(held.ttlNanos())))
                // Runs inside the removal, for expiry too: a requester's count never lags its entries for long.
                .evictionListener((ReplayKey key, Held held, RemovalCause cause) -> {
                    if (held != null) {
                        release(held.requester());
                    }
                })
                .build();
        for (Journal.Restored r : journal.restored()) {
            seen.asMap().putIfAbsent(r.key(), new Held(Requester.UNATTRIBUTED, r.remaining().toNanos()));
        }
    }

    /** {@code maxEntries / divisor}, at least 1. */
    public static long defaultShare(long maxEntries, int divisor) {
        return Math.max(1, maxEntries / divisor);
    }

    @Override
    public boolean firstSeen(ReplayKey key, Requester requester, Duration ttl)
            throws ReplayCacheUnavailableException, ReplayQuotaExceededException {
        if (seen.getIfPresent(key) != null) {
            return false; // a replay is a replay, whatever its sender's quota
        }
        if (seen.estimatedSize() >= maxEntries) {
            seen.cleanUp();
            if (seen.estimatedSize() >= maxEntries) {
                throw new ReplayCacheUnavailableException("replay cache is full (" + maxEntries + " entries)");
            }
        }
        claim(requester);
        boolean first = false;
        try {
            first = seen.asMap().putIfAbsent(key, new Held(requester, ttl.toNanos())) == null;
        } finally {
            if (!first) {
                release(requester);
            }
        }
        if (first) {
            try {
                journal.record(key, ttl);
            } catch (IOException e) {
                // Kept in memory (it blocks the replay here), but the next run would not know it: refuse.
                throw new ReplayCacheUnavailableException("replay file cannot be written (" + e.getMessage()
                        + "); refusing what a restart would forget");
            }
        }
        return first;
    }

    /** Charges one entry to the requester's principal and address, or throws when either is at its share. */
    private void claim(Requester requester) throws ReplayQuotaExceededException {
        if (!requester.isAttributed()) {
            return;
        }
        if (!tryClaim(byPrincipal, requester.principal(), maxPerPrincipal)) {
            throw new ReplayQuotaExceededException(requester.principal() + " holds " + maxPerPrincipal
                    + " live authenticators on this node (acceptor.replay_cache_max_entries_per_principal): a client"
                    + " making a new token for every request faster than the share allows, or a flood");
        }
        if (!tryClaim(byAddress, requester.address(), maxPerAddress)) {
            decrement(byPrincipal, requester.principal());
            throw new ReplayQuotaExceededException(requester.address() + " holds " + maxPerAddress
                    + " live authenticators on this node (acceptor.replay_cache_max_entries_per_address): many"
                    + " clients behind one address, or a flood from it");
        }
    }

    private boolean tryClaim(ConcurrentMap<String, Long> counts, String who, long max) {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (counts.merge(who, 1L, Long::sum) <= max) {
                return true;
            }
            decrement(counts, who);
            // Expired entries are released as Caffeine removes them; make it remove them now before saying no.
            seen.cleanUp();
        }
        return false;
    }

    private void release(Requester requester) {
        if (requester.isAttributed()) {
            decrement(byPrincipal, requester.principal());
            decrement(byAddress, requester.address());
        }
    }

    private static void decrement(ConcurrentMap<String, Long> counts, String who) {
        counts.computeIfPresent(who, (k, n) -> n <= 1 ? null : n - 1);
    }

    public long size() {
        return seen.estimatedSize();
    }

    /** Live entries charged to {@code principal} (for tests and diagnostics). */
    public long heldBy(String principal) {
        return byPrincipal.getOrDefault(principal, 0L);
    }
}
