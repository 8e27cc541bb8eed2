package io.kerbgate.replay;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.replay.SharedStoreSettings.Fail;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay cache of the whole array: this node's own cache first, then a store every node shares, so that an
 * authenticator one node accepted is refused by the others (RFC 4120 §3.2.3: servers that share a key must share the
 * replay cache). A replay this node saw itself costs no round trip; anything else costs one,
 * {@code SET kerbgate:rc:<mac tag> <owner> NX PX <ttl>}, waited for at most the configured timeout.
 *
 * <p><b>Failover.</b> When the store cannot answer (an error, no answer in time, or an open circuit), the request is
 * held: it asks again every {@value #HOLD_POLL_MILLIS} ms, up to {@code failover_wait}, so that a Sentinel failover or
 * a Redis restart costs latency, not refusals. The caller must therefore not be an event loop: the proxy runs the
 * acceptor on its own threads when a store is configured. Every attempt of one request writes the same
 * {@code owner} value, unique to the request, so that an attempt whose answer was lost (the master died with it in
 * flight) is recognised by the next one as its own and not taken for a replay.
 *
 * <p>When the wait is over and the store still gives no verdict, the configured {@link Fail} direction decides:
 * {@code CLOSED} throws {@link ReplayCacheUnavailableException} (the client gets 503), {@code OPEN} returns this node's
 * verdict alone. The local cache has then already recorded the authenticator, which is what keeps a fail-open node
 * from accepting one token twice.
 *
 * <p>Meters: {@code kerbgate.replay.shared.requests{result=first|replay|error|skipped_open_circuit}} (one per request,
 * by its last attempt), {@code kerbgate.replay.shared.held{result=answered|unavailable}} and
 * {@code kerbgate.replay.shared.holding} (requests waiting now), {@code kerbgate.replay.shared.fail.open.decisions},
 * {@code kerbgate.replay.shared.latency} (round trips, including failed ones) and
 * {@code kerbgate.replay.shared.circuit.open} (1 while open).
 */
public final class SharedReplayCache implements CloseableReplayCache {

    static final String KEY_PREFIX = "kerbgate:rc:";
    static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
    // Short next to a failover (seconds), long next to a round trip: a held request finds the new master within
    // this of the connection coming back, and a few dozen held requests cost a few thousand wake-ups a second.
    static final long HOLD_POLL_MILLIS = 25;

    private static final Logger log = LoggerFactory.getLogger(SharedReplayCache.class);

    /** How a held request waits between attempts; tests advance a fake clock instead. */
    @FunctionalInterface
    interface Pause {
        Pause SLEEP = TimeUnit.NANOSECONDS::sleep;

        void pause(long nanos) throws InterruptedException;
    }

    private final ReplayCache local;
    private final SharedStore store;
    private final String storeName;
    private final Fail fail;
    private final long timeoutNanos;
    private final long failoverWaitNanos;
    private final CircuitBreaker breaker;
    private final Ticker ticker;
    private final Pause pause;
    private final WarnThrottle warnings;
    private final LongAdder heldBackWarnings = new LongAdder();
    // Unique per node run and per request: what makes a retry recognise its own earlier write.
    private final String ownerPrefix = Long.toHexString(new SecureRandom().nextLong()) + ":";
    private final AtomicLong owners = new AtomicLong();
    private final AtomicInteger holding = new AtomicInteger();

    private final Counter first;
    private final Counter replay;
    private final Counter error;
    private final Counter skipped;
    private final Counter heldAnswered;
    private final Counter heldUnavailable;
    private final Counter failOpenDecisions;
    private final Timer latency;

    /**
     * @param storeName    how logs and errors name the store: host, port and database, never a password
     * @param failoverWait how long a request waits for a store that cannot answer; zero refuses or accepts at once
     */
    SharedReplayCache(ReplayCache local, SharedStore store, String storeName, Fail fail, Duration timeout,
            Duration failoverWait, CircuitBreaker breaker, Ticker ticker, Pause pause, MeterRegistry registry) {
        this.local = local;
        this.store = store;
        this.storeName = storeName;
        this.fail = fail;
        this.timeoutNanos = timeout.toNanos();
        this.failoverWaitNanos = failoverWait.toNanos();
        this.breaker = breaker;
        this.ticker = ticker;
        this.pause = pause;
        this.warnings = new WarnThrottle(WARN_INTERVAL, ticker);
        this.first = requests(registry, "first");
        this.replay = requests(registry, "replay");
        this.error = requests(registry, "error");
        this.skipped = requests(registry, "skipped_open_circuit");
        this.heldAnswered = held(registry, "answered");
        this.heldUnavailable = held(registry, "unavailable");
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
        Gauge.builder("kerbgate.replay.shared.holding", holding, AtomicInteger::get)
                .description("requests waiting for the shared replay cache to answer again (failover_wait)")
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

    private static Counter held(MeterRegistry registry, String result) {
        return Counter.builder("kerbgate.replay.shared.held")
                .description("requests that waited for the shared replay cache (failover_wait), by how the wait ended")
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
        String storeKey = KEY_PREFIX + key.externalForm();
        String owner = ownerPrefix + Long.toString(owners.incrementAndGet(), 36);
        long ttlMillis = ttlMillis(ttl);
        long holdUntil = ticker.read() + failoverWaitNanos;
        boolean held = false;
        boolean written = false;
        try {
            while (true) {
                Attempt attempt = breaker.tryAcquire() ? ask(storeKey, owner, ttlMillis, written) : Attempt.SKIPPED;
                written |= attempt.wrote();
                if (attempt.firstSeen() != null) {
                    (attempt.firstSeen() ? first : replay).increment();
                    if (held) {
                        heldAnswered.increment();
                    }
                    return attempt.firstSeen();
                }
                long left = holdUntil - ticker.read();
                if (left <= 0) {
                    (attempt == Attempt.SKIPPED ? skipped : error).increment();
                    if (held) {
                        heldUnavailable.increment();
                    }
                    return cannotAsk(attempt.failure());
                }
                if (!held) {
                    held = true;
                    holding.incrementAndGet();
                }
                pause.pause(Math.min(left, TimeUnit.MILLISECONDS.toNanos(HOLD_POLL_MILLIS)));
            }
        } catch (InterruptedException e) {
            // Not the store's fault: the breaker is not told.
            Thread.currentThread().interrupt();
            error.increment();
            return cannotAsk("interrupted while waiting");
        } finally {
            if (held) {
                holding.decrementAndGet();
            }
        }
    }

    /**
     * One attempt of a request: a verdict, or why there is none. {@code wrote} when a SET went out, so that later
     * attempts look for the request's own value.
     */
    private record Attempt(@Nullable Boolean firstSeen, String failure, boolean wrote) {
        static final Attempt SKIPPED = new Attempt(null, "circuit open after repeated failures", false);
    }

    private Attempt ask(String storeKey, String owner, long ttlMillis, boolean retry) {
        long start = ticker.read();
        String failure;
        try {
            // A command abandoned here is cleared from the connection by the store's own, longer, command timeout.
            boolean firstSeen = await(store.setIfAbsent(storeKey, owner, ttlMillis));
            if (!firstSeen && retry) {
                // An earlier attempt of this request may have been applied though its answer was lost.
                firstSeen = owner.equals(await(store.get(storeKey)));
            }
            latency.record(ticker.read() - start, TimeUnit.NANOSECONDS);
            if (breaker.onSuccess() == CircuitBreaker.Transition.CLOSED) {
                log.info("shared replay cache {} answers again: circuit closed", storeName);
            }
            return new Attempt(firstSeen, "", true);
        } catch (TimeoutException e) {
            failure = "no answer within " + Duration.ofNanos(timeoutNanos).toMillis() + "ms";
        } catch (ExecutionException e) {
            failure = describe(e.getCause() == null ? e : e.getCause());
        } catch (RuntimeException e) {
            // Whatever the client throws, the request goes the configured direction rather than out as a 500.
            failure = describe(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(null, "interrupted while waiting", true);
        }
        latency.record(ticker.read() - start, TimeUnit.NANOSECONDS);
        if (breaker.onFailure() == CircuitBreaker.Transition.OPENED) {
            log.warn("shared replay cache {}: {} consecutive failures, circuit open: no call for the cool-down ({})",
                    storeName, breaker.consecutiveFailures(), failure);
        }
        return new Attempt(null, failure, true);
    }

    private <T> T await(CompletionStage<T> answer)
            throws InterruptedException, ExecutionException, TimeoutException {
        return answer.toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS);
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
