package io.kerbgate.acceptor;

import java.time.Duration;
import java.util.SplittableRandom;

/** The order of the authenticators' client times (ctime, cusec) along the ring. */
public enum TimeOrder {
    /** Strictly increasing by one microsecond per token: what one client's requests look like to a replay cache. */
    IN_ORDER,
    /**
     * Uniformly shuffled over {@link #WINDOW}, well inside the five-minute skew: many clients whose clocks and
     * network delays differ. A replay cache kept sorted by time (the JDK's) pays for every insertion that is
     * not the newest.
     */
    OUT_OF_ORDER;

    /**
     * How far back client times reach before the run starts. Two minutes inside a five-minute skew leave a run
     * three minutes before its tokens expire; one trial of the default settings takes under a minute.
     */
    static final Duration WINDOW = Duration.ofMinutes(2);

    long[] offsetsMicros(int size) {
        long[] offsets = new long[size];
        long window = WINDOW.toNanos() / 1000;
        if (this == IN_ORDER) {
            // The ring spans size microseconds, ending at most WINDOW after base.
            long start = Math.max(0, window - size);
            for (int i = 0; i < size; i++) {
                offsets[i] = start + i;
            }
        } else {
            SplittableRandom random = new SplittableRandom(4120);
            for (int i = 0; i < size; i++) {
                offsets[i] = random.nextLong(window);
            }
        }
        return offsets;
    }
}
