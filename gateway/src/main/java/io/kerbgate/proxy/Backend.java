package io.kerbgate.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One configured backend. Its address is resolved once at start so that no DNS lookup blocks an event loop; the
 * connection count is shared by all event loops.
 */
final class Backend {

    private final int index;
    private final InetSocketAddress address;
    private final String authority;
    private final int maxConnections;
    private final boolean tls;
    private final AtomicInteger open = new AtomicInteger();

    private Backend(int index, InetSocketAddress address, String authority, int maxConnections, boolean tls) {
        this.index = index;
        this.address = address;
        this.authority = authority;
        this.maxConnections = maxConnections;
        this.tls = tls;
    }

    /**
     * @throws IllegalArgumentException naming {@code backends[index]} when the URI is not {@code http://host:port} or
     *                                  {@code https://host:port}
     */
    static Backend of(int index, URI uri, int maxConnections) {
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
        return new Backend(index, address, uri.getHost() + ":" + port, maxConnections, tls);
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

    @Override
    public String toString() {
        return authority;
    }
}
