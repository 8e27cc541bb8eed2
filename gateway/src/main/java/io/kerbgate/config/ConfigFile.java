package io.kerbgate.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Balancing;
import io.kerbgate.config.GatewayConfig.Pac;
import io.kerbgate.config.OperationsSections.LoggingSection;
import io.kerbgate.config.OperationsSections.PrincipalsSection;
import io.kerbgate.config.OperationsSections.RouteSection;
import io.kerbgate.config.ProxySections.AccessLogSection;
import io.kerbgate.config.ProxySections.AuthSection;
import io.kerbgate.config.ProxySections.BackendItem;
import io.kerbgate.config.ProxySections.DrainSection;
import io.kerbgate.config.ProxySections.ForwardAuthSection;
import io.kerbgate.config.ProxySections.HealthSection;
import io.kerbgate.config.ProxySections.LimitsSection;
import io.kerbgate.config.ProxySections.ProxyProtocolSection;
import io.kerbgate.config.ProxySections.RetriesSection;
import io.kerbgate.config.ProxySections.TimeoutsSection;
import io.kerbgate.config.SharedStoreSection.ReplaySection;
import io.kerbgate.config.TlsSections.BackendTlsSection;
import io.kerbgate.config.TlsSections.TlsSection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The config file as it is written: one component per top-level key, in the order {@code conf/kerbgate.yaml} lists
 * them. Each section checks itself as it is bound; this record checks what spans sections (a keytab or a state
 * directory, the admin port against the front's, the PAC that groups need) and builds the {@link GatewayConfig}.
 */
record ConfigFile(
        @JsonDeserialize(using = Scalars.Address.class) @Nullable InetSocketAddress listen,
        @Fix(FileChecks.KEYTAB_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path keytab,
        @Fix(ConfigFile.PRINCIPALS_FIX) @JsonDeserialize(contentUsing = Scalars.Principal.class)
        @Nullable List<String> principals,
        @Fix(ConfigFile.BACKENDS_FIX) @JsonDeserialize(contentUsing = BackendItem.class)
        @Nullable List<BackendOptions> backends,
        @Nullable Duration clockSkew,
        @Nullable IdentitySection identity,
        @Nullable AdminSection admin,
        @Nullable AcceptorSection acceptor,
        @Nullable LimitsSection limits,
        @Nullable TimeoutsSection timeouts,
        @Nullable ReplaySection replay,
        @Nullable KeysSection keys,
        @Nullable LoggingSection logging,
        @Fix(OperationsSections.ROUTES_FIX) @Nullable List<RouteSection> routes,
        @Nullable TlsSection tls,
        @Nullable BackendTlsSection backendTls,
        @Fix(ConfigFile.BALANCING_FIX) @Nullable String balancing,
        @Nullable HealthSection health,
        @Nullable RetriesSection retries,
        @Nullable DrainSection drain,
        @Nullable AccessLogSection accessLog,
        @Nullable AuthSection auth,
        @Nullable SessionsSection sessions,
        @Nullable ProxyProtocolSection proxyProtocol,
        @Nullable ErrorPagesSection errorPages,
        @Nullable ForwardAuthSection forwardAuth,
        @Nullable BasicSection basic,
        @Nullable DelegationSection delegation) {

    static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);
    // RFC 4120 §1.6 calls 5 minutes typical; a skew of hours would stretch how long a stolen authenticator replays.
    static final Duration MAX_CLOCK_SKEW = Duration.ofHours(1);
    static final String PRINCIPALS_FIX =
            "write principals: [HTTP/array.example.test@ARRAY.TEST], or leave it out for every keytab principal";
    static final String BACKENDS_FIX = "add backends: [http://127.0.0.1:9001]";
    static final String FORWARD_AUTH_BACKENDS_FIX = "remove backends: in forward_auth mode the proxy that asks kerbgate"
            + " forwards the request itself (or remove forward_auth to run kerbgate as the reverse proxy)";
    static final String BALANCING_FIX = "use least_outstanding (the default) or round_robin";

    ConfigFile {
        Checks.require("listen", listen, "add listen: host:port, e.g. listen: 0.0.0.0:8080");
        clockSkew = Checks.duration("clock_skew", clockSkew, DEFAULT_CLOCK_SKEW, MAX_CLOCK_SKEW,
                "use the Kerberos default of 5m unless clocks are far off");
        keys = keys == null ? new KeysSection(null, null, null) : keys;
        keytab(keytab, keys.stateDir());
        principals = Checks.distinct("principals", principals);
        if (forwardAuth == null) {
            backends = backends(backends);
        } else {
            forwardAuthCombinations(backends, sessions, auth, tls);
            backends = List.of();
        }
        identity = identity == null ? new IdentitySection(null, null, null, null, null, null, null, null) : identity;
        admin = admin == null ? new AdminSection(null, null, null, null, null, null) : admin;
        if (clash(listen, admin.listen())) {
            throw new InvalidValue("admin.listen", "uses the same port as listen",
                    "give the admin listener a port of its own, e.g. 127.0.0.1:9090");
        }
        acceptor = acceptor == null ? new AcceptorSection(null, null, null, null, null, null, null) : acceptor;
        boolean pacOff = acceptor.pac() == Pac.OFF;
        if (identity.groupsHeader() != null && pacOff) {
            throw new InvalidValue("identity.groups_header", "needs the PAC's groups",
                    "set acceptor.pac: verify (or require), or remove groups_header");
        }
        if (identity.groupNames() != null && pacOff) {
            throw new InvalidValue("identity.group_names", "needs the PAC's groups",
                    "set acceptor.pac: verify (or require), or remove group_names");
        }
        routes = routes(routes, pacOff);
        if (basic != null) {
            // Checked here, where the keys are named from the top: it depends on tls and principals.
            try {
                basic.basic(principals, tls != null);
            } catch (InvalidValue e) {
                throw new InvalidValue("basic." + e.error().key(), e.error().problem(), e.error().fix());
            }
        }
        if (delegation != null && forwardAuth != null) {
            throw new InvalidValue("delegation", "cannot be set with forward_auth: nothing is forwarded, so no"
                    + " backend gets a token", "remove delegation, or forward_auth to let kerbgate forward requests");
        }
        if (delegation != null) {
            // Checked now, against the rest of the file, so that a misfit names its key; built again below.
            delegation(delegation, principals, keytab, keys, clockSkew, auth);
        }
        if (basic != null && delegation != null && basic.krb5Conf() != null && delegation.krb5Conf() != null
                && !basic.krb5Conf().equals(delegation.krb5Conf())) {
            // The JDK reads one krb5.conf per process (java.security.krb5.conf): the second would win for both.
            throw new InvalidValue("delegation.krb5_conf", "names " + delegation.krb5Conf() + ", basic.krb5_conf "
                    + basic.krb5Conf() + ": the JDK reads one krb5.conf for the whole process",
                    "name the same file in both, or leave one out (the one named serves both)");
        }
        if (balancing != null && balancing(balancing) == null) {
            throw new InvalidValue("balancing", ConfigValues.quote(balancing) + " is not a balancing policy",
                    BALANCING_FIX);
        }
    }

    GatewayConfig gatewayConfig() {
        return new GatewayConfig(listen,
                keytab,
                principals,
                backends.stream().map(BackendOptions::url).toList(),
                clockSkew,
                identity.identity(),
                admin.admin(),
                acceptor.acceptor(),
                (limits == null ? new LimitsSection(null, null) : limits).limits(),
                (timeouts == null ? new TimeoutsSection(null, null, null) : timeouts).timeouts(),
                replay == null ? GatewayConfig.Replay.NONE : replay.replay(),
                keys.keys(clockSkew),
                logging == null ? GatewayConfig.Logging.DEFAULT : logging.logging(),
                routes.stream().map(RouteSection::route).toList(),
                tls == null ? null : tls.tls(),
                backendTls == null ? GatewayConfig.BackendTls.DEFAULT : backendTls.backendTls(),
                backends,
                balancing == null ? Balancing.LEAST_OUTSTANDING : balancing(balancing),
                health == null ? GatewayConfig.Health.DEFAULT : health.health(),
                retries == null ? GatewayConfig.Retries.DEFAULT : retries.retries(),
                drain == null ? GatewayConfig.Drain.DEFAULT : drain.drain(),
                accessLog == null ? GatewayConfig.AccessLog.DEFAULT : accessLog.accessLog(),
                auth == null ? GatewayConfig.Auth.DEFAULT : auth.auth(),
                sessions == null ? GatewayConfig.Sessions.DEFAULT : sessions.sessions(),
                proxyProtocol == null ? null : proxyProtocol.proxyProtocol(),
                errorPages == null ? GatewayConfig.ErrorPages.BUILT_IN : errorPages.errorPages(),
                forwardAuth == null ? null : forwardAuth.forwardAuth(),
                basic == null ? null : basic.basic(principals, tls != null),
                delegation == null ? null : delegation(delegation, principals, keytab, keys, clockSkew, auth));
    }

    /**
     * What forward-auth mode cannot go with: backends (nothing is forwarded), a connection-bound session (the asking
     * proxy carries many users' questions on one pooled connection, so the second user would pass as the first) and
     * {@code auth.required: false} (every question would be answered yes), and channel bindings required (clients bind
     * their tokens to the TLS of the proxy in front, which kerbgate never sees).
     */
    private static void forwardAuthCombinations(@Nullable List<BackendOptions> backends,
                                                @Nullable SessionsSection sessions, @Nullable AuthSection auth,
                                                @Nullable TlsSection tls) {
        if (backends != null && !backends.isEmpty()) {
            throw new InvalidValue("backends", "is set with forward_auth", FORWARD_AUTH_BACKENDS_FIX);
        }
        if (sessions != null && sessions.sessions().connectionBound()) {
            throw new InvalidValue("sessions.connection_bound", "cannot be on with forward_auth: the proxy that"
                    + " asks carries many users' requests on one connection",
                    "remove connection_bound (sessions.cookie works with forward_auth)");
        }
        if (auth != null && !auth.auth().required()) {
            throw new InvalidValue("auth.required", "cannot be false with forward_auth: every request would pass",
                    "remove auth.required");
        }
        if (tls != null && tls.channelBindings() == GatewayConfig.ChannelBindingMode.REQUIRED) {
            throw new InvalidValue("tls.channel_bindings", "cannot be required with forward_auth: clients bind their"
                    + " tokens to the TLS of the proxy in front, not to kerbgate's",
                    "remove channel_bindings (in forward-auth mode tokens are checked without channel bindings)");
        }
    }

    /**
     * With a state directory the node keeps the keys the rollover tool installs there: the configured keytab is then
     * optional, and may not exist yet (the node starts without keys and answers 503 until it has some).
     */
    private static void keytab(@Nullable Path keytab, @Nullable Path stateDir) {
        if (stateDir == null) {
            Path path = Checks.require("keytab", keytab, "add keytab: /etc/kerbgate/http.keytab, or set "
                    + "keys.state_dir: /var/lib/kerbgate/keys and install keys with kerbgate keys init");
            InvalidValue.check(() -> FileChecks.keytab("keytab", path));
        } else if (keytab != null && Files.exists(keytab)) {
            InvalidValue.check(() -> FileChecks.keytab("keytab", keytab));
        }
    }

    private static GatewayConfig.Delegation delegation(DelegationSection delegation, List<String> principals,
            @Nullable Path keytab, KeysSection keys, Duration clockSkew, @Nullable AuthSection auth) {
        return delegation.delegation(principals, keytab,
                keys.stateDir() == null ? null : keys.keys(clockSkew).installedKeytab(),
                auth == null || auth.auth().required());
    }

    private static List<BackendOptions> backends(@Nullable List<BackendOptions> backends) {
        Checks.require("backends", backends, BACKENDS_FIX);
        if (backends.isEmpty()) {
            throw new InvalidValue("backends", "is empty", "list at least one backend; " + BACKENDS_FIX);
        }
        Set<URI> seen = new HashSet<>();
        for (int i = 0; i < backends.size(); i++) {
            BackendOptions backend = backends.get(i);
            if (backend == null) {
                throw new InvalidValue("backends[" + i + "]", "null is not a non-empty string",
                        "write http://host:port or https://host:port, e.g. http://127.0.0.1:9001");
            }
            if (!seen.add(backend.url())) {
                throw new InvalidValue("backends[" + i + "]", ConfigValues.quote(backend.url().toString())
                        + " is listed twice", "remove the repeat");
            }
        }
        return List.copyOf(backends);
    }

    /** At most {@link OperationsSections#MAX_ROUTES}, each with a name of its own, groups only with a PAC. */
    private static List<RouteSection> routes(@Nullable List<RouteSection> routes, boolean pacOff) {
        if (routes == null) {
            return List.of();
        }
        if (routes.size() > OperationsSections.MAX_ROUTES) {
            throw new InvalidValue("routes", routes.size() + " routes are more than " + OperationsSections.MAX_ROUTES,
                    "merge routes: each request is matched against the list in order");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteSection route = routes.get(i);
            if (route == null) {
                throw new InvalidValue("routes[" + i + "].name", "is missing", OperationsSections.NAME_FIX);
            }
            groupsNeedThePac("routes[" + i + "].allow", route.allow(), pacOff);
            groupsNeedThePac("routes[" + i + "].deny", route.deny(), pacOff);
            if (!names.add(route.name())) {
                throw new InvalidValue("routes[" + i + "].name", ConfigValues.quote(route.name())
                        + " is the name of an earlier route", "give every route a name of its own");
            }
        }
        return List.copyOf(routes);
    }

    private static void groupsNeedThePac(String key, @Nullable PrincipalsSection set, boolean pacOff) {
        if (set != null && !set.groups().isEmpty() && pacOff) {
            throw new InvalidValue(key + ".groups", "needs the PAC's groups, and acceptor.pac is off",
                    "set acceptor.pac: verify (or require), or remove groups");
        }
    }

    private static @Nullable Balancing balancing(String text) {
        for (Balancing balancing : Balancing.values()) {
            if (balancing.yaml().equals(text)) {
                return balancing;
            }
        }
        return null;
    }

    private static boolean clash(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() == 0 || a.getPort() != b.getPort()) {
            return false;
        }
        return a.getAddress().equals(b.getAddress())
                || a.getAddress().isAnyLocalAddress() || b.getAddress().isAnyLocalAddress();
    }
}
