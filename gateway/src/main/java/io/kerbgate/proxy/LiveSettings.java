package io.kerbgate.proxy;

import io.kerbgate.access.AccessRules;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.identity.IdentityHeaders;
import io.kerbgate.logging.RefusalLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The part of the proxy's settings that a reload (SIGHUP) replaces without a restart: the access routes
 * ({@code routes}), the identity mapping ({@code identity}), the refusal line's format ({@code logging.format}) and
 * the 401 and 403 bodies ({@code error_pages}).
 * One immutable snapshot behind a volatile field: a request reads it once, so it is routed, refused and mapped by
 * the old settings or by the new ones, never by a mix of both. A connection open across the swap uses the new
 * settings from its next request.
 *
 * <p>What is not here needs a new listener, pool or key ring, and so a restart: see {@code ConfigReload}.
 */
final class LiveSettings {

    record Snapshot(AccessRules access, RefusalLog refusals, IdentityHeaders identity, ErrorPages errorPages) {
        Snapshot {
            Objects.requireNonNull(access, "access");
            Objects.requireNonNull(refusals, "refusals");
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(errorPages, "errorPages");
        }

        Snapshot(AccessRules access, RefusalLog refusals, IdentityHeaders identity) {
            this(access, refusals, identity, ErrorPages.BUILT_IN);
        }
    }

    private volatile Snapshot current;

    LiveSettings(Snapshot first) {
        this.current = Objects.requireNonNull(first, "first");
    }

    /** Read once per request. */
    Snapshot current() {
        return current;
    }

    void replace(Snapshot next) {
        this.current = Objects.requireNonNull(next, "next");
    }

    /**
     * The settings that {@code routes}, {@code identity}, {@code logging.format} and {@code error_pages} ask for.
     *
     * @param keytabPrincipals the keytab's principals now, whose realms are the local ones by default
     */
    static Snapshot of(GatewayConfig config, RefusalLog refusals, MeterRegistry registry, Clock clock,
                       Supplier<? extends Collection<String>> keytabPrincipals) {
        return new Snapshot(AccessRules.of(config.routes(), registry), refusals,
                IdentityHeaders.of(config.identity(), clock, keytabPrincipals), ErrorPages.of(config.errorPages()));
    }
}
