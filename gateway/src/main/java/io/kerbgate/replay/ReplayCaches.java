package io.kerbgate.replay;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.config.GatewayConfig.Replay;
import io.kerbgate.config.GatewayConfig.Replay.Shared;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Builds the replay cache the acceptor uses, from the {@code replay:} section of the config. */
public final class ReplayCaches {

    private ReplayCaches() {}

    /**
     * The node's own cache alone when no shared store is configured; otherwise a {@link SharedReplayCache} layered
     * over it. The connection to the store opens in the background: this returns at once, even with the store down.
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
        Ticker ticker = Ticker.systemTicker();
        return new SharedReplayCache(local, store, store.toString(), shared.fail(), shared.timeout(),
                new CircuitBreaker(shared.circuitFailures(), shared.circuitCooldown(), ticker), ticker, registry);
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
        public boolean firstSeen(ReplayKey key, Duration ttl) throws ReplayCacheUnavailableException {
            return local.firstSeen(key, ttl);
        }

        @Override
        public void close() {
            // Memory only: nothing to release.
        }
    }
}
