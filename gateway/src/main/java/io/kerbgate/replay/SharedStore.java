package io.kerbgate.replay;

import java.util.concurrent.CompletionStage;

/** A store that all nodes of the array share, reduced to the one operation the replay cache needs. */
interface SharedStore extends AutoCloseable {

    /**
     * Sets the key if it is absent, with a time to live, in one round trip.
     *
     * @return completes with true when this call set the key, false when it was already there, and exceptionally
     *         when the store cannot answer
     */
    CompletionStage<Boolean> setIfAbsent(String key, long ttlMillis);

    @Override
    void close();
}
