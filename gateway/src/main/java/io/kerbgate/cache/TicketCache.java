package io.kerbgate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.messages.EncryptedData;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * Caches decrypted tickets so that a client reusing its service ticket (every browser and SSPI client does) costs
 * one authenticator decryption instead of two decryptions.
 *
 * <p>Safety: the key names the service principal, kvno and enctype, and a hit requires the cached ticket ciphertext
 * to equal the presented one byte for byte, so nothing but the genuine ticket can hit. The acceptor looks the
 * service key up before the cache, so a retired kvno is refused even before {@link #invalidateKvno} runs. An entry
 * lives until the ticket's end time plus the clock skew, after which the acceptor would refuse the ticket anyway.
 */
public final class TicketCache {
    /** Caps the entry's life: {@code Duration.toNanos()} overflows past ~292 years (Caffeine caps at ~146 anyway). */
    private static final Duration MAX_TTL = Duration.ofDays(365L * 100);

    private final Cache<Key, Entry> cache;

    private record Key(String service, int kvno, int etype, int cipherHash) {}

    private record Entry(byte[] cipher, DecryptedTicket ticket, long ttlNanos) {}

    public TicketCache(long maxEntries, Ticker ticker) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .ticker(ticker)
                .recordStats()
                .expireAfter(Expiry.<Key, Entry>creating((k, e) -> Duration.ofNanos(e.ttlNanos())))
                .build();
    }

    /** The cached decryption of exactly this ticket ciphertext, or {@code null}. */
    public DecryptedTicket get(String service, int kvno, EncryptedData encPart) {
        Entry e = cache.getIfPresent(key(service, kvno, encPart));
        return e != null && Arrays.equals(e.cipher(), encPart.cipher()) ? e.ticket() : null;
    }

    public void put(String service, int kvno, EncryptedData encPart, DecryptedTicket ticket, Instant now,
            Duration skew) {
        Duration ttl = Duration.between(now, ticket.endtime().plus(skew));
        if (ttl.isNegative() || ttl.isZero()) {
            return;
        }
        long ttlNanos = (ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl).toNanos();
        cache.put(key(service, kvno, encPart), new Entry(encPart.cipher(), ticket, ttlNanos));
    }

    /** Drops every ticket decrypted under a retired key version. */
    public void invalidateKvno(String service, int kvno) {
        cache.asMap().keySet().removeIf(k -> k.kvno() == kvno && k.service().equals(service));
    }

    public void invalidateAll() {
        cache.invalidateAll();
    }

    /** For metrics: Caffeine's own cache, to bind with Micrometer's {@code CaffeineCacheMetrics}. */
    public Cache<?, ?> caffeine() {
        return cache;
    }

    private static Key key(String service, int kvno, EncryptedData enc) {
        return new Key(service, kvno, enc.etype(), Arrays.hashCode(enc.cipher()));
    }
}
