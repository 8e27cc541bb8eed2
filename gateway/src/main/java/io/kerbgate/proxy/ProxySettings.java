package io.kerbgate.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Proxy tuning that {@link io.kerbgate.config.GatewayConfig} does not carry (yet).
 *
 * @param ioThreads                event-loop threads shared by client and backend connections; 0 means Netty's
 *                                 default (twice the number of cores)
 * @param maxConnectionsPerBackend open connections to one backend over all event loops; a request that would need
 *                                 one more gets 503 at once rather than waiting in a queue
 * @param backendIdleTimeout       a pooled backend connection unused this long is closed; keep it below the backends'
 *                                 own keep-alive timeout, so that the proxy, not the backend, closes idle connections
 *                                 (a request sent on a connection the backend is closing fails with 502)
 * @param tlsPollInterval          how often the TLS certificate and key files are checked for a change
 */
public record ProxySettings(int ioThreads, int maxConnectionsPerBackend, Duration backendIdleTimeout,
                            Duration tlsPollInterval) {

    public static final ProxySettings DEFAULT = new ProxySettings(0, 512, Duration.ofSeconds(30));

    /** With the default TLS poll interval, {@link TlsContextReloader#DEFAULT_POLL_INTERVAL}. */
    public ProxySettings(int ioThreads, int maxConnectionsPerBackend, Duration backendIdleTimeout) {
        this(ioThreads, maxConnectionsPerBackend, backendIdleTimeout, TlsContextReloader.DEFAULT_POLL_INTERVAL);
    }

    public ProxySettings {
        if (ioThreads < 0) {
            throw new IllegalArgumentException("proxy.ioThreads must be >= 0 (0 = default): " + ioThreads);
        }
        if (maxConnectionsPerBackend < 1) {
            throw new IllegalArgumentException(
                    "proxy.maxConnectionsPerBackend must be >= 1: " + maxConnectionsPerBackend);
        }
        Objects.requireNonNull(backendIdleTimeout, "backendIdleTimeout");
        if (backendIdleTimeout.isNegative() || backendIdleTimeout.isZero()) {
            throw new IllegalArgumentException("proxy.backendIdleTimeout must be positive: " + backendIdleTimeout);
        }
        Objects.requireNonNull(tlsPollInterval, "tlsPollInterval");
        if (tlsPollInterval.toMillis() < 1) {
            throw new IllegalArgumentException("proxy.tlsPollInterval must be at least 1ms: " + tlsPollInterval);
        }
    }
}
