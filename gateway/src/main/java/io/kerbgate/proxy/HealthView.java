package io.kerbgate.proxy;

/**
 * Which backends may take requests, as of one moment: immutable, swapped whole by {@link BackendHealth}, and read once
 * per request by the {@link Balancer}.
 *
 * <p>A backend is available when the active checks have it up and passive ejection has not taken it out. An ejection
 * ends by itself: its end is part of the view, so no task has to run for the backend to come back.
 */
final class HealthView {

    private final boolean[] up;
    /** {@link System#nanoTime()} at which an ejection ends; meaningful only where {@link #ejected} is set. */
    private final long[] ejectedUntil;
    private final boolean[] ejected;

    HealthView(boolean[] up, boolean[] ejected, long[] ejectedUntil) {
        this.up = up.clone();
        this.ejected = ejected.clone();
        this.ejectedUntil = ejectedUntil.clone();
    }

    static HealthView allUp(int backends) {
        boolean[] up = new boolean[backends];
        java.util.Arrays.fill(up, true);
        return new HealthView(up, new boolean[backends], new long[backends]);
    }

    int size() {
        return up.length;
    }

    /** Up by the active checks (always true without them). */
    boolean up(int backend) {
        return up[backend];
    }

    boolean ejected(int backend, long nanoTime) {
        return ejected[backend] && nanoTime - ejectedUntil[backend] < 0;
    }

    boolean available(int backend, long nanoTime) {
        return up[backend] && !ejected(backend, nanoTime);
    }

    /**
     * The {@code Retry-After} seconds of a 503 sent because no backend is available: until the first ejection ends,
     * else {@code fallbackSeconds} (time for the active checks to see a backend come back). At least 1.
     */
    long retryAfterSeconds(long nanoTime, long fallbackSeconds) {
        long soonest = Long.MAX_VALUE;
        for (int i = 0; i < up.length; i++) {
            if (up[i] && ejected(i, nanoTime)) {
                soonest = Math.min(soonest, ejectedUntil[i] - nanoTime);
            }
        }
        long seconds = soonest == Long.MAX_VALUE ? fallbackSeconds : (soonest + 999_999_999L) / 1_000_000_000L;
        return Math.max(1, seconds);
    }

    HealthView withUp(int backend, boolean value) {
        boolean[] next = up.clone();
        next[backend] = value;
        return new HealthView(next, ejected, ejectedUntil);
    }

    HealthView withEjection(int backend, long until) {
        boolean[] nextEjected = ejected.clone();
        long[] nextUntil = ejectedUntil.clone();
        nextEjected[backend] = true;
        nextUntil[backend] = until;
        return new HealthView(up, nextEjected, nextUntil);
    }
}
