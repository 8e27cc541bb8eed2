package io.kerbgate.replay;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a warning through at most once per interval: during an outage every request fails the same way, and one line
 * per request would drown the log (and cost the disk) while saying nothing new. The caller counts what it held back.
 * Also the proxy's, for connections refused by {@code proxy_protocol}.
 */
public final class WarnThrottle {
    private final long intervalNanos;
    private final Ticker ticker;
    private final AtomicLong nextAt;

    public WarnThrottle(Duration interval, Ticker ticker) {
        this.intervalNanos = interval.toNanos();
        this.ticker = ticker;
        this.nextAt = new AtomicLong(ticker.read());
    }

    /** True for the first caller of each interval. */
    public boolean tryAcquire() {
        long now = ticker.read();
        long next = nextAt.get();
        return now - next >= 0 && nextAt.compareAndSet(next, now + intervalNanos);
    }
}
