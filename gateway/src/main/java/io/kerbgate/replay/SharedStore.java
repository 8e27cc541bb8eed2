package io.kerbgate.replay;

import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/** A store that all nodes of the array share, reduced to the one operation the replay cache needs. */
interface SharedStore extends AutoCloseable {

    /**
     * Sets the key to {@code value} if it is absent, with a time to live, in one round trip.
     *
     * @return completes with true when this call set the key, false when it was already there, and exceptionally
     *         when the store cannot answer
     */
    CompletionStage<Boolean> setIfAbsent(String key, String value, long ttlMillis);

    /** The key's value, or null when it is absent. */
    CompletionStage<@Nullable String> get(String key);

    /**
     * Registers what to run each time the store's connection is (re)established, for instance to a master that
     * Sentinel has just promoted, so that an open circuit can try the store at once instead of after its cool-down.
     */
    default void onConnected(Runnable listener) {
        // A store without connection events never calls it.
    }

    @Override
    void close();
}
