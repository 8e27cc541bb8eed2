package io.kerbgate.proxy;

import io.kerbgate.config.GatewayConfig.BackendOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One configured backend. Its address is resolved once at start so that no DNS lookup blocks an event loop. The
 * counters are shared by all event loops: open connections (against the connection limit), idle ones, and requests in
 * flight (what least-outstanding balancing compares).
 */
final class Backend {

    private final int index;
    private final InetSocketAddress address;
    private final String authority;
    private final int weight;
    private final int maxConnections;
    private final boolean connectionAuth;
    private final boolean tls;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();

    private Backend(int index, InetSocketAddress address, String authority, int weight, int maxConnections,
                    boolean connectionAuth, boolean tls) {
        this.index = index;
        this.address = address;
        this.authority = authority;
        this.weight = weight;
        this.maxConnections = maxConnections;
        this.connectionAuth = connectionAuth;
        this.tls = tls;
    }

    /**
     * @throws IllegalArgumentException naming {@code backends[index]} when the URI is not {@code http://host:port} or
     *                                  {@code https://host:port}
     */
    static Backend of(int index, URI uri, int maxConnections) {
        return of(index, BackendOptions.defaults(uri), maxConnections);
    }

    /**
     * @param maxConnections the proxy-wide cap ({@link ProxySettings#maxConnectionsPerBackend()}); the backend's own
     *                       {@code max_connections} applies when lower
     * @throws IllegalArgumentException naming {@code backends[index]} when the URI is not {@code http://host:port} or
     *                                  {@code https://host:port}
     */
    static Backend of(int index, BackendOptions options, int maxConnections) {
        URI uri = options.url();
        String key = "backends[" + index + "]";
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        if (!tls && !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException(key + ": scheme must be http or https: " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(key + ": no host: " + uri);
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
            throw new IllegalArgumentException(key + ": path prefixes are not supported: " + uri);
        }
        int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(key + ": cannot resolve host " + uri.getHost());
        }
        return new Backend(index, address, uri.getHost() + ":" + port, options.weight(),
                Math.min(maxConnections, options.maxConnections()), options.connectionAuth(), tls);
    }

    /** Whether the backend is spoken to over TLS ({@code https://}). */
    boolean tls() {
        return tls;
    }

    /** The host of the backend's URL, without IPv6 brackets: the TLS server name to send and to verify. */
    String host() {
        return authority.startsWith("[") ? authority.substring(1, authority.lastIndexOf(']'))
                : authority.substring(0, authority.lastIndexOf(':'));
    }

    int index() {
        return index;
    }

    InetSocketAddress address() {
        return address;
    }

    /** {@code host:port}: the {@code backend} tag of metrics, and the {@code Host} of a client request that had none. */
    String authority() {
        return authority;
    }

    int weight() {
        return weight;
    }

    /** The backend authenticates connections itself: a connection serves one principal only. */
    boolean connectionAuth() {
        return connectionAuth;
    }

    /** Counts one more connection, unless the limit is reached. */
    boolean tryOpen() {
        int n;
        do {
            n = open.get();
            if (n >= maxConnections) {
                return false;
            }
        } while (!open.compareAndSet(n, n + 1));
        return true;
    }

    void closed() {
        open.decrementAndGet();
    }

    int openConnections() {
        return open.get();
    }

    int idleConnections() {
        return idle.get();
    }

    void idleAdded() {
        idle.incrementAndGet();
    }

    void idleRemoved() {
        idle.decrementAndGet();
    }

    int outstanding() {
        return outstanding.get();
    }

    void requestStarted() {
        outstanding.incrementAndGet();
    }

    void requestEnded() {
        outstanding.decrementAndGet();
    }

    @Override
    public String toString() {
        return authority;
    }
}
