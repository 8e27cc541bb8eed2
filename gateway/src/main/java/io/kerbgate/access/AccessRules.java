package io.kerbgate.access;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.TokenFacts;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.Principals;
import io.kerbgate.messages.PrincipalName;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The access rules of {@code routes}, compiled once: the first route whose path prefix (and host, when it names one)
 * matches the request decides; a request that matches none needs an authenticated principal, and any will do. A
 * prefix {@code /admin/} also matches {@code /admin}. A path whose readings ({@link RequestTarget#readings()}, each
 * also as Windows reads it: without case, trailing dots and spaces of segments ignored) fall under different routes
 * is refused: some backend would serve it under the other route.
 *
 * <p>A route either skips authentication ({@code anonymous: true}) or checks the authenticated principal: refused
 * when it matches {@code deny}, else let through when there is no {@code allow} or it matches {@code allow}. A set
 * matches a principal {@code name@REALM} that is listed in {@code principals}, whose realm is in {@code realms},
 * in which a {@code regex} is found, or whose ticket's verified PAC lists one of the {@code groups} SIDs
 * ({@link Accepted#groups()}; a ticket without a verified PAC is in no group). A refusal is a
 * {@link RequestRefused} with {@link RequestReason#ACCESS_DENIED} (403), whose detail names the route and the rule.
 *
 * <p>Immutable and thread-safe; matching costs one normalization of the path and a scan of the routes.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Meter (Prometheus)</th><th>Tags</th><th>Meaning</th></tr>
 *   <tr><td>{@code kerbgate.access.requests} ({@code kerbgate_access_requests_total})</td>
 *       <td>{@code route} a configured name or {@code none}; {@code decision} {@code anonymous}, {@code allowed},
 *           {@code denied}</td>
 *       <td>requests by the route that decided them; {@code allowed}/{@code denied} only for authenticated
 *           requests (a refused token never reaches the rules)</td></tr>
 * </table>
 */
public final class AccessRules {

    public static final String ACCESS_REQUESTS = "kerbgate.access.requests";

    /** The {@code route} tag, and the name, of the rule that applies when no configured route matches. */
    public static final String NO_ROUTE = "none";

    private final List<Route> routes;
    private final Route fallback;

    private AccessRules(List<Route> routes, Route fallback) {
        this.routes = routes;
        this.fallback = fallback;
    }

    /** Compiles the configured routes and registers their meters. */
    public static AccessRules of(List<GatewayConfig.Route> configured, MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        List<Route> routes = new ArrayList<>(configured.size());
        for (GatewayConfig.Route r : configured) {
            routes.add(new Route(r, registry));
        }
        return new AccessRules(List.copyOf(routes),
                new Route(new GatewayConfig.Route(NO_ROUTE, "/", null, false, null, null), registry));
    }

    /** No routes, and nothing counted: every request needs an authenticated principal, and any will do. */
    public static AccessRules none() {
        // A composite registry without children hands out no-op meters.
        return of(List.of(), new CompositeMeterRegistry());
    }

    /**
     * The route that decides a request. Never {@code null}: the fallback lets any authenticated principal pass.
     *
     * @throws RequestTarget.Invalid when the readings of the path ({@link RequestTarget#readings()}, each also
     *                               without case) do not all fall under the same route: some backend would serve the
     *                               request under another route than the one that would decide it
     */
    public Route route(RequestTarget target) throws RequestTarget.Invalid {
        Route chosen = route(target.host(), target.path(), false);
        for (String reading : target.readings()) {
            for (boolean folded : FOLDINGS) {
                Route other = route(target.host(), reading, folded);
                if (other != chosen) {
                    throw new RequestTarget.Invalid("ambiguous path: " + describe(target.path(), false) + " is route "
                            + chosen.name() + " but " + describe(reading, folded) + " is route " + other.name());
                }
            }
        }
        return chosen;
    }

    private static final boolean[] FOLDINGS = {false, true};

    private Route route(@Nullable String host, String path, boolean folded) {
        for (Route route : routes) {
            if (route.matches(host, path, folded)) {
                return route;
            }
        }
        return fallback;
    }

    private static String describe(String path, boolean folded) {
        String clipped = path.length() > 80 ? path.substring(0, 80) + "..." : path;
        return '"' + clipped + '"' + (folded ? " without case" : "");
    }

    /** One compiled route, with its meters. */
    public static final class Route {
        private final GatewayConfig.Route config;
        private final @Nullable Matcher allow;
        private final @Nullable Matcher deny;
        private final Counter anonymousCount;
        private final Counter allowedCount;
        private final Counter deniedCount;
        private final String foldedPath;

        Route(GatewayConfig.Route config, MeterRegistry registry) {
            this.config = config;
            this.foldedPath = config.path().toLowerCase(Locale.ROOT);
            this.allow = config.allow() == null ? null : new Matcher(config.allow());
            this.deny = config.deny() == null ? null : new Matcher(config.deny());
            this.anonymousCount = counter(registry, config.name(), "anonymous");
            this.allowedCount = counter(registry, config.name(), "allowed");
            this.deniedCount = counter(registry, config.name(), "denied");
        }

        public String name() {
            return config.name();
        }

        /**
         * Whether the request may skip authentication. Only a path that every reading puts under this route gets
         * here ({@link AccessRules#route}), so no backend serves it under another.
         */
        public boolean anonymous() {
            return config.anonymous();
        }

        /** The verdict for a request let through without authentication; counts it. */
        public AccessDecision.Anonymous pass() {
            anonymousCount.increment();
            return new AccessDecision.Anonymous(config.name());
        }

        /** {@code accepted} allowed when the principal may pass, or a 403 refusal naming the rule; counts either. */
        public AccessDecision authorize(Accepted accepted) {
            String principal = accepted.client();
            String why = null;
            String rule = deny == null ? null : deny.match(accepted);
            if (rule != null) {
                why = "matches deny " + rule;
            } else if (allow != null && allow.match(accepted) == null) {
                why = "matches nothing in allow " + allow.describe();
            }
            if (why == null) {
                allowedCount.increment();
                return new AccessDecision.Allowed(accepted);
            }
            deniedCount.increment();
            String detail = principal + " may not use route '" + config.name() + "' (path " + config.path()
                    + (config.host() == null ? "" : ", host " + config.host()) + "): it " + why;
            TokenFacts facts = new TokenFacts(null, accepted.service(), accepted.kvno(), accepted.enctype(), principal);
            return new RequestRefused(RequestReason.ACCESS_DENIED, detail, facts);
        }

        boolean matches(@Nullable String host, String path, boolean folded) {
            if (config.host() != null && !config.host().equals(host)) {
                return false;
            }
            return folded ? RequestTarget.under(RequestTarget.windowsReading(path), foldedPath)
                    : RequestTarget.under(path, config.path());
        }

        private static Counter counter(MeterRegistry registry, String route, String decision) {
            return Counter.builder(ACCESS_REQUESTS)
                    .description("Requests by the access route that decided them")
                    .tag("route", route)
                    .tag("decision", decision)
                    .register(registry);
        }

        @Override
        public String toString() {
            return "Route[" + config.name() + " " + config.path() + "]";
        }
    }

    /** A compiled {@link Principals}: exact names and realms in sets, the regexes compiled. */
    private static final class Matcher {
        private final Principals config;
        private final Set<String> principals;
        private final Set<String> realms;
        private final List<Pattern> regex;
        private final Set<String> groups;

        Matcher(Principals config) {
            this.config = config;
            this.principals = Set.copyOf(config.principals());
            this.realms = Set.copyOf(config.realms());
            this.regex = config.regex().stream().map(Pattern::compile).toList();
            this.groups = Set.copyOf(config.groups());
        }

        /**
         * What matched ({@code principal alice@A}, {@code realm A}, {@code regex ^svc-}, {@code group S-1-5-...}),
         * or {@code null}.
         */
        @Nullable String match(Accepted accepted) {
            String principal = accepted.client();
            if (principals.contains(principal)) {
                return "principal " + principal;
            }
            // The display form escapes '@' inside components: the realm starts after the first unescaped one.
            String realm = PrincipalName.realmOf(principal);
            if (realms.contains(realm)) {
                return "realm " + realm;
            }
            for (Pattern p : regex) {
                if (p.matcher(principal).find()) {
                    return "regex " + p.pattern();
                }
            }
            if (!groups.isEmpty()) {
                for (String group : accepted.groups()) {
                    if (groups.contains(group)) {
                        return "group " + group;
                    }
                }
            }
            return null;
        }

        String describe() {
            return "(principals " + config.principals() + ", realms " + config.realms() + ", regex " + config.regex()
                    + (config.groups().isEmpty() ? "" : ", groups " + config.groups()) + ")";
        }
    }
}
