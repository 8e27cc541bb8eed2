package io.kerbgate.replay;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.config.GatewayConfig.Replay.Shared.Fail;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay cache of the whole array: this node's own cache first, then a store every node shares, so that an
 * authenticator one node accepted is refused by the others (RFC 4120 §3.2.3: servers that share a key must share the
 * replay cache). A replay this node saw itself costs no round trip; anything else costs exactly one,
 * {@code SET kerbgate:rc:<mac tag> 1 NX PX <ttl>}, waited for at most the configured timeout.
 *
 * <p>When the store cannot answer (an error, no answer in time, or an open circuit) the configured {@link Fail}
 * direction decides: {@code CLOSED} throws {@link ReplayCacheUnavailableException} (the client gets 503), {@code OPEN}
 * returns this node's verdict alone. The local cache has then already recorded the authenticator, which is what keeps
 * a fail-open node from accepting one token twice.
 *
 * <p>Meters: {@code kerbgate.replay.shared.requests{result=first|replay|error|skipped_open_circuit}},
 * {@code kerbgate.replay.shared.fail.open.decisions}, {@code kerbgate.replay.shared.latency} (round trips, including
 * failed ones) and {@code kerbgate.replay.shared.circuit.open} (1 while open).
 */
public final class SharedReplayCache implements CloseableReplayCache {

    static final String KEY_PREFIX = "kerbgate:rc:";
    static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(SharedReplayCache.class);

    private final ReplayCache local;
    private final SharedStore store;
    private final String storeName;
    private final Fail fail;
    private final long timeoutNanos;
    private final CircuitBreaker breaker;
    private final Ticker ticker;
    private final WarnThrottle warnings;
    private final LongAdder heldBackWarnings = new LongAdder();

    private final Counter first;
    private final Counter replay;
    private final Counter error;
    private final Counter skipped;
    private final Counter failOpenDecisions;
    private final Timer latency;

    /**
     * @param storeName how logs and errors name the store: host, port and database, never a password
     */
    SharedReplayCache(ReplayCache local, SharedStore store, String storeName, Fail fail, Duration timeout,
            CircuitBreaker breaker, Ticker ticker, MeterRegistry registry) {
        this.local = local;
        this.store = store;
        this.storeName = storeName;
        this.fail = fail;
        this.timeoutNanos = timeout.toNanos();
        this.breaker = breaker;
        this.ticker = ticker;
        this.warnings = new WarnThrottle(WARN_INTERVAL, ticker);
        this.first = requests(registry, "first");
        this.replay = requests(registry, "replay");
        this.error = requests(registry, "error");
        this.skipped = requests(registry, "skipped_open_circuit");
        this.failOpenDecisions = Counter.builder("kerbgate.replay.shared.fail.open.decisions")
                .description("authenticators accepted on this node's replay cache alone while the shared one was down")
                .register(registry);
        this.latency = Timer.builder("kerbgate.replay.shared.latency")
                .description("round trips to the shared replay cache, failed ones included")
                .register(registry);
        Gauge.builder("kerbgate.replay.shared.circuit.open", breaker, b -> b.isOpen() ? 1 : 0)
                .description("1 while the shared replay cache is skipped after consecutive failures")
                .strongReference(true)
                .register(registry);
        store.onConnected(breaker::trialNow);
    }

    private static Counter requests(MeterRegistry registry, String result) {
        return Counter.builder("kerbgate.replay.shared.requests")
                .description("shared replay cache lookups by outcome")
                .tag("result", result)
                .register(registry);
    }

    @Override
    public boolean firstSeen(ReplayKey key, Requester requester, Duration ttl)
            throws ReplayCacheUnavailableException, ReplayQuotaExceededException {
        // The local shares also bound what one client can put in the store: at most nodes × its share.
        if (!local.firstSeen(key, requester, ttl)) {
            return false;
        }
        if (!breaker.tryAcquire()) {
            skipped.increment();
            return cannotAsk("circuit open after repeated failures");
        }
        long start = ticker.read();
        String failure;
        try {
            // A command abandoned here is cleared from the connection by the store's own, longer, command timeout.
            boolean firstSeen = store.setIfAbsent(KEY_PREFIX + key.externalForm(), ttlMillis(ttl))
                    .toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS);
            latency.record(ticker.read() - start, TimeUnit.NANOSECONDS);
            if (breaker.onSuccess() == CircuitBreaker.Transition.CLOSED) {
                log.info("shared replay cache {} answers again: circuit closed", storeName);
            }
            (firstSeen ? first : replay).increment();
            return firstSeen;
        } catch (TimeoutException e) {
            failure = "no answer within " + Duration.ofNanos(timeoutNanos).toMillis() + "ms";
        } catch (ExecutionException e) {
            failure = describe(e.getCause() == null ? e : e.getCause());
        } catch (RuntimeException e) {
            // Whatever the client throws, the request goes the configured direction rather than out as a 500.
            failure = describe(e);
        } catch (InterruptedException e) {
            // Not the store's fault: the breaker is not told. A trial call lost this way is retried after a cool-down.
            Thread.currentThread().interrupt();
            return cannotAsk("interrupted while waiting");
        }
        latency.record(ticker.read() - start, TimeUnit.NANOSECONDS);
        error.increment();
        if (breaker.onFailure() == CircuitBreaker.Transition.OPENED) {
            log.warn("shared replay cache {}: {} consecutive failures, circuit open: no call for the cool-down ({})",
                    storeName, breaker.consecutiveFailures(), failure);
        }
        return cannotAsk(failure);
    }

    /** The store gave no verdict: decide in the configured direction. The local cache has said "first seen". */
    private boolean cannotAsk(String why) throws ReplayCacheUnavailableException {
        if (fail == Fail.OPEN) {
            failOpenDecisions.increment();
        }
        warn(why);
        if (fail == Fail.CLOSED) {
            throw new ReplayCacheUnavailableException("shared replay cache " + storeName + " unavailable (" + why
                    + "); fail: closed refuses the request");
        }
        return true;
    }

    private void warn(String why) {
        if (!warnings.tryAcquire()) {
            heldBackWarnings.increment();
            return;
        }
        String decision = fail == Fail.CLOSED
                ? "refusing with 503 (fail: closed)"
                : "accepting on this node's replay cache alone (fail: open), a replay to another node can pass";
        long heldBack = heldBackWarnings.sumThenReset();
        log.warn("shared replay cache {} unavailable ({}): {}{}", storeName, why, decision,
                heldBack == 0 ? "" : "; " + heldBack + " more since the last warning");
    }

    /** The failure and its root cause, for a log line: "RedisConnectionException: Unable to connect to h:1 (...)". */
    static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        return root == failure ? text : text + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    // PX takes whole milliseconds: round up, so an entry never lives shorter than asked.
    static long ttlMillis(Duration ttl) {
        return Math.max(1, ttl.plusNanos(999_999).toMillis());
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "SharedReplayCache[" + storeName + ", fail: " + fail.configName() + "]";
    }
}
