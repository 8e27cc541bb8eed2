package io.kerbgate.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.bench.AbstractBenchmark;
import io.kerbgate.bench.BenchTokens;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.messages.EncryptedData;
import io.kerbgate.messages.PrincipalName;
import io.kerbgate.messages.Ticket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One {@link TicketCache} lookup among {@code entries} cached tickets: a hit (key built from the ticket, Caffeine
 * lookup, the byte-for-byte comparison of the ciphertext) and a miss (a ticket never seen). What the cached accept
 * path pays instead of a ticket decryption.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TicketCacheBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
public class TicketCacheBenchmark extends AbstractBenchmark {
    @Param("10000")
    public int entries;

    private TicketCache cache;
    private KerberosKey serviceKey;
    private EncryptedData[] cached;
    private EncryptedData unknown;
    private int next;

    @Setup
    public void setUp() {
        BenchTokens minter = new BenchTokens(Enctype.AES256_CTS_HMAC_SHA1_96);
        serviceKey = minter.serviceKey();
        Instant now = Instant.now();
        cache = new TicketCache(entries * 2L, Ticker.systemTicker());
        cached = new EncryptedData[entries];
        for (int i = 0; i < entries; i++) {
            KerberosKey sessionKey = minter.sessionKey();
            Ticket t = minter.ticket(sessionKey, now);
            cached[i] = t.encPart();
            DecryptedTicket dt = new DecryptedTicket(sessionKey, BenchTokens.REALM,
                    new PrincipalName(PrincipalName.NT_PRINCIPAL, List.of("alice")), BenchTokens.CLIENT,
                    EncTicketPart.FLAG_INITIAL, now, now, now.plus(BenchTokens.TICKET_LIFETIME), List.of(),
                    new byte[0], List.of());
            cache.put(serviceKey, cached[i], dt, now, Duration.ofMinutes(5));
        }
        KerberosKey other = minter.sessionKey();
        unknown = minter.ticket(other, now).encPart();
    }

    @Benchmark
    public DecryptedTicket hit() {
        int i = next;
        next = i + 1 == cached.length ? 0 : i + 1;
        DecryptedTicket t = cache.get(serviceKey, cached[i]);
        if (t == null) {
            throw new IllegalStateException("cached ticket " + i + " missing");
        }
        return t;
    }

    @Benchmark
    public DecryptedTicket miss() {
        return cache.get(serviceKey, unknown);
    }
}
