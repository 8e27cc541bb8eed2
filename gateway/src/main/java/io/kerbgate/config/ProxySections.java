package io.kerbgate.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.AccessLog;
import io.kerbgate.config.GatewayConfig.Auth;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Drain;
import io.kerbgate.config.GatewayConfig.Health;
import io.kerbgate.config.GatewayConfig.Limits;
import io.kerbgate.config.GatewayConfig.Passive;
import io.kerbgate.config.GatewayConfig.Retries;
import io.kerbgate.config.GatewayConfig.Timeouts;
import io.kerbgate.config.Scalars.Range;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The proxy's sections of the file as they are written: a {@code backends} item, {@code limits}, {@code timeouts},
 * {@code health}, {@code retries}, {@code drain}, {@code access_log} and {@code auth}. Each record checks its keys and fills the
 * defaults of absent ones, then gives the {@link GatewayConfig} record the rest of the code reads.
 */
final class ProxySections {

    static final int MIN_HEADER_SIZE = 8 * 1024;
    static final int MAX_HEADER_SIZE = 1024 * 1024;
    static final int MAX_CLIENT_CONNECTIONS = 1_000_000;
    static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    static final int MAX_THRESHOLD = 100;
    static final int MAX_RETRIES = 3;
    static final int MAX_WEIGHT = 100;
    static final int MAX_BACKEND_CONNECTIONS = 100_000;

    private ProxySections() {}

    /** The mapping form of a {@code backends} item: {@code {url: http://host:port, weight: 2}}. */
    record BackendSection(@JsonDeserialize(using = Scalars.BackendUrl.class) @Nullable URI url,
            @Range(min = 1, max = MAX_WEIGHT) @Nullable Integer weight,
            @Range(min = 1, max = MAX_BACKEND_CONNECTIONS) @Nullable Integer maxConnections,
            @Nullable Boolean connectionAuth) {
        BackendSection {
            Checks.require("url", url, "add url: http://host:port to the backend");
        }

        BackendOptions options() {
            return new BackendOptions(url, weight == null ? BackendOptions.DEFAULT_WEIGHT : weight,
                    maxConnections == null ? BackendOptions.DEFAULT_MAX_CONNECTIONS : maxConnections,
                    connectionAuth != null && connectionAuth);
        }
    }

