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
 * @param backends    the backend pool, {@code http://host:port} or {@code https://host:port} each
 * @param clockSkew   the largest accepted clock difference (RFC 4120 §1.6), default 5m
 * @param identity    how the authenticated identity reaches the backends
 * @param admin       the admin listener (metrics, health, keys)
 * @param acceptor    acceptor policy beyond the checklist's defaults
 * @param limits      request size limits
 * @param timeouts    client and backend timeouts
 * @param tls         TLS on the front listener, or {@code null} for plain HTTP
 * @param backendTls  how {@code https://} backends are verified
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
        @Nullable Tls tls,
        BackendTls backendTls) {

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
        Objects.requireNonNull(backendTls, "backendTls");
    }

    /** Plain HTTP on the front, backends verified by default: the configuration as it was before TLS. */
    public GatewayConfig(InetSocketAddress listen, Path keytab, List<String> principals, List<URI> backends,
                         Duration clockSkew, Identity identity, Admin admin, Acceptor acceptor, Limits limits,
                         Timeouts timeouts) {
        this(listen, keytab, principals, backends, clockSkew, identity, admin, acceptor, limits, timeouts, null,
                BackendTls.DEFAULT);
    }

    /**
     * @param header     the request header that carries the principal to the backend, default {@code X-Remote-User}
     * @param stripRealm forward {@code alice} for {@code alice@REALM} when no rule matched
     * @param rules      principal mapping rules, tried in order; the first that matches decides
     * @param assertion  a signed copy of the identity for the backends, or {@code null} for none
     */
    public record Identity(String header, boolean stripRealm, List<Rule> rules, @Nullable Assertion assertion) {
        public static final Identity DEFAULT = new Identity("X-Remote-User");

        public Identity {
            Objects.requireNonNull(header, "header");
            rules = List.copyOf(rules);
        }

        /** The identity header alone: principals forwarded as they are, no assertion. */
        public Identity(String header) {
            this(header, false, List.of(), null);
        }
    }

    /**
     * A principal mapping rule, like MIT's {@code auth_to_local} {@code RULE:...s/match/replace/}: it matches a principal
     * in which {@code match} is found, and maps it to the principal with that first match replaced.
     *
     * @param match   a Java regular expression, e.g. {@code ^(.*)@CORP\.EXAMPLE\.COM$}
     * @param replace the replacement, with {@code $1}... for groups
     */
    public record Rule(String match, String replace) {
        public Rule {
            Objects.requireNonNull(match, "match");
            Objects.requireNonNull(replace, "replace");
        }
    }

    /**
     * A signed identity assertion for backends that can be reached other than through the gateway.
     *
     * @param type    {@code hmac} ({@code v1;principal;time;request-id;signature}) or {@code jwt} (HS256)
     * @param keyFile the shared secret, at least 32 bytes, used as the file's exact bytes
     * @param header  the request header that carries it, default {@code X-Kerbgate-Assertion}
     */
    public record Assertion(AssertionType type, Path keyFile, String header) {
        public static final String DEFAULT_HEADER = "X-Kerbgate-Assertion";

        public Assertion {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(keyFile, "keyFile");
            Objects.requireNonNull(header, "header");
        }
    }

    public enum AssertionType { HMAC, JWT }

    /**
     * TLS termination on the front listener.
     *
     * @param cert            PEM certificate chain, leaf first; watched and reloaded with {@code key}
     * @param key             PEM PKCS#8 private key of the leaf certificate
     * @param protocols       TLS versions offered, from {@code TLSv1.3} and {@code TLSv1.2}
     * @param http2           offer HTTP/2 by ALPN ({@code h2}, then {@code http/1.1})
     * @param channelBindings what the acceptor asks of the clients' channel bindings (RFC 5929
     *                        {@code tls-server-end-point})
     */
    public record Tls(Path cert, Path key, List<String> protocols, boolean http2, ChannelBindingMode channelBindings) {
        public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

        public Tls {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
            protocols = List.copyOf(protocols);
            Objects.requireNonNull(channelBindings, "channelBindings");
        }
    }

    /** {@code off}: bindings ignored; {@code optional}: checked when sent; {@code required}: must be sent. */
    public enum ChannelBindingMode { OFF, OPTIONAL, REQUIRED }

    /**
     * @param ca             PEM CA certificates that {@code https://} backends' certificates must chain to, or
     *                       {@code null} for the JDK's trust store
     * @param verifyHostname check that a backend's certificate names the host of its URL
     */
    public record BackendTls(@Nullable Path ca, boolean verifyHostname) {
        public static final BackendTls DEFAULT = new BackendTls(null, true);
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
