package io.kerbgate.replay;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Where a {@link LocalReplayCache} writes down what it records, so that the next run of the node starts with it
 * (issue #11 item 8). {@link #NONE} keeps nothing: the next run starts empty and needs the restart guard.
 */
public interface Journal extends AutoCloseable {

    /** Keeps nothing. */
    Journal NONE = new Journal() {
        @Override
        public List<Restored> restored() {
            return List.of();
        }

        @Override
        public void record(ReplayKey key, Duration ttl) {
            // nothing kept
        }

        @Override
        public void close() {
            // nothing open
        }
    };

    /** What the previous run recorded that is still live, read when the journal was opened. */
    List<Restored> restored();

    /** Writes the entry down; returns once it survives the process (a crash or kill), not necessarily the host. */
    void record(ReplayKey key, Duration ttl) throws IOException;

    @Override
    void close();

    /** An entry of a previous run, with the time it has left. */
    record Restored(ReplayKey key, Duration remaining) {}
}