    /** A {@code backends} item: a URL, or a mapping with {@code url} and the backend's own settings. */
    static final class BackendItem extends JsonDeserializer<BackendOptions> {
        @Override
        public BackendOptions deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.START_OBJECT) {
                return ctxt.readValue(p, BackendSection.class).options();
            }
            return BackendOptions.defaults(new Scalars.BackendUrl().deserialize(p, ctxt));
        }
    }

    record LimitsSection(@JsonDeserialize(using = Scalars.ByteSize.class) @Nullable Long maxHeaderSize,
            @Range(min = 1, max = MAX_CLIENT_CONNECTIONS) @Nullable Integer maxConnections) {
        LimitsSection {
            if (maxHeaderSize != null) {
                String fix = "use " + ConfigValues.formatSize(MIN_HEADER_SIZE) + " to "
                        + ConfigValues.formatSize(MAX_HEADER_SIZE) + " (default "
                        + ConfigValues.formatSize(Limits.DEFAULT.maxHeaderSize()) + ")";
                if (maxHeaderSize < MIN_HEADER_SIZE) {
                    throw new InvalidValue("max_header_size", ConfigValues.formatSize(maxHeaderSize)
                            + " is below the minimum", fix);
                }
                if (maxHeaderSize > MAX_HEADER_SIZE) {
                    throw new InvalidValue("max_header_size", ConfigValues.formatSize(maxHeaderSize)
                            + " is above the maximum", fix);
                }
            }
        }

        Limits limits() {
            return new Limits(maxHeaderSize == null ? Limits.DEFAULT.maxHeaderSize() : maxHeaderSize.intValue(),
                    maxConnections == null ? Limits.DEFAULT_MAX_CONNECTIONS : maxConnections);
        }
    }

    record TimeoutsSection(@Nullable Duration connect, @Nullable Duration response, @Nullable Duration clientIdle) {
        TimeoutsSection {
            Timeouts defaults = Timeouts.DEFAULT;
            connect = Checks.duration("connect", connect, defaults.connect(), MAX_TIMEOUT, Checks.TIMEOUT_FIX);
            response = Checks.duration("response", response, defaults.response(), MAX_TIMEOUT, Checks.TIMEOUT_FIX);
            clientIdle = Checks.duration("client_idle", clientIdle, defaults.clientIdle(), MAX_TIMEOUT,
                    Checks.TIMEOUT_FIX);
        }

        Timeouts timeouts() {
            return new Timeouts(connect, response, clientIdle);
        }
    }

    record HealthSection(
            @Fix("write an absolute path such as /healthz, or leave path out to turn active checks off")
            @Nullable String path,
            @Nullable Duration interval,
            @Nullable Duration timeout,
            @Range(min = 1, max = MAX_THRESHOLD) @Nullable Integer unhealthyThreshold,
            @Range(min = 1, max = MAX_THRESHOLD) @Nullable Integer healthyThreshold,
            @Nullable PassiveSection passive) {
        HealthSection {
            if (path != null && (!path.startsWith("/") || path.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f))) {
                throw new InvalidValue("path", ConfigValues.quote(path) + " is not an absolute path",
                        "write an absolute path such as /healthz, or leave path out to turn active checks off");
            }
            Health defaults = Health.DEFAULT;
            interval = Checks.duration("interval", interval, defaults.interval(), MAX_TIMEOUT, Checks.TIMEOUT_FIX);
            timeout = Checks.duration("timeout", timeout, defaults.timeout(), MAX_TIMEOUT, Checks.TIMEOUT_FIX);
        }

        Health health() {
            Health defaults = Health.DEFAULT;
            return new Health(path == null ? defaults.path() : path, interval, timeout,
                    unhealthyThreshold == null ? defaults.unhealthyThreshold() : unhealthyThreshold,
                    healthyThreshold == null ? defaults.healthyThreshold() : healthyThreshold,
                    passive == null ? Passive.DEFAULT : passive.passive());
        }
    }

    record PassiveSection(@Range(min = 0, max = MAX_THRESHOLD) @Nullable Integer consecutiveFailures,
            @Nullable Duration ejection) {
        PassiveSection {
            ejection = Checks.duration("ejection", ejection, Passive.DEFAULT.ejection(), MAX_TIMEOUT, Checks.TIMEOUT_FIX);
        }

        Passive passive() {
            return new Passive(consecutiveFailures == null ? Passive.DEFAULT.consecutiveFailures() : consecutiveFailures,
                    ejection);
        }
    }

    record RetriesSection(@Range(min = 0, max = MAX_RETRIES) @Nullable Integer idempotent) {
        Retries retries() {
            return idempotent == null ? Retries.DEFAULT : new Retries(idempotent);
        }
    }

    record DrainSection(@Nullable Duration timeout) {
        DrainSection {
            timeout = Checks.duration("timeout", timeout, Drain.DEFAULT.timeout(), MAX_TIMEOUT, Checks.TIMEOUT_FIX);
        }

        Drain drain() {
            return new Drain(timeout);
        }
    }

    record AccessLogSection(@Nullable Boolean enabled) {
        AccessLog accessLog() {
            return enabled == null ? AccessLog.DEFAULT : new AccessLog(enabled);
        }
    }

    record AuthSection(@Nullable Boolean required) {
        Auth auth() {
            return required == null ? Auth.DEFAULT : new Auth(required);
        }
    }

    /** {@code proxy_protocol}: the networks of the L4 balancers that send a PROXY header. */
    record ProxyProtocolSection(
            @Fix(PROXY_PROTOCOL_FIX) @JsonDeserialize(contentUsing = AdminSection.AddressBlock.class)
            @Nullable List<AddressRange> from) {

        static final String PROXY_PROTOCOL_FIX = "write from: [10.0.0.0/24], the balancers' addresses, or remove"
                + " proxy_protocol when no balancer sends the header";

        ProxyProtocolSection {
            from = Checks.distinct("from", from);
            if (from.isEmpty()) {
                throw new InvalidValue("from", "names no network", PROXY_PROTOCOL_FIX);
            }
        }

        GatewayConfig.ProxyProtocol proxyProtocol() {
            return new GatewayConfig.ProxyProtocol(from);
        }
    }

    /**
     * Forward-auth mode: kerbgate answers the authentication subrequests of a proxy in front of the backends (nginx
     * {@code auth_request}, Caddy {@code forward_auth}, Traefik ForwardAuth, Envoy {@code ext_authz}) instead of
     * forwarding anything itself.
     */
    record ForwardAuthSection(
            @Fix(TRUSTED_FROM_FIX) @JsonDeserialize(contentUsing = AdminSection.AddressBlock.class)
            @Nullable List<AddressRange> trustedFrom,
            @Fix(PATH_PREFIX_FIX) @Nullable String pathPrefix) {

        static final String TRUSTED_FROM_FIX = "write trusted_from: [127.0.0.1/32], the addresses of the proxies that"
                + " ask kerbgate";
        static final String PATH_PREFIX_FIX = "write a path such as /kerbgate-auth (Envoy ext_authz's path_prefix),"
                + " or remove path_prefix to read the original request from X-Forwarded-Method/-Uri/-Host";
        private static final java.util.regex.Pattern PREFIX = java.util.regex.Pattern.compile("(/[A-Za-z0-9._~-]+)+");

        ForwardAuthSection {
            trustedFrom = Checks.distinct("trusted_from", trustedFrom);
            if (trustedFrom.isEmpty()) {
                throw new InvalidValue("trusted_from", "names no network", TRUSTED_FROM_FIX);
            }
            if (pathPrefix != null && (!PREFIX.matcher(pathPrefix).matches() || pathPrefix.contains("/./")
                    || pathPrefix.contains("/../") || pathPrefix.endsWith("/.") || pathPrefix.endsWith("/.."))) {
                throw new InvalidValue("path_prefix", ConfigValues.quote(pathPrefix) + " is not a plain absolute"
                        + " path without a trailing /", PATH_PREFIX_FIX);
            }
        }

        GatewayConfig.ForwardAuth forwardAuth() {
            return new GatewayConfig.ForwardAuth(trustedFrom, pathPrefix);
        }
    }
}
