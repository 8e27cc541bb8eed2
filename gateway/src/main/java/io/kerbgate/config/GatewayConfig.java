package io.kerbgate.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The gateway's whole configuration, immutable and already validated. {@link ConfigLoader} builds it from YAML;
 * the YAML keys are the snake_case forms of the component names (for example {@code clock_skew}).
 *
 * @param listen      the front listener (the array VIP or a node address behind it)
 * @param keytab      the shared (ASA) keytab; watched for rollover
 * @param principals  acceptor principals; empty means every principal in the keytab
 * @param backends    the backend pool, {@code http://host:port} each
 * @param clockSkew   the largest accepted clock difference (RFC 4120 §1.6), default 5m
 * @param identity    how the authenticated identity reaches the backends
 * @param admin       the admin listener (metrics, health, keys)
 * @param acceptor    acceptor policy beyond the checklist's defaults
 * @param limits      request size limits
 * @param timeouts    client and backend timeouts
 * @param backendOptions per-backend settings, one per entry of {@code backends} in the same order (the mapping form
 *                    {@code {url: ..., weight: 2}} of a {@code backends} item); empty means the defaults for each
 * @param balancing   how a backend is chosen per request
 * @param health      active and passive health checking of the backends
 * @param retries     retries of failed idempotent requests on another backend
 * @param drain       graceful shutdown
 * @param accessLog   one line per request on the {@code kerbgate.access} logger
 * @param auth        whether requests must authenticate ({@code false} only for benchmarks)
 */
public record GatewayConfig(
        InetSocketAddress listen,
        Path keytab,
        List<String> principals,
        List<URI> backends,
        Duration clockSkew,
        Identity identity,
        Admin admin,
        Acceptor acceptor,
        Limits limits,
        Timeouts timeouts,
        List<BackendOptions> backendOptions,
        Balancing balancing,
        Health health,
        Retries retries,
        Drain drain,
        AccessLog accessLog,
        Auth auth) {

    public GatewayConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(keytab, "keytab");
        principals = List.copyOf(principals);
        backends = List.copyOf(backends);
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(acceptor, "acceptor");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(timeouts, "timeouts");
        backendOptions = backendOptions.isEmpty()
                ? backends.stream().map(BackendOptions::defaults).toList()
                : List.copyOf(backendOptions);
        if (backendOptions.size() != backends.size()) {
            throw new IllegalArgumentException("backendOptions: " + backendOptions.size() + " entries for "
                    + backends.size() + " backends");
        }
        for (int i = 0; i < backends.size(); i++) {
            if (!backendOptions.get(i).url().equals(backends.get(i))) {
                throw new IllegalArgumentException("backendOptions[" + i + "] is for " + backendOptions.get(i).url()
                        + ", not " + backends.get(i));
            }
        }
        Objects.requireNonNull(balancing, "balancing");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(retries, "retries");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(auth, "auth");
    }

    /** The configuration as it was before the production proxy settings: those take their defaults. */
    public GatewayConfig(InetSocketAddress listen, Path keytab, List<String> principals, List<URI> backends,
                         Duration clockSkew, Identity identity, Admin admin, Acceptor acceptor, Limits limits,
                         Timeouts timeouts) {
        this(listen, keytab, principals, backends, clockSkew, identity, admin, acceptor, limits, timeouts, List.of(),
                Balancing.LEAST_OUTSTANDING, Health.DEFAULT, Retries.DEFAULT, Drain.DEFAULT, AccessLog.DEFAULT,
                Auth.DEFAULT);
    }

    /** @param header the request header that carries the principal to the backend, default {@code X-Remote-User} */
    public record Identity(String header) {
        public static final Identity DEFAULT = new Identity("X-Remote-User");
    }

    /** @param listen the admin listener, default {@code 127.0.0.1:9090} */
    public record Admin(InetSocketAddress listen) {}

    /**
     * @param allowRc4              accept rc4-hmac (enctype 23) tickets; off by default, logged as a warning when on
     * @param replayCacheMaxEntries bound of the in-memory replay cache; when full, new authenticators are refused
     *                              (fail closed) rather than evicting live entries
     * @param allowedClientRealms   client realms allowed; empty means any realm the KDC vouched for
     */
    public record Acceptor(boolean allowRc4, int replayCacheMaxEntries, List<String> allowedClientRealms) {
        public static final Acceptor DEFAULT = new Acceptor(false, 1_000_000, List.of());

        public Acceptor {
            allowedClientRealms = List.copyOf(allowedClientRealms);
        }
    }

    /**
     * @param maxHeaderSize  the largest request header block, in bytes; the default (96 KiB) fits Active Directory
     *                       tokens with large PACs (about 64 KiB of base64). Above it: 431.
     * @param maxConnections open client connections; a connection beyond it is closed as soon as it is accepted
     */
    public record Limits(int maxHeaderSize, int maxConnections) {
        public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
        public static final Limits DEFAULT = new Limits(96 * 1024, DEFAULT_MAX_CONNECTIONS);

        public Limits(int maxHeaderSize) {
            this(maxHeaderSize, DEFAULT_MAX_CONNECTIONS);
        }
    }

    /**
     * @param connect    backend connect timeout (then 502)
     * @param response   time to wait for the backend's response headers (then 504)
     * @param clientIdle a client connection idle this long is closed
     */
    public record Timeouts(Duration connect, Duration response, Duration clientIdle) {
        public static final Timeouts DEFAULT =
                new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(120));
    }

    /**
     * One backend of the pool.
     *
     * @param url            {@code http://host:port}, as in {@code backends}
     * @param weight         its share of requests relative to the others (1 to 100)
     * @param maxConnections open connections to it over all event loops; a request that would need one more waits
     *                       briefly in a small queue, then gets 503
     * @param connectionAuth the backend authenticates connections itself (IIS or Exchange doing NTLM/Negotiate per
     *                       connection): a pooled connection only ever carries requests of one principal
     */
    public record BackendOptions(URI url, int weight, int maxConnections, boolean connectionAuth) {
        public static final int DEFAULT_WEIGHT = 1;
        public static final int DEFAULT_MAX_CONNECTIONS = 512;

        public BackendOptions {
            Objects.requireNonNull(url, "url");
            if (weight < 1 || maxConnections < 1) {
                throw new IllegalArgumentException("weight and maxConnections must be >= 1: " + weight + ", "
                        + maxConnections);
            }
        }

        public static BackendOptions defaults(URI url) {
            return new BackendOptions(url, DEFAULT_WEIGHT, DEFAULT_MAX_CONNECTIONS, false);
        }

        /** True when only the URL is set: the item is written back in the plain string form. */
        public boolean isDefault() {
            return weight == DEFAULT_WEIGHT && maxConnections == DEFAULT_MAX_CONNECTIONS && !connectionAuth;
        }
    }

    /** How the proxy picks a backend for each request; both honour weights and skip backends marked down. */
    public enum Balancing {
        /** The backend with the fewest requests in flight per unit of weight; ties go round-robin (the default). */
        LEAST_OUTSTANDING("least_outstanding"),
        /** Weighted round-robin. */
        ROUND_ROBIN("round_robin");

        private final String yaml;

        Balancing(String yaml) {
            this.yaml = yaml;
        }

        /** The YAML spelling. */
        public String yaml() {
            return yaml;
        }
    }

    /**
     * @param path               the path of the active check ({@code GET}, 2xx or 3xx means up); {@code ""} turns
     *                           active checks off, and then only passive ejection marks a backend down
     * @param interval           time between two checks of one backend
     * @param timeout            a check without a response head by then failed
     * @param unhealthyThreshold consecutive failed checks that mark an up backend down
     * @param healthyThreshold   consecutive passed checks that mark a down backend up
     * @param passive            ejection on failures seen by live traffic
     */
    public record Health(String path, Duration interval, Duration timeout, int unhealthyThreshold,
                         int healthyThreshold, Passive passive) {
        public static final Health DEFAULT = new Health("", Duration.ofSeconds(5), Duration.ofSeconds(2), 3, 2,
                Passive.DEFAULT);

        public Health {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(passive, "passive");
        }

        public boolean active() {
            return !path.isEmpty();
        }
    }

    /**
     * @param consecutiveFailures connect failures, resets before the response head, timeouts and 5xx responses in a
     *                            row that eject a backend; 0 turns passive ejection off
     * @param ejection            how long an ejected backend gets no traffic; then it is tried again
     */
    public record Passive(int consecutiveFailures, Duration ejection) {
        public static final Passive DEFAULT = new Passive(5, Duration.ofSeconds(30));

        public Passive {
            Objects.requireNonNull(ejection, "ejection");
        }
    }

    /**
     * @param idempotent how many times a request with an idempotent method and no body is retried on another backend
     *                   when the attempt failed before any byte of the response (0 to 3)
     */
    public record Retries(int idempotent) {
        public static final Retries DEFAULT = new Retries(1);
    }

    /** @param timeout how long a shutdown waits for requests in flight before it closes their connections */
    public record Drain(Duration timeout) {
        public static final Drain DEFAULT = new Drain(Duration.ofSeconds(30));

        public Drain {
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /** @param enabled write one line per request to the {@code kerbgate.access} logger */
    public record AccessLog(boolean enabled) {
        public static final AccessLog DEFAULT = new AccessLog(true);
    }

    /**
     * @param required every request must authenticate with {@code Negotiate}. {@code false} forwards requests without
     *                 any authentication and without an identity header: for load-testing the proxy alone, never in
     *                 production
     */
    public record Auth(boolean required) {
        public static final Auth DEFAULT = new Auth(true);
    }
}
