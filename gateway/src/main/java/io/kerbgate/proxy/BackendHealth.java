package io.kerbgate.proxy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.config.GatewayConfig.Health;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of every backend, from two sources:
 * <ul>
 *   <li>active checks ({@link HealthChecker}): {@code unhealthy_threshold} failed checks in a row mark a backend down,
 *       {@code healthy_threshold} passed checks in a row mark it up again;
 *   <li>live traffic (passive): {@code passive.consecutive_failures} failures in a row (a connect failure, a reset
 *       or timeout before the response head, a 5xx response) eject the backend for {@code passive.ejection}; then it
 *       gets requests again, and is ejected again after as many failures.
 * </ul>
 *
 * <p>Every change builds a new {@link HealthView} and publishes it with one volatile write; changes are serialized by
 * a lock, taken only when the state of a backend changes or an active check reports (seconds apart), never on the
 * success path of a request. Thread-safe.
 */
final class BackendHealth {

    private static final Logger log = LoggerFactory.getLogger(BackendHealth.class);

    private final List<Backend> backends;
    private final Health config;
    private final Ticker ticker;
    private final AtomicInteger[] passiveFailures;
    private final Object lock = new Object();
    // Guarded by lock.
    private final int[] checkSuccesses;
    private final int[] checkFailures;

    private volatile HealthView view;

    BackendHealth(List<Backend> backends, Health config, Ticker ticker) {
        this.backends = backends;
        this.config = config;
        this.ticker = ticker;
        this.passiveFailures = new AtomicInteger[backends.size()];
        for (int i = 0; i < passiveFailures.length; i++) {
            passiveFailures[i] = new AtomicInteger();
        }
        this.checkSuccesses = new int[backends.size()];
        this.checkFailures = new int[backends.size()];
        this.view = HealthView.allUp(backends.size());
    }

    /** The current view: read it once per decision. */
    HealthView view() {
        return view;
    }

    long now() {
        return ticker.read();
    }

    /** A 503 for "no backend available" carries this {@code Retry-After}. */
    long retryAfterSeconds(HealthView snapshot) {
        long fallback = config.active()
                ? config.interval().multipliedBy(config.healthyThreshold()).toSeconds()
                : config.passive().ejection().toSeconds();
        return snapshot.retryAfterSeconds(now(), Math.max(1, fallback));
    }

    /** A request was answered with a status below 500: the run of passive failures ends. */
    void passiveSuccess(int backend) {
        AtomicInteger failures = passiveFailures[backend];
        // Read first: a write on every response would bounce the cache line between event loops.
        if (failures.get() != 0) {
            failures.set(0);
        }
    }

    /** A connect failure, a reset or timeout before the response head, or a 5xx response. */
    void passiveFailure(int backend, String why) {
        int threshold = config.passive().consecutiveFailures();
        if (threshold == 0 || passiveFailures[backend].incrementAndGet() < threshold) {
            return;
        }
        synchronized (lock) {
            if (passiveFailures[backend].get() < threshold) {
                return; // another thread ejected it already
            }
            passiveFailures[backend].set(0);
            long now = now();
            view = view.withEjection(backend, now + config.passive().ejection().toNanos());
        }
        log.warn("backend {} ejected for {} after {} consecutive failures (last: {})", backends.get(backend),
                config.passive().ejection(), threshold, why);
    }

    /** The outcome of one active check. */
    void checked(int backend, boolean passed, String detail) {
        boolean changed = false;
        synchronized (lock) {
            if (passed) {
                checkFailures[backend] = 0;
                checkSuccesses[backend]++;
                if (!view.up(backend) && checkSuccesses[backend] >= config.healthyThreshold()) {
                    view = view.withUp(backend, true);
                    changed = true;
                }
            } else {
                checkSuccesses[backend] = 0;
                checkFailures[backend]++;
                if (view.up(backend) && checkFailures[backend] >= config.unhealthyThreshold()) {
                    view = view.withUp(backend, false);
                    changed = true;
                }
            }
        }
        if (changed) {
            log.warn("backend {} marked {} by its health check ({})", backends.get(backend), passed ? "up" : "down",
                    detail);
        } else {
            log.debug("backend {} health check {}: {}", backends.get(backend), passed ? "passed" : "failed", detail);
        }
    }
}
