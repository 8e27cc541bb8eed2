package io.kerbgate.acceptor;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.replay.Journal;
import io.kerbgate.replay.LocalReplayCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * kerbgate's acceptor as the gateway assembles it (system clock, Caffeine's system ticker, the keys read from a
 * {@link KeyRing} per request, a ticket cache, a local replay cache), one per pass over the {@link TokenPool}: when
 * the ring wraps, the next pass gets an acceptor with empty caches, as if the node had been replaced, because its
 * replay cache would rightly refuse every token a second time. The swap costs two cache constructions once per pool
 * size accepts; the measured operation is otherwise the same on every pass.
 *
 * <p>Two passes are live at a time, so a thread that claimed the last positions of a pass can finish on that pass's
 * acceptor while another thread already works on the next one.
 */
final class KerbgateAcceptors {
    /** The gateway's default token limit (64 KiB decoded, about the largest Active Directory token). */
    private static final int MAX_TOKEN_BYTES = 64 * 1024;
    /** A production-sized ticket cache; the cold path fills it and makes Caffeine evict. */
    static final long TICKET_CACHE_ENTRIES = 100_000;

    private final KeyRing keys;
    private final boolean ticketCache;
    private final long replayEntries;
    private final AcceptorPolicy policy;
    private final AtomicReferenceArray<Pass> passes = new AtomicReferenceArray<>(2);

    private record Pass(long number, SpnegoAcceptor acceptor) {}

    /**
     * @param ticketCache   whether the verifier has a ticket cache
     * @param replayEntries replay cache bound: at least the pool size, so that a pass never fills it
     */
    KerbgateAcceptors(KeyRing keys, boolean ticketCache, long replayEntries) {
        this.keys = keys;
        this.ticketCache = ticketCache;
        this.replayEntries = replayEntries;
        // A node that started long ago: the first-skew-interval refusal of older authenticators does not apply.
        this.policy = AcceptorPolicy.defaults(Instant.now().minus(Duration.ofHours(1)));
        passes.set(0, new Pass(0, newAcceptor()));
    }

    /** The acceptor of pass {@code number} of the token ring. */
    SpnegoAcceptor forPass(long number) {
        Pass p = passes.get((int) (number & 1));
        if (p != null && p.number() == number) {
            return p.acceptor();
        }
        return advance(number);
    }

    private synchronized SpnegoAcceptor advance(long number) {
        int slot = (int) (number & 1);
        Pass p = passes.get(slot);
        if (p == null || p.number() < number) {
            p = new Pass(number, newAcceptor());
            passes.set(slot, p);
        } else if (p.number() > number) {
            throw new IllegalStateException("a benchmark thread fell two passes behind; use a larger pool (-p tokens)");
        }
        return p.acceptor();
    }

    private SpnegoAcceptor newAcceptor() {
        // Every token of the pool comes from one client and one address (the JDK's worst case), so the per-principal
        // and per-address shares are the whole cache: their bookkeeping is measured, their refusal never comes.
        ApReqVerifier verifier = new ApReqVerifier(policy, Clock.systemUTC(),
                new LocalReplayCache(replayEntries, replayEntries, replayEntries, Ticker.systemTicker(), Journal.NONE),
                ticketCache ? new TicketCache(TICKET_CACHE_ENTRIES, Ticker.systemTicker()) : null);
        return new SpnegoAcceptor(keys::current, verifier, MAX_TOKEN_BYTES);
    }
}
