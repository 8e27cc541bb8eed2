package io.kerbgate.replay;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A Redis or Valkey store that every node records authenticators in ({@code SET key <owner> NX PX ttl}): one server
 * ({@code redis://}, {@code rediss://}) or a master that Redis Sentinel watches and replaces when it fails
 * ({@code redis-sentinel://}, {@code rediss-sentinel://}, Lettuce's syntax:
 * {@code redis-sentinel://host1:26379,host2:26379,host3:26379/0#mymaster}).
 *
 * @param uri                  scheme, host and port (or the sentinels' hosts and ports), database, and for
 *                             Sentinel the master's name after {@code #}; may carry {@code user:password}
 *                             for the data nodes, which {@link #toString()} hides
 * @param passwordFile         a file holding the data nodes' password instead of the URI; read when
 *                             connecting, never logged
 * @param sentinelPasswordFile a file holding the sentinels' own password ({@code requirepass} in
 *                             sentinel.conf), or null when they ask none; Sentinel URIs only
 * @param fail                 what a request gets when the store cannot answer
 * @param timeout              the longest one request waits for the store
 * @param circuitFailures      consecutive failures that open the circuit (then no call is made for the
 *                             cool-down)
 * @param circuitCooldown      how long an open circuit skips the store before one trial call
 * @param minReplicasAck       replicas that must confirm a new entry ({@code WAIT}) before it counts as
 *                             recorded; 0 trusts the master's answer alone
 * @param failoverWait         how long a request waits for a store that cannot answer before {@code fail} decides
 */
public record SharedStoreSettings(URI uri, @Nullable Path passwordFile, @Nullable Path sentinelPasswordFile, Fail fail,
        Duration timeout, int circuitFailures, Duration circuitCooldown, int minReplicasAck,
        Duration failoverWait) {
    public static final Fail DEFAULT_FAIL = Fail.CLOSED;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(50);
    public static final int DEFAULT_CIRCUIT_FAILURES = 5;
    public static final Duration DEFAULT_CIRCUIT_COOLDOWN = Duration.ofSeconds(2);
    public static final int DEFAULT_MIN_REPLICAS_ACK = 0;
    /** Past a Sentinel failover with {@code down-after-milliseconds 5000}, an election and the switch. */
    public static final Duration DEFAULT_FAILOVER_WAIT = Duration.ofSeconds(10);
    public static final int DEFAULT_SENTINEL_PORT = 26379;

    public SharedStoreSettings {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(fail, "fail");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(circuitCooldown, "circuitCooldown");
        Objects.requireNonNull(failoverWait, "failoverWait");
    }

    /** One server with the defaults for everything else: the common case, and the tests'. */
    public static SharedStoreSettings of(URI uri) {
        return new SharedStoreSettings(uri, null, null, DEFAULT_FAIL, DEFAULT_TIMEOUT, DEFAULT_CIRCUIT_FAILURES,
                DEFAULT_CIRCUIT_COOLDOWN, DEFAULT_MIN_REPLICAS_ACK, DEFAULT_FAILOVER_WAIT);
    }

    /** True for {@code redis-sentinel://} and {@code rediss-sentinel://}: Sentinel names the master. */
    public boolean isSentinel() {
        return uri.getScheme().toLowerCase(Locale.ROOT).endsWith("-sentinel");
    }

    /** True for {@code rediss://} and {@code rediss-sentinel://}: TLS to every server, sentinels too. */
    public boolean tls() {
        return uri.getScheme().toLowerCase(Locale.ROOT).startsWith("rediss");
    }

    public int database() {
        String path = uri.getRawPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }

    /** The master's name as the sentinels know it ({@code sentinel monitor <name> ...}); Sentinel URIs only. */
    public String sentinelMaster() {
        return Objects.requireNonNull(uri.getFragment(), "a Sentinel URI names the master after #");
    }

    /** The sentinels in the order the URI lists them; Sentinel URIs only. */
    public List<Node> sentinels() {
        return Node.parseAll(hostPart(), DEFAULT_SENTINEL_PORT);
    }

    /**
     * The URI's user info, raw. {@link URI#getRawUserInfo()} has none when the authority lists several hosts
     * (it is then "registry based"), so the authority is split here at its last {@code @}, as Lettuce does.
     */
    public @Nullable String rawUserInfo() {
        if (uri.getRawUserInfo() != null) {
            return uri.getRawUserInfo();
        }
        String authority = uri.getRawAuthority();
        int at = authority == null ? -1 : authority.lastIndexOf('@');
        return at < 0 ? null : authority.substring(0, at);
    }

    private String hostPart() {
        String authority = Objects.requireNonNullElse(uri.getRawAuthority(), "");
        return authority.substring(authority.lastIndexOf('@') + 1);
    }

    /** The URI with any password in it replaced by {@code <redacted>}: the form for logs and the admin view. */
    public String redactedUri() {
        String userInfo = rawUserInfo();
        int colon = userInfo == null ? -1 : userInfo.indexOf(':');
        if (colon < 0) {
            return uri.toString();
        }
        String text = uri.toString();
        int at = text.indexOf(userInfo + "@", text.indexOf("//"));
        return text.substring(0, at + colon + 1) + "<redacted>" + text.substring(at + userInfo.length());
    }

    /** A host and port of a sentinel; an IPv6 address without its brackets. */
    public record Node(String host, int port) {

        /**
         * Parses {@code host[:port],host[:port],...}, IPv6 literals in brackets.
         *
         * @throws IllegalArgumentException naming the entry that is not a host and port
         */
        public static List<Node> parseAll(String hosts, int defaultPort) {
            List<Node> nodes = new ArrayList<>();
            for (String entry : hosts.split(",", -1)) {
                nodes.add(parse(entry, defaultPort));
            }
            return List.copyOf(nodes);
        }

        private static Node parse(String entry, int defaultPort) {
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("lists an empty host");
            }
            String host;
            String port;
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("has an IPv6 address without its closing ] in " + entry);
                }
                host = entry.substring(1, close);
                String rest = entry.substring(close + 1);
                if (!rest.isEmpty() && !rest.startsWith(":")) {
                    throw new IllegalArgumentException("has " + entry + ", which is not [address]:port");
                }
                port = rest.isEmpty() ? null : rest.substring(1);
            } else {
                int colon = entry.indexOf(':');
                if (colon >= 0 && entry.indexOf(':', colon + 1) >= 0) {
                    throw new IllegalArgumentException("has " + entry + ": write an IPv6 address in brackets");
                }
                host = colon < 0 ? entry : entry.substring(0, colon);
                port = colon < 0 ? null : entry.substring(colon + 1);
            }
            if (host.isEmpty() || !host.matches("[A-Za-z0-9._:%-]+")) {
                throw new IllegalArgumentException("has " + entry + ", whose host is not a name or address");
            }
            if (port == null) {
                return new Node(host, defaultPort);
            }
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("has " + entry + ", whose port is not from 1 to 65535");
            }
            return new Node(host, Integer.parseInt(port));
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    // The generated toString would print a password carried in the URI.
    @Override
    public String toString() {
        return "SharedStoreSettings[uri=" + redactedUri() + ", passwordFile=" + passwordFile + ", sentinelPasswordFile="
                + sentinelPasswordFile + ", fail=" + fail + ", timeout=" + timeout + ", circuitFailures="
                + circuitFailures + ", circuitCooldown=" + circuitCooldown + ", minReplicasAck="
                + minReplicasAck + "]";
    }

    /** The direction a request goes when the shared store cannot answer. */
    public enum Fail {
        /** Refuse (503): no authenticator is accepted that the array may have seen. */
        CLOSED,
        /** Accept on this node's own replay cache alone: cross-node replay is open while the store is down. */
        OPEN;

        /** The config file's spelling. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
