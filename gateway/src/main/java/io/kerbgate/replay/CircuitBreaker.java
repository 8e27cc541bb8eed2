package io.kerbgate.replay;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/**
 * Stops calling a store that keeps failing. After {@code failureThreshold} consecutive failures the circuit opens:
 * callers get an immediate "no" for the cool-down, then one caller at a time is let through as a trial, once per
 * cool-down, until a call succeeds and closes the circuit. A trial whose outcome never comes back therefore costs one
 * cool-down, not a stuck circuit.
 *
 * <p>A lock guards a few fields; it is uncontended next to the network round trip each permit leads to.
 */
final class CircuitBreaker {

    /** How a reported outcome changed the circuit, so that the caller logs transitions and only those. */
    enum Transition { NONE, OPENED, CLOSED }

    private final int failureThreshold;
    private final long cooldownNanos;
    private final Ticker ticker;

    private int consecutiveFailures;
    private boolean open;
    private long nextTrialAt;

    CircuitBreaker(int failureThreshold, Duration cooldown, Ticker ticker) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be positive: " + failureThreshold);
        }
        if (cooldown.isNegative() || cooldown.isZero()) {
            throw new IllegalArgumentException("cooldown must be positive: " + cooldown);
        }
        this.failureThreshold = failureThreshold;
        this.cooldownNanos = cooldown.toNanos();
        this.ticker = ticker;
    }

    /** True when the caller may call the store now; then it must report the outcome. */
    synchronized boolean tryAcquire() {
        if (!open) {
            return true;
        }
        long now = ticker.read();
        if (now - nextTrialAt < 0) {
            return false;
        }
        nextTrialAt = now + cooldownNanos;
        return true;
    }

    /**
     * Lets the next caller through as a trial now rather than after the rest of the cool-down: the store has just
     * reconnected (a new master after a failover, a restarted server), so a trial is likely to succeed. Does nothing
     * while closed.
     */
    synchronized void trialNow() {
        if (open) {
            nextTrialAt = ticker.read();
        }
    }

    synchronized Transition onSuccess() {
        consecutiveFailures = 0;
        if (open) {
            open = false;
            return Transition.CLOSED;
        }
        return Transition.NONE;
    }

    synchronized Transition onFailure() {
        consecutiveFailures = consecutiveFailures == Integer.MAX_VALUE ? consecutiveFailures : consecutiveFailures + 1;
        if (open) {
            nextTrialAt = ticker.read() + cooldownNanos;
            return Transition.NONE;
        }
        if (consecutiveFailures >= failureThreshold) {
            open = true;
            nextTrialAt = ticker.read() + cooldownNanos;
            return Transition.OPENED;
        }
        return Transition.NONE;
    }

    synchronized boolean isOpen() {
        return open;
    }

    synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }
}
