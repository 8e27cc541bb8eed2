package io.kerbgate.replay;

import java.time.Duration;

/**
 * The replay cache RFC 4120 §3.2.3 requires of every server. {@link #firstSeen} is one atomic
 * insert-if-absent: of many concurrent copies of one authenticator, exactly one gets {@code true}.
 */
public interface ReplayCache {

    /**
     * Records the authenticator.
     *
     * @param ttl how long the record must outlive now; after that the skew check refuses the authenticator anyway
     * @return true the first time, false for a replay
     * @throws ReplayCacheUnavailableException when the cache cannot decide (full, or its store is unreachable and
     *                                         configured to fail closed)
     */
    boolean firstSeen(ReplayKey key, Duration ttl) throws ReplayCacheUnavailableException;
}
