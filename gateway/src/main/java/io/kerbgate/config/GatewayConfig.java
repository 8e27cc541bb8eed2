package io.kerbgate.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

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
        Timeouts timeouts) {

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
    }

    /**
     * @param header       the request header that carries the principal to the backend, default {@code X-Remote-User}
     * @param groupsHeader the request header that carries the PAC's group SIDs (comma-separated), or {@code null} for
     *                     none; needs {@code acceptor.pac: verify} or {@code require}
     */
    public record Identity(String header, @Nullable String groupsHeader) {
        public static final Identity DEFAULT = new Identity("X-Remote-User");

        public Identity(String header) {
            this(header, null);
        }
    }

    /** @param listen the admin listener, default {@code 127.0.0.1:9090} */
    public record Admin(InetSocketAddress listen) {}

    /**
     * @param allowRc4              accept rc4-hmac (enctype 23) tickets; off by default, logged as a warning when on
     * @param replayCacheMaxEntries bound of the in-memory replay cache; when full, new authenticators are refused
     *                              (fail closed) rather than evicting live entries
     * @param allowedClientRealms   client realms allowed; empty means any realm the KDC vouched for
     * @param pac                   what to do with an Active Directory PAC in the ticket (groups)
     */
    public record Acceptor(boolean allowRc4, int replayCacheMaxEntries, List<String> allowedClientRealms, Pac pac) {
        public static final Acceptor DEFAULT = new Acceptor(false, 1_000_000, List.of());

        public Acceptor {
            allowedClientRealms = List.copyOf(allowedClientRealms);
            Objects.requireNonNull(pac, "pac");
        }

        public Acceptor(boolean allowRc4, int replayCacheMaxEntries, List<String> allowedClientRealms) {
            this(allowRc4, replayCacheMaxEntries, allowedClientRealms, Pac.OFF);
        }
    }

    /**
     * {@code acceptor.pac}: {@code off} ignores PACs (no groups); {@code verify} checks a PAC when there is one and
     * refuses the ticket when it fails ({@code pac_invalid}), tickets without one pass with no groups; {@code require}
     * also refuses tickets without a PAC.
     */
    public enum Pac {
        OFF, VERIFY, REQUIRE
    }

    /**
     * @param maxHeaderSize the largest request header block, in bytes; the default (96 KiB) fits Active Directory
     *                      tokens with large PACs (about 64 KiB of base64). Above it: 431.
     */
    public record Limits(int maxHeaderSize) {
        public static final Limits DEFAULT = new Limits(96 * 1024);
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
}
