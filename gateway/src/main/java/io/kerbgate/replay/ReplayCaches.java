package io.kerbgate.replay;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.config.GatewayConfig.Replay;
import io.kerbgate.config.GatewayConfig.Replay.Shared;
import io.kerbgate.config.GatewayConfig.Replay.Shared.Fail;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the replay cache the acceptor uses, from the {@code replay:} section of the config. */
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
    public static CloseableReplayCache create(Replay config, LocalReplayCache local, MeterRegistry registry)
            throws IOException {
        Shared shared = config.shared();
        if (shared == null) {
            return new LocalOnly(local);
        }
        char[] password = shared.passwordFile() == null ? null : readPassword(shared.passwordFile());
        RedisSharedStore store = new RedisSharedStore(shared, password);
        awaitReady(store, shared);
        Ticker ticker = Ticker.systemTicker();
        return new SharedReplayCache(local, store, store.toString(), shared.fail(), shared.timeout(),
                new CircuitBreaker(shared.circuitFailures(), shared.circuitCooldown(), ticker), ticker, registry);
    }

    // Not fatal when it fails: the store may come up after the gateway, and until then fail: decides.
    private static void awaitReady(RedisSharedStore store, Shared shared) {
        Optional<String> problem;
        try {
            problem = store.awaitReady(RedisSharedStore.CONNECT_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = Optional.of("interrupted");
        }
        if (problem.isEmpty()) {
            log.info("shared replay cache {} answers (fail: {}, timeout {} ms)", store, shared.fail().configName(),
                    shared.timeout().toMillis());
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
