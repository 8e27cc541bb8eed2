package io.kerbgate.replay;

import java.time.Duration;

/**
 * The replay cache RFC 4120 §3.2.3 requires of every server. {@link #firstSeen} is one atomic
 * insert-if-absent: of many concurrent copies of one authenticator, exactly one gets {@code true}.
 */
public interface ReplayCache {

    /**
     * Records the authenticator, charged to {@code requester}.
     *
     * @param ttl how long the record must outlive now; after that the skew check refuses the authenticator anyway
     * @return true the first time, false for a replay
     * @throws ReplayCacheUnavailableException when the cache cannot decide (full, its file cannot be written, or its
     *                                         store is unreachable and configured to fail closed)
     * @throws ReplayQuotaExceededException    when the requester's principal or address holds its share already
     */
    boolean firstSeen(ReplayKey key, Requester requester, Duration ttl)
            throws ReplayCacheUnavailableException, ReplayQuotaExceededException;

    /** {@link #firstSeen(ReplayKey, Requester, Duration)} charged to nobody, so never over a quota. */
    default boolean firstSeen(ReplayKey key, Duration ttl) throws ReplayCacheUnavailableException {
        try {
            return firstSeen(key, Requester.UNATTRIBUTED, ttl);
        } catch (ReplayQuotaExceededException e) {
            throw new IllegalStateException("an unattributed entry is never over a quota", e);
        }
    }
}
