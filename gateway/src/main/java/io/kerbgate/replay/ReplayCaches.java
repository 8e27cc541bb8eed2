package io.kerbgate.replay;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.replay.SharedStoreSettings.Fail;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the replay cache the acceptor uses, from the settings of the shared store ({@code replay.shared}), if any. */
public final class ReplayCaches {

    private static final Logger log = LoggerFactory.getLogger(ReplayCaches.class);

    private ReplayCaches() {}

    /**
     * The node's own cache alone when no shared store is configured; otherwise a {@link SharedReplayCache} layered
     * over it. It waits up to two seconds for the store to answer a first command, and starts without it if the store
     * is down (then each request goes the configured {@code fail} direction until it is up).
     *
     * @param local    this node's replay cache; consulted first in either case
     * @param registry where the shared cache's meters go (none for a per-node cache)
     * @throws IOException when the password file cannot be read
     */
    public static CloseableReplayCache create(@Nullable SharedStoreSettings shared, LocalReplayCache local,
            MeterRegistry registry)
            throws IOException {
        if (shared == null) {
            return new LocalOnly(local);
        }
        char[] password = shared.passwordFile() == null ? null : readPassword(shared.passwordFile());
        char[] sentinelPassword =
                shared.sentinelPasswordFile() == null ? null : readPassword(shared.sentinelPasswordFile());
        RedisSharedStore store = new RedisSharedStore(shared, password, sentinelPassword);
        awaitReady(store, shared);
        Ticker ticker = Ticker.systemTicker();
        return new SharedReplayCache(local, store, store.toString(), shared.fail(), shared.timeout(),
                shared.failoverWait(), new CircuitBreaker(shared.circuitFailures(), shared.circuitCooldown(), ticker),
                ticker, SharedReplayCache.Pause.SLEEP, registry);
    }

    /**
     * When the acceptor's restart guard starts (RFC 4120 §3.2.3, issue #11 item 8), or {@link Instant#EPOCH} for no
     * guard: none when the replay file holds what the previous run accepted, or when a shared store that fails
     * closed does (every acceptance was first recorded there). Otherwise {@code now}: authenticators stamped before
     * now + skew are refused, so clients are refused for up to one skew after a restart, and the log says so.
     *
     * @param file the opened replay file, or null when none is configured
     */
    public static Instant restartGuardStart(@Nullable SharedStoreSettings shared, @Nullable ReplayFile file,
            Instant now, Duration skew) {
        if (file != null && !file.previousRunMayBeLost()) {
            return Instant.EPOCH;
        }
        if (shared != null && shared.fail() == Fail.CLOSED) {
            log.info("restart guard off: the shared replay cache (fail: closed) holds what the previous run accepted");
            return Instant.EPOCH;
        }
        log.warn("restart guard on: authenticators stamped before {} are refused as possible replays of the previous"
                + " run ({}); clients get 401 until their clocks pass it. Set acceptor.replay_cache_file to keep the"
                + " replay cache across restarts", now.plus(skew), file == null ? "no acceptor.replay_cache_file"
                        + (shared != null ? ", replay.shared fails open" : "")
                        : "the replay file may have lost the end of the previous run");
        return now;
    }

    // Not fatal when it fails: the store may come up after the gateway, and until then fail: decides.
    private static void awaitReady(RedisSharedStore store, SharedStoreSettings shared) {
        Optional<String> problem;
        try {
            problem = store.awaitReady(RedisSharedStore.CONNECT_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = Optional.of("interrupted");
        }
        if (problem.isEmpty()) {
            log.info("shared replay cache {} answers (fail: {}, timeout {} ms, failover_wait {} ms,"
                    + " min_replicas_ack {})", store, shared.fail().configName(), shared.timeout().toMillis(),
                    shared.failoverWait().toMillis(), shared.minReplicasAck());
        } else {
            log.warn("shared replay cache {} does not answer at start ({}): until it does, requests {}", store,
                    problem.get(), shared.fail() == Fail.CLOSED ? "are refused with 503 (fail: closed)"
                            : "are checked by this node's replay cache alone (fail: open)");
        }
    }

    /** The file's content less one line break at the end, which editors and {@code echo} add. */
    static char[] readPassword(Path file) throws IOException {
        String text = Files.readString(file);
        if (text.endsWith("\r\n")) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
            throw new IOException(file + " holds no password");
        }
        return text.toCharArray();
    }

    private record LocalOnly(LocalReplayCache local) implements CloseableReplayCache {
        @Override
        public boolean firstSeen(ReplayKey key, Requester requester, Duration ttl)
                throws ReplayCacheUnavailableException, ReplayQuotaExceededException {
            return local.firstSeen(key, requester, ttl);
        }

        @Override
        public void close() {
            // Memory only: nothing to release.
        }
    }
}
