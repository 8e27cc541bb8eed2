package io.kerbgate.acceptor;

import io.kerbgate.bench.BenchTokens;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.messages.Ticket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * A ring of distinct {@code Authorization} headers, minted before the measurement, and a cursor shared by the
 * benchmark threads. Every real token is distinct and every replay cache refuses a repeat, so a benchmark must never
 * present the same header twice to one replay cache: {@link #pass(long)} tells the caller when the ring has wrapped.
 *
 * <p>The shared cursor keeps the global order of presentation equal to the order of the ring, so an in-order pool
 * is presented in order also with several threads (the JDK's replay cache is sensitive to that, see
 * {@link TimeOrder}). Its cost, one contended {@code getAndIncrement}, is tens of nanoseconds against accepts of
 * tens of microseconds.
 */
final class TokenPool {
    private final String[] headers;
    private final AtomicLong cursor = new AtomicLong();

    private TokenPool(String[] headers) {
        this.headers = headers;
    }

    /**
     * Mints {@code size} headers for {@value BenchTokens#CLIENT}.
     *
     * @param ticketPerToken a fresh ticket (new session key) in every header, or one ticket for all
     * @param order          how the authenticators' client times follow each other along the ring
     * @param now            the time the run starts; client times stay within {@link TimeOrder#WINDOW} before it
     */
    static TokenPool mint(BenchTokens tokens, int size, boolean ticketPerToken, TimeOrder order, Instant now) {
        if (size < 1) {
            throw new IllegalArgumentException("pool size must be positive: " + size);
        }
        long[] offsetsMicros = order.offsetsMicros(size);
        Instant base = now.minus(TimeOrder.WINDOW);
        // Issued an hour ago, so that no ticket is "not yet valid" for any client time of the pool.
        Instant authtime = base.minus(Duration.ofHours(1));
        KerberosKey sharedKey = tokens.sessionKey();
        Ticket shared = tokens.ticket(sharedKey, authtime);
        String[] headers = new String[size];
        // Minting is setup, not measurement: both cores are used, and the pool is ready before the first iteration.
        IntStream.range(0, size).parallel().forEach(i -> {
            KerberosKey key = ticketPerToken ? tokens.sessionKey() : sharedKey;
            Ticket ticket = ticketPerToken ? tokens.ticket(key, authtime) : shared;
            headers[i] = BenchTokens.header(ticket, key, base.plusNanos(offsetsMicros[i] * 1000));
        });
        return new TokenPool(headers);
    }

    /** Claims the next position; positions are never reused. */
    long next() {
        return cursor.getAndIncrement();
    }

    String header(long position) {
        return headers[(int) (position % headers.length)];
    }

    /** How many times the ring had wrapped when {@code position} was claimed: 0 on the first pass. */
    long pass(long position) {
        return position / headers.length;
    }

    int size() {
        return headers.length;
    }
}
