package io.kerbgate.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Proxy tuning that {@link io.kerbgate.config.GatewayConfig} does not carry (yet).
 *
 * @param ioThreads                event-loop threads shared by client and backend connections; 0 means Netty's
 *                                 default (twice the number of cores)
 * @param maxConnectionsPerBackend open connections to one backend over all event loops, a cap over the backend's own
 *                                 {@code max_connections}
 * @param backendIdleTimeout       a pooled backend connection unused this long is closed; keep it below the backends'
 *                                 own keep-alive timeout, so that the proxy, not the backend, closes idle connections
 *                                 (a request sent on a connection the backend is closing fails, and is retried on
 *                                 another backend only when idempotent and bodiless)
 * @param maxQueuedPerBackend      requests that may wait for a connection of one backend whose limit is reached;
 *                                 beyond, 503 at once
 * @param queueTimeout             how long such a request waits before its 503
 * @param tlsPollInterval          how often the TLS certificate and key files, and the session cookie key file
 *                                 ({@code sessions.cookie.key_file}), are checked for a change
 */
public record ProxySettings(int ioThreads, int maxConnectionsPerBackend, Duration backendIdleTimeout,
                            int maxQueuedPerBackend, Duration queueTimeout, Duration tlsPollInterval) {

    public static final int DEFAULT_MAX_QUEUED = 64;
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(1);
    public static final ProxySettings DEFAULT = new ProxySettings(0, 512, Duration.ofSeconds(30));

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
        if (maxQueuedPerBackend < 0) {
            throw new IllegalArgumentException("proxy.maxQueuedPerBackend must be >= 0: " + maxQueuedPerBackend);
        }
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("proxy.queueTimeout must be positive: " + queueTimeout);
        }
        Objects.requireNonNull(tlsPollInterval, "tlsPollInterval");
        if (tlsPollInterval.toMillis() < 1) {
            throw new IllegalArgumentException("proxy.tlsPollInterval must be at least 1ms: " + tlsPollInterval);
        }
    }

    /** Settings with the default queue and TLS poll interval. */
    public ProxySettings(int ioThreads, int maxConnectionsPerBackend, Duration backendIdleTimeout) {
        this(ioThreads, maxConnectionsPerBackend, backendIdleTimeout, DEFAULT_MAX_QUEUED, DEFAULT_QUEUE_TIMEOUT);
    }

    /** Settings with the default queue. */
    public ProxySettings(int ioThreads, int maxConnectionsPerBackend, Duration backendIdleTimeout,
                         Duration tlsPollInterval) {
        this(ioThreads, maxConnectionsPerBackend, backendIdleTimeout, DEFAULT_MAX_QUEUED, DEFAULT_QUEUE_TIMEOUT,
                tlsPollInterval);
    }

    /** Settings with the default TLS poll interval, {@link TlsContextReloader#DEFAULT_POLL_INTERVAL}. */
    public ProxySettings(int ioThreads, int maxConnectionsPerBackend, Duration backendIdleTimeout,
                         int maxQueuedPerBackend, Duration queueTimeout) {
        this(ioThreads, maxConnectionsPerBackend, backendIdleTimeout, maxQueuedPerBackend, queueTimeout,
                TlsContextReloader.DEFAULT_POLL_INTERVAL);
    }
}
