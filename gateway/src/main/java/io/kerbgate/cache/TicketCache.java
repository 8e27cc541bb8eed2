package io.kerbgate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySet;
import io.kerbgate.messages.EncryptedData;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;

/**
 * Caches decrypted tickets so that a client reusing its service ticket (every browser and SSPI client does) costs
 * one authenticator decryption instead of two.
 *
 * <p>Safety: an entry is keyed on the {@link KerberosKey#fingerprint() fingerprint} of the service key that decrypted
 * it, never on the ticket's cleartext sname, realm or kvno, which anyone can rewrite (issue #11 item 4). A lookup
 * passes the key the acceptor would decrypt with now, so a hit is exactly what that decryption would have produced:
 * when the key at a kvno is replaced (a re-exported keytab, {@code PUT /keys}), the new key's fingerprint finds
 * nothing decrypted under the old one, not even a ticket forged with the old key to live for years (item 6); and
 * {@link #followKeys} evicts such entries at the swap. A hit also requires the cached ticket ciphertext to equal the
 * presented one byte for byte. An entry lives until the ticket's end time plus the clock skew, after which the
 * acceptor would refuse the ticket anyway.
 */
public final class TicketCache {
    /** Caps the entry's life: {@code Duration.toNanos()} overflows past ~292 years (Caffeine caps at ~146 anyway). */
    private static final Duration MAX_TTL = Duration.ofDays(365L * 100);

    private final Cache<Key, Entry> cache;

    private record Key(KerberosKey.Fingerprint serviceKey, int etype, int cipherHash) {}

    private record Entry(byte[] cipher, DecryptedTicket ticket, long ttlNanos) {}

    public TicketCache(long maxEntries, Ticker ticker) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .ticker(ticker)
                .recordStats()
                .expireAfter(Expiry.<Key, Entry>creating((k, e) -> Duration.ofNanos(e.ttlNanos())))
                .build();
    }

    /**
     * The cached decryption of exactly this ticket ciphertext under exactly this key, or {@code null}.
     *
     * @param serviceKey the key the acceptor would decrypt the ticket with now
     */
    public DecryptedTicket get(KerberosKey serviceKey, EncryptedData encPart) {
        Entry e = cache.getIfPresent(key(serviceKey, encPart));
        return e != null && Arrays.equals(e.cipher(), encPart.cipher()) ? e.ticket() : null;
    }

    /** @param serviceKey the key that decrypted the ticket */
    public void put(KerberosKey serviceKey, EncryptedData encPart, DecryptedTicket ticket, Instant now,
            Duration skew) {
        Duration ttl = Duration.between(now, ticket.endtime().plus(skew));
        if (ttl.isNegative() || ttl.isZero()) {
            return;
        }
        long ttlNanos = (ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl).toNanos();
        cache.put(key(serviceKey, encPart), new Entry(encPart.cipher(), ticket, ttlNanos));
    }

    /**
     * Keeps the cache to the keys of {@code ring}: after every swap, whatever was decrypted under a key the new snapshot
     * no longer holds (retired, or replaced at the same kvno) is dropped. Lookups could never find it anyway; this
     * frees the memory and makes the change visible in {@code kerbgate.ticket.cache.entries}.
     */
    public void followKeys(KeyRing ring) {
        ring.addListener(change -> retainKeysOf(change.keySet()));
    }

    /** Drops every ticket decrypted under a key that {@code keys} does not hold. */
    public void retainKeysOf(KeySet keys) {
        Set<KerberosKey.Fingerprint> live = keys.fingerprints();
        cache.asMap().keySet().removeIf(k -> !live.contains(k.serviceKey()));
    }

    public void invalidateAll() {
        cache.invalidateAll();
    }

    /** For metrics: Caffeine's own cache, to bind with Micrometer's {@code CaffeineCacheMetrics}. */
    public Cache<?, ?> caffeine() {
        return cache;
    }

    private static Key key(KerberosKey serviceKey, EncryptedData enc) {
        return new Key(serviceKey.fingerprint(), enc.etype(), Arrays.hashCode(enc.cipher()));
    }
}
