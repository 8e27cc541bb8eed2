package io.kerbgate.config;

import io.kerbgate.replay.SharedStoreSettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's whole configuration, immutable and already validated. {@link ConfigLoader} builds it from YAML;
 * the YAML keys are the snake_case forms of the component names (for example {@code clock_skew}).
 *
 * @param listen      the front listener (the array VIP or a node address behind it)
 * @param keytab      the shared (ASA) keytab; watched for rollover. Optional ({@code null}) when
 *                    {@code keys.state_dir} is set: the node then keeps the keys the rollover tool installs there
 * @param principals  acceptor principals; empty means every principal in the keytab
 * @param backends    the backend pool, {@code http://host:port} or {@code https://host:port} each
 * @param clockSkew   the largest accepted clock difference (RFC 4120 §1.6), default 5m
 * @param identity    how the authenticated identity reaches the backends
 * @param admin       the admin listener (metrics, health, keys)
 * @param acceptor    acceptor policy beyond the checklist's defaults
 * @param limits      request size and client connection limits
 * @param timeouts    client and backend timeouts
 * @param replay      the replay cache across the array
 * @param keys        the rollover listener: grace of rolled kvnos and the keytab poll
 * @param logging     how log lines are written (plain text or JSON)
 * @param routes      access rules by path prefix and host, first match wins; empty means every request needs an
 *                    authenticated principal and any principal may pass
 * @param tls         TLS on the front listener, or {@code null} for plain HTTP
 * @param backendTls  how {@code https://} backends are verified
 * @param backendOptions per-backend settings, one per entry of {@code backends} in the same order (the mapping form
 *                    {@code {url: ..., weight: 2}} of a {@code backends} item); empty means the defaults for each
 * @param balancing   how a backend is chosen per request
 * @param health      active and passive health checking of the backends
 * @param retries     retries of failed idempotent requests on another backend
 * @param drain       graceful shutdown
 * @param accessLog   one line per request on the {@code kerbgate.access} logger
 * @param auth        whether requests must authenticate ({@code false} only for benchmarks)
 * @param sessions    whether an authentication outlives its request (off by default)
 * @param proxyProtocol the balancers whose PROXY protocol header names the client, or null
 * @param errorPages  the bodies of 401 and 403 answers ({@code error_pages})
 * @param forwardAuth forward-auth mode (the proxy in front asks, kerbgate answers and forwards nothing), or
 *                    {@code null} for the reverse proxy; {@code backends} is empty in that mode
 * @param basic       {@code Authorization: Basic} turned into a Kerberos login, or {@code null} when off (the default)
 * @param delegation  constrained delegation (S4U2Proxy) to the backends, or {@code null} (off, the default)
 */
public record GatewayConfig(
        InetSocketAddress listen,
        @Nullable Path keytab,
        List<String> principals,
        List<URI> backends,
        Duration clockSkew,
        Identity identity,
        Admin admin,
        Acceptor acceptor,
        Limits limits,
        Timeouts timeouts,
        Replay replay,
        Keys keys,
        Logging logging,
        List<Route> routes,
        @Nullable Tls tls,
        BackendTls backendTls,
        List<BackendOptions> backendOptions,
        Balancing balancing,
        Health health,
        Retries retries,
        Drain drain,
        AccessLog accessLog,
        Auth auth,
        Sessions sessions,
        @Nullable ProxyProtocol proxyProtocol,
        ErrorPages errorPages,
        @Nullable ForwardAuth forwardAuth,
        @Nullable Basic basic,
        @Nullable Delegation delegation) {

    public GatewayConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(errorPages, "errorPages");
        principals = List.copyOf(principals);
        backends = List.copyOf(backends);
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(acceptor, "acceptor");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(replay, "replay");
        Objects.requireNonNull(keys, "keys");
        if (keytab == null && keys.stateDir() == null) {
            throw new IllegalArgumentException("keytab: needed when keys.state_dir is not set");
        }
        Objects.requireNonNull(logging, "logging");
        routes = List.copyOf(routes);
        Objects.requireNonNull(backendTls, "backendTls");
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
        Objects.requireNonNull(sessions, "sessions");
        if (forwardAuth != null && !backends.isEmpty()) {
            throw new IllegalArgumentException("backends: none in forward_auth mode, the proxy in front forwards");
        }
        if (forwardAuth == null && backends.isEmpty()) {
            throw new IllegalArgumentException("backends: at least one backend is required");
        }
        if (basic != null && tls == null) {
            throw new IllegalArgumentException("basic: needs tls on the front listener");
        }
    }

    /** The reverse proxy: every section, no forward-auth mode. */
    public GatewayConfig(InetSocketAddress listen, @Nullable Path keytab, List<String> principals, List<URI> backends,
            Duration clockSkew, Identity identity, Admin admin, Acceptor acceptor, Limits limits, Timeouts timeouts,
            Replay replay, Keys keys, Logging logging, List<Route> routes, @Nullable Tls tls, BackendTls backendTls,
            List<BackendOptions> backendOptions, Balancing balancing, Health health, Retries retries, Drain drain,
            AccessLog accessLog, Auth auth, Sessions sessions, @Nullable ProxyProtocol proxyProtocol,
            ErrorPages errorPages) {
        this(listen, keytab, principals, backends, clockSkew, identity, admin, acceptor, limits, timeouts, replay,
                keys, logging, routes, tls, backendTls, backendOptions, balancing, health, retries, drain, accessLog,
                auth, sessions, proxyProtocol, errorPages, null, null, null);
    }

    /** Without Basic. */
    public GatewayConfig(InetSocketAddress listen, @Nullable Path keytab, List<String> principals, List<URI> backends,
            Duration clockSkew, Identity identity, Admin admin, Acceptor acceptor, Limits limits, Timeouts timeouts,
            Replay replay, Keys keys, Logging logging, List<Route> routes, @Nullable Tls tls, BackendTls backendTls,
            List<BackendOptions> backendOptions, Balancing balancing, Health health, Retries retries, Drain drain,
            AccessLog accessLog, Auth auth, Sessions sessions, @Nullable ProxyProtocol proxyProtocol,
            ErrorPages errorPages, @Nullable ForwardAuth forwardAuth) {
        this(listen, keytab, principals, backends, clockSkew, identity, admin, acceptor, limits, timeouts, replay,
                keys, logging, routes, tls, backendTls, backendOptions, balancing, health, retries, drain, accessLog,
                auth, sessions, proxyProtocol, errorPages, forwardAuth, null, null);
    }

    /**
     * A config with the defaults of every optional section: no shared replay cache, default key grace and poll,
     * plain logs, no routes, plain HTTP on the front ({@code tls} null), {@code https://} backends verified
     * against the JDK's trust store with host name checks, default options for every backend, least-outstanding
     * balancing, passive health only, one idempotent retry, a 30 s drain, the access log on and authentication
     * required, no sessions.
     */
    public GatewayConfig(InetSocketAddress listen, Path keytab, List<String> principals, List<URI> backends,
            Duration clockSkew, Identity identity, Admin admin, Acceptor acceptor, Limits limits, Timeouts timeouts) {
        this(listen, keytab, principals, backends, clockSkew, identity, admin, acceptor, limits, timeouts,
                Replay.NONE, Keys.defaults(clockSkew), Logging.DEFAULT, List.of(), null, BackendTls.DEFAULT,
                List.of(), Balancing.LEAST_OUTSTANDING, Health.DEFAULT, Retries.DEFAULT, Drain.DEFAULT,
                AccessLog.DEFAULT, Auth.DEFAULT, Sessions.DEFAULT, null, ErrorPages.BUILT_IN);
    }

    /**
     * PROXY protocol (v1 or v2) on the front listener, for a node behind an L4 balancer: connections from
     * {@code from} must open with the header, and the client it names is the one logged, checked and forwarded;
     * connections from anywhere else are closed.
     */
    /**
     * {@code error_pages}: an operator's own 401 and 403 bodies (the text of the files, null for the built-in page) and
     * the help link the built-in pages carry.
     */
    public record ErrorPages(@Nullable URI helpUrl, @Nullable String unauthorizedHtml,
            @Nullable String unauthorizedJson, @Nullable String forbiddenHtml, @Nullable String forbiddenJson) {
        public static final ErrorPages BUILT_IN = new ErrorPages(null, null, null, null, null);
    }

    public record ProxyProtocol(List<AddressRange> from) {
        public ProxyProtocol {
            from = List.copyOf(from);
            if (from.isEmpty()) {
                throw new IllegalArgumentException("proxy_protocol.from: at least one network");
            }
        }
    }

    /**
     * Forward-auth mode: the proxy in front (nginx {@code auth_request}, Caddy {@code forward_auth}, Traefik
     * ForwardAuth, Envoy {@code ext_authz}) asks whether a request may pass, and kerbgate answers 200 with the identity
     * headers, 401 with the challenge, or 403.
     *
     * @param trustedFrom the asking proxies: only they may say what the original request was
     * @param pathPrefix  with Envoy: the original target is the asking request's target after this prefix, and its
     *                    method and {@code Host} are the original ones; {@code null} to read the original method,
     *                    target and host from {@code X-Forwarded-Method}, {@code X-Forwarded-Uri} and
     *                    {@code X-Forwarded-Host}
     */
    public record ForwardAuth(List<AddressRange> trustedFrom, @Nullable String pathPrefix) {
        public ForwardAuth {
            trustedFrom = List.copyOf(trustedFrom);
            if (trustedFrom.isEmpty()) {
                throw new IllegalArgumentException("forward_auth.trusted_from: at least one network");
            }
        }
    }

    /** What the node does with an accepted request, for log lines: {@code backends [...]} or forward-auth's askers. */
    public String serves() {
        return forwardAuth == null ? "backends " + backends
                : "forward-auth answers to " + forwardAuth.trustedFrom() + " (no backends)";
    }

    /**
     * The keytabs the node loads, in order: the configured one (if any), then the state directory's
     * {@link Keys#installedKeytab()} (if a state directory is set).
     */
    public List<Path> keytabs() {
        java.util.ArrayList<Path> out = new java.util.ArrayList<>();
        if (keytab != null) {
            out.add(keytab);
        }
        if (keys.stateDir() != null) {
            out.add(keys.installedKeytab());
        }
        return List.copyOf(out);
    }

    /**
     * @param header       the request header that carries the principal to the backend, default {@code X-Remote-User}
     * @param groupsHeader the request header that carries the PAC's group SIDs (comma-separated), or {@code null} for
     *                     none; needs {@code acceptor.pac: verify} or {@code require}
     * @param stripRealm   forward {@code alice} for {@code alice@REALM} when no rule matched
     * @param rules        principal mapping rules, tried in order; the first that matches decides
     * @param assertion    a signed copy of the identity for the backends, or {@code null} for none
     * @param groupNames   where the names of the group SIDs are looked up ({@code group_names}), or {@code null}
     * @param groupNamesHeader the request header that carries the groups' names (comma-separated), or {@code null}
     *                     for none; needs {@code groupNames}
     */
    public record Identity(String header, @Nullable String groupsHeader, boolean stripRealm, List<Rule> rules,
            @Nullable Assertion assertion, @Nullable GroupNamesConfig groupNames, @Nullable String groupNamesHeader,
            List<String> localRealms) {
        public static final Identity DEFAULT = new Identity("X-Remote-User");

        /**
         * @param localRealms {@code identity.local_realms}: the realms that {@code strip_realm} strips; empty for the
         *                    realms of the keytab's principals
         */
        public Identity {
            Objects.requireNonNull(header, "header");
            rules = List.copyOf(rules);
            localRealms = List.copyOf(localRealms);
        }

        /** The realms of the keytab are the local realms. */
        public Identity(String header, @Nullable String groupsHeader, boolean stripRealm, List<Rule> rules,
                @Nullable Assertion assertion, @Nullable GroupNamesConfig groupNames, @Nullable String groupNamesHeader) {
            this(header, groupsHeader, stripRealm, rules, assertion, groupNames, groupNamesHeader, List.of());
        }

        /** Without group names. */
        public Identity(String header, @Nullable String groupsHeader, boolean stripRealm, List<Rule> rules,
                @Nullable Assertion assertion) {
            this(header, groupsHeader, stripRealm, rules, assertion, null, null);
        }

        /** The identity header alone: principals forwarded as they are, no groups, no assertion. */
        public Identity(String header) {
            this(header, null, false, List.of(), null);
        }

        /** Mapping and assertion without a groups header. */
        public Identity(String header, boolean stripRealm, List<Rule> rules, @Nullable Assertion assertion) {
            this(header, null, stripRealm, rules, assertion);
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

    /**
     * @param listen     the admin listener, default {@code 127.0.0.1:9090}
     * @param keyWriters client principals ({@code name@REALM}) allowed to {@code PUT} and {@code DELETE /keys},
     *                   authenticated with Negotiate against this node's own keys; empty (the default) disables
     *                   key writes by Negotiate
     * @param tls        TLS on the admin listener, or {@code null} for plain HTTP
     * @param keyWriterCertificates subject DNs of client certificates (chained to {@code tls.client_ca}) allowed to
     *                   write keys: what a node without keys yet can authenticate
     * @param plainKeyWritesFrom the peers whose key writes may arrive over plain HTTP (default loopback,
     *                   {@code 127.0.0.0/8} and {@code ::1}); anyone else gets 403, since the key would have crossed
     *                   the network in clear. Empty refuses every plain key write
     */
    /**
     * @param allowedHosts {@code admin.allowed_hosts}: host names the admin listener answers besides IP literals,
     *                     {@code localhost} and this machine's name (lower case)
     */
    public record Admin(InetSocketAddress listen, List<String> keyWriters, @Nullable AdminTls tls,
            List<String> keyWriterCertificates, List<AddressRange> plainKeyWritesFrom, List<String> allowedHosts) {
        public static final List<AddressRange> LOOPBACK =
                List.of(AddressRange.parse("127.0.0.0/8"), AddressRange.parse("::1/128"));

        public Admin {
            Objects.requireNonNull(listen, "listen");
            keyWriters = List.copyOf(keyWriters);
            keyWriterCertificates = List.copyOf(keyWriterCertificates);
            plainKeyWritesFrom = List.copyOf(plainKeyWritesFrom);
            allowedHosts = List.copyOf(allowedHosts);
            if (!keyWriterCertificates.isEmpty() && (tls == null || tls.clientCa() == null)) {
                throw new IllegalArgumentException("key_writer_certificates: needs tls.client_ca");
            }
        }

        public Admin(InetSocketAddress listen, List<String> keyWriters, @Nullable AdminTls tls,
                List<String> keyWriterCertificates, List<AddressRange> plainKeyWritesFrom) {
            this(listen, keyWriters, tls, keyWriterCertificates, plainKeyWritesFrom, List.of());
        }

        public Admin(InetSocketAddress listen, List<String> keyWriters) {
            this(listen, keyWriters, null, List.of(), LOOPBACK, List.of());
        }

        public Admin(InetSocketAddress listen) {
            this(listen, List.of());
        }
    }

    /**
     * TLS on the admin listener, reloaded when a file changes, like the front's.
     *
     * @param cert     PEM certificate chain, leaf first
     * @param key      PEM PKCS#8 key
     * @param clientCa PEM CA certificates that client certificates must chain to, or {@code null} to ask for none;
     *                 a client certificate is optional (scrapers and Negotiate writers need none)
     */
    public record AdminTls(Path cert, Path key, @Nullable Path clientCa) {
        public AdminTls {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
        }

        /** As the front's {@link Tls}: TLS 1.3 and 1.2, HTTP/1.1 only, no channel bindings. */
        public Tls asTls() {
            return new Tls(cert, key, Tls.DEFAULT_PROTOCOLS, false, ChannelBindingMode.OFF);
        }
    }

    /**
     * @param allowRc4              accept rc4-hmac (enctype 23) tickets; off by default, logged as a warning when on
     * @param replayCacheMaxEntries bound of the in-memory replay cache; when full, new authenticators are refused
     *                              (fail closed) rather than evicting live entries. Size it as the peak rate of fresh
     *                              authenticators per node × 2 × clock_skew
     * @param allowedClientRealms   client realms allowed; empty means any realm the KDC vouched for
     * @param pac                   what to do with an Active Directory PAC in the ticket (groups)
     * @param replayCacheMaxEntriesPerPrincipal live replay entries one client principal may hold (default a tenth of
     *                              the bound); past it only that principal is refused (429 replay_quota)
     * @param replayCacheMaxEntriesPerAddress   the same per source address, an IPv6 peer by its /64 (default a quarter)
     * @param replayCacheFile       where the replay cache is kept across restarts, or null: then the restart guard
     *                              refuses authenticators stamped before start + clock_skew
     */
    public record Acceptor(boolean allowRc4, int replayCacheMaxEntries, List<String> allowedClientRealms, Pac pac,
            int replayCacheMaxEntriesPerPrincipal, int replayCacheMaxEntriesPerAddress, @Nullable Path replayCacheFile) {
        public static final Acceptor DEFAULT = new Acceptor(false, 1_000_000, List.of());

        public Acceptor {
            allowedClientRealms = List.copyOf(allowedClientRealms);
            Objects.requireNonNull(pac, "pac");
        }

        /** With the default shares (a tenth and a quarter of the bound) and no replay file. */
        public Acceptor(boolean allowRc4, int replayCacheMaxEntries, List<String> allowedClientRealms, Pac pac) {
            this(allowRc4, replayCacheMaxEntries, allowedClientRealms, pac, defaultPerPrincipal(replayCacheMaxEntries),
                    defaultPerAddress(replayCacheMaxEntries), null);
        }

        public Acceptor(boolean allowRc4, int replayCacheMaxEntries, List<String> allowedClientRealms) {
            this(allowRc4, replayCacheMaxEntries, allowedClientRealms, Pac.OFF);
        }

        public static int defaultPerPrincipal(int maxEntries) {
            return Math.max(1, maxEntries / 10);
        }

        public static int defaultPerAddress(int maxEntries) {
            return Math.max(1, maxEntries / 4);
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
     * @param shared the replay cache the nodes of the array share, or null for a per-node cache only (then a token
     *               replayed to another node passes that node's check)
     */
    public record Replay(@Nullable SharedStoreSettings shared) {
        public static final Replay NONE = new Replay(null);
    }

    /**
     * @param grace        how long a kvno gone from the keytab is still accepted: the longest ticket lifetime plus
     *                     the clock skew (default 10h + {@code clock_skew})
     * @param pollInterval how often the watcher hashes the keytab, for file systems that send no change events
     *                     (default 2s)
     * @param stateDir     the node's own key directory (e.g. {@code /var/lib/kerbgate/keys}), or {@code null}: keys
     *                     written by {@code PUT /keys} go there, with what the node accepts and until when, so a
     *                     restart changes nothing; with it the node may start before it has any key
     */
    public record Keys(Duration grace, Duration pollInterval, @Nullable Path stateDir) {
        public static final Duration DEFAULT_TICKET_LIFETIME = Duration.ofHours(10);
        public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
        /** The keytab of the state directory that {@code PUT /keys} writes. */
        public static final String INSTALLED_KEYTAB = "keys.keytab";

        public Keys {
            Objects.requireNonNull(grace, "grace");
            Objects.requireNonNull(pollInterval, "pollInterval");
        }

        public Keys(Duration grace, Duration pollInterval) {
            this(grace, pollInterval, null);
        }

        /** The defaults: tickets live up to 10 h (MIT and AD), so a rolled kvno stays that long plus the skew. */
        public static Keys defaults(Duration clockSkew) {
            return new Keys(DEFAULT_TICKET_LIFETIME.plus(clockSkew), DEFAULT_POLL_INTERVAL);
        }

        /** {@code state_dir/keys.keytab}. @throws IllegalStateException without a state directory */
        public Path installedKeytab() {
            if (stateDir == null) {
                throw new IllegalStateException("no keys.state_dir");
            }
            return stateDir.resolve(INSTALLED_KEYTAB);
        }
    }

    /** @param format how each log line is written: {@code plain} text (default) or one JSON object per line */
    public record Logging(Format format) {
        public static final Logging DEFAULT = new Logging(Format.PLAIN);

        public Logging {
            Objects.requireNonNull(format, "format");
        }

        public enum Format {
            PLAIN,
            JSON
        }
    }

    /**
     * One access rule. A request matches when its normalized path is {@code path} or lies under it (segment-wise:
     * {@code /admin} matches {@code /admin} and {@code /admin/x}, not {@code /administrator}; {@code /admin/} also
     * matches {@code /admin}) and, when {@code host}
     * is set, its {@code Host} (port and case aside) is that host.
     *
     * @param name      a short name for logs and the {@code route} tag of metrics; unique
     * @param path      the path prefix, starting with {@code /}
     * @param host      the host name the route is limited to, lower case, or {@code null} for any host
     * @param anonymous the route needs no authentication at all (health pages, static assets); no allow or deny
     * @param allow     who may pass: a principal matching any entry; {@code null} means any authenticated principal
     * @param deny      who may not pass, checked before {@code allow}; {@code null} means nobody is denied
     */
    public record Route(String name, String path, @Nullable String host, boolean anonymous,
            @Nullable Principals allow, @Nullable Principals deny) {
        public Route {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(path, "path");
            if (anonymous && (allow != null || deny != null)) {
                throw new IllegalArgumentException("route " + name + ": an anonymous route has no allow or deny");
            }
        }
    }

    /**
     * One backend of the pool.
     *
     * @param url            {@code http://host:port} or {@code https://host:port}, as in {@code backends}
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
     * A set of principals, by any of four criteria (a principal is in the set when it matches any entry).
     *
     * @param principals exact client principals, {@code name@REALM}
     * @param realms     client realms
     * @param regex      regular expressions searched for in {@code name@REALM} (anchor them with {@code ^...$})
     * @param groups     group SIDs ({@code S-1-5-21-...-1104}); a principal whose ticket's verified PAC lists one of
     *                   them is in the set (needs {@code acceptor.pac: verify} or {@code require})
     */
    public record Principals(List<String> principals, List<String> realms, List<String> regex, List<String> groups) {
        public Principals {
            principals = List.copyOf(principals);
            realms = List.copyOf(realms);
            regex = List.copyOf(regex);
            groups = List.copyOf(groups);
        }

        /** Without group SIDs. */
        public Principals(List<String> principals, List<String> realms, List<String> regex) {
            this(principals, realms, regex, List.of());
        }

        public boolean isEmpty() {
            return principals.isEmpty() && realms.isEmpty() && regex.isEmpty() && groups.isEmpty();
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

    /**
     * Authentication that outlives its request ({@code sessions}).
     *
     * @param connectionBound once a keep-alive connection authenticated, its later requests without
     *                        {@code Authorization} go through as the same principal (like IIS's
     *                        {@code authPersistNonNTLM}); never behind a shared outbound proxy
     * @param cookie          the encrypted session cookie, or {@code null} for none (the default)
     */
    /**
     * Constrained delegation (S4U2Proxy): each forwarded request carries {@code Authorization: Negotiate <token>} for
     * {@code spn} in the name of the authenticated user, replacing whatever the client sent; the gateway gets the
     * ticket from the KDC with its own TGT and the user's ticket as evidence, and reuses it until shortly before it
     * ends.
     *
     * @param spn         the backends' service principal, with realm
     * @param principal   the gateway's principal: the clients' tickets are for it, and the gateway logs in as it
     * @param keytab      the keytab with {@code principal}'s keys
     * @param maxEntries  how many (user, backend) tickets are kept
     * @param renewBefore how long before their end tickets stop being used (and the gateway's TGT is renewed)
     * @param krb5Conf    the krb5.conf naming the KDCs, or {@code null} for the JDK's default
     */
    public record Delegation(String spn, String principal, Path keytab, int maxEntries, Duration renewBefore,
            @Nullable Path krb5Conf) {
        public static final int DEFAULT_MAX_ENTRIES = 10_000;
        public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofMinutes(5);

        public Delegation {
            Objects.requireNonNull(spn, "spn");
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(keytab, "keytab");
            Objects.requireNonNull(renewBefore, "renewBefore");
        }
    }

    public record Sessions(boolean connectionBound, @Nullable Cookie cookie) {
        public static final Sessions DEFAULT = new Sessions(false);

        /** No session cookie. */
        public Sessions(boolean connectionBound) {
            this(connectionBound, null);
        }

        /**
         * The encrypted session cookie ({@code sessions.cookie}): issued after a successful Negotiate, it lets later
         * requests without {@code Authorization}, on any connection, go through as the same principal until it expires.
         *
         * @param name    the cookie's name (an RFC 6265 token); also authenticated as the AES-GCM additional data
         * @param keyFile one or more 32-byte AES keys as hex, one per line: the first seals, all open; re-read when
         *                it changes
         * @param maxAge  how long a cookie lives at most; never beyond the end time of the ticket that earned it
         * @param secure  whether the cookie carries {@code Secure} (sent by browsers over HTTPS only)
         */
        public record Cookie(String name, Path keyFile, Duration maxAge, boolean secure) {
            public static final String DEFAULT_NAME = "kerbgate_session";
            public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(8);

            public Cookie {
                Objects.requireNonNull(name, "name");
                Objects.requireNonNull(keyFile, "keyFile");
                Objects.requireNonNull(maxAge, "maxAge");
            }
        }
    }

    /**
     * {@code Authorization: Basic} for clients outside the domain ({@code basic}): over TLS only, the user name and
     * password become an AS exchange with the realm's KDC and a service ticket for {@code service}, which the node's
     * acceptor checks with its keytab.
     *
     * @param realm        the realm of a bare user name; {@code user@REALM} must name it
     * @param service      the array principal whose ticket the login gets (one of the keytab's)
     * @param krb5Conf     the krb5.conf naming the realm's KDCs, set for the whole process; {@code null} for the
     *                     JDK's default
     * @param perPrincipal attempts that reach the KDC, per principal (lower-cased)
     * @param perSource    attempts that reach the KDC, per client address (an IPv6 client's /64)
     * @param successCache how long a successful login is reused for the same user name and password (never past its
     *                     ticket's end); 0 logs in on every request
     * @param failureCache how long a failed password is answered without asking the KDC again; 0 asks every time
     */
    public record Basic(String realm, String service, @Nullable Path krb5Conf, RateLimit perPrincipal,
            RateLimit perSource, Duration successCache, Duration failureCache) {
        public static final RateLimit DEFAULT_PER_PRINCIPAL = new RateLimit(5, Duration.ofMinutes(5));
        public static final RateLimit DEFAULT_PER_SOURCE = new RateLimit(30, Duration.ofMinutes(1));
        public static final Duration DEFAULT_SUCCESS_CACHE = Duration.ofMinutes(5);
        public static final Duration DEFAULT_FAILURE_CACHE = Duration.ofMinutes(1);

        public Basic {
            Objects.requireNonNull(realm, "realm");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(perPrincipal, "perPrincipal");
            Objects.requireNonNull(perSource, "perSource");
            Objects.requireNonNull(successCache, "successCache");
            Objects.requireNonNull(failureCache, "failureCache");
        }

        /** A token bucket: {@code attempts} at once, refilled at {@code attempts} per {@code per}. */
        public record RateLimit(int attempts, Duration per) {
            public RateLimit {
                if (attempts < 1 || per.isNegative() || per.isZero()) {
                    throw new IllegalArgumentException("rate limit: " + attempts + " per " + per);
                }
            }
        }
    }
}
