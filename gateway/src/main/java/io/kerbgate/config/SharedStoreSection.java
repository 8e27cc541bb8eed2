package io.kerbgate.config;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.replay.SharedStoreSettings;
import io.kerbgate.replay.SharedStoreSettings.Fail;
import io.kerbgate.config.Scalars.Range;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code replay.shared} section as it is written ({@link #shared()}).
 */
record SharedStoreSection(
        @JsonDeserialize(using = SharedStoreSection.StoreUri.class) @Nullable URI uri,
        @Fix(SharedStoreSection.PASSWORD_FILE_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class)
        @Nullable Path passwordFile,
        @Fix(SharedStoreSection.PASSWORD_FILE_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class)
        @Nullable Path sentinelPasswordFile,
        @JsonDeserialize(using = SharedStoreSection.FailMode.class) @Nullable Fail fail,
        @Nullable Duration timeout,
        @Range(min = 1, max = SharedStoreSection.MAX_CIRCUIT_FAILURES) @Nullable Integer circuitFailures,
        @Nullable Duration circuitCooldown,
        @Range(min = 0, max = SharedStoreSection.MAX_MIN_REPLICAS_ACK) @Nullable Integer minReplicasAck,
        @Nullable Duration failoverWait) {

    static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_COOLDOWN = Duration.ofMinutes(10);
    static final int MAX_CIRCUIT_FAILURES = 1_000;
    // Far more replicas than any array runs; the bound only stops a typo from making every insert wait for WAIT.
    static final int MAX_MIN_REPLICAS_ACK = 16;
    // Requests wait that long, each holding its client's connection: past a minute the clients give up anyway.
    static final Duration MAX_FAILOVER_WAIT = Duration.ofMinutes(1);

    static final String URI_FIX = "write redis://host:6379/0, rediss:// for TLS, or "
            + "redis-sentinel://host1:26379,host2:26379,host3:26379/0#mymaster for a master that Sentinel watches";
    static final String SENTINEL_FIX =
            "write redis-sentinel://host1:26379,host2:26379,host3:26379/0#mymaster (rediss-sentinel:// for TLS)";
    static final String PASSWORD_FILE_FIX = "point password_file at a file that holds the password alone";
    private static final Pattern DATABASE = Pattern.compile("/\\d{1,9}");

    SharedStoreSection {
        Checks.require("uri", uri,
                "add uri: redis://host:6379/0, or remove replay.shared for a per-node replay cache only");
        passwordFile(passwordFile, "password_file");
        passwordFile(sentinelPasswordFile, "sentinel_password_file");
        SharedStoreSettings parsed = SharedStoreSettings.of(uri);
        if (sentinelPasswordFile != null && !parsed.isSentinel()) {
            throw new InvalidValue("sentinel_password_file", "is set but the uri names no sentinels",
                    "remove it, or " + SENTINEL_FIX);
        }
        String userInfo = parsed.rawUserInfo();
        if (passwordFile != null && userInfo != null && userInfo.contains(":")) {
            throw new InvalidValue("password_file", "is set but the uri carries a password too",
                    "give the password once: remove it from the uri (redis://host:6379/0) or drop password_file");
        }
        if (passwordFile == null && userInfo != null && !userInfo.contains(":")) {
            // Clients disagree on whether redis://word@host names a user or a password: accept neither reading.
            throw new InvalidValue("uri", "names a user but no password",
                    "write redis://user:password@host, redis://:password@host, or add password_file");
        }
        fail = fail == null ? SharedStoreSettings.DEFAULT_FAIL : fail;
        timeout = Checks.duration("timeout", timeout, SharedStoreSettings.DEFAULT_TIMEOUT, MAX_TIMEOUT, "use a duration from 1ms to "
                + Durations.format(MAX_TIMEOUT) + " (default 50ms)");
        circuitFailures = circuitFailures == null ? SharedStoreSettings.DEFAULT_CIRCUIT_FAILURES : circuitFailures;
        circuitCooldown = Checks.duration("circuit_cooldown", circuitCooldown, SharedStoreSettings.DEFAULT_CIRCUIT_COOLDOWN,
                MAX_COOLDOWN, "use a duration from 1ms to " + Durations.format(MAX_COOLDOWN) + " (default 2s)");
        minReplicasAck = minReplicasAck == null ? SharedStoreSettings.DEFAULT_MIN_REPLICAS_ACK : minReplicasAck;
        failoverWait = Checks.durationOrZero("failover_wait", failoverWait, SharedStoreSettings.DEFAULT_FAILOVER_WAIT,
                MAX_FAILOVER_WAIT, "use a duration from 0s (no wait) to " + Durations.format(MAX_FAILOVER_WAIT)
                        + " (default 10s)");
    }

    SharedStoreSettings shared() {
        return new SharedStoreSettings(uri, passwordFile, sentinelPasswordFile, fail, timeout, circuitFailures, circuitCooldown,
                minReplicasAck, failoverWait);
    }

    /** The {@code replay} section: {@code shared}, or a per-node cache only. */
    record ReplaySection(@Nullable SharedStoreSection shared) {
        GatewayConfig.Replay replay() {
            return shared == null ? GatewayConfig.Replay.NONE : new GatewayConfig.Replay(shared.shared());
        }
    }

    // Checked now so that a wrong path fails the start; the secret itself is read only when connecting.
    private static void passwordFile(@Nullable Path path, String key) {
        if (path != null) {
            InvalidValue.check(() -> {
                FileChecks.nonEmptyFile(key, path, PASSWORD_FILE_FIX,
                        "let the user that runs kerbgate read it, and nobody else");
                ConfigValues.requirePrivate(key, path);
                return path;
            });
        }
    }

    /** A {@code redis://}, {@code rediss://} or Sentinel URI; a refusal never quotes it, as it may hold a password. */
    static final class StoreUri extends NodeReader<URI> {
        @Override
        protected URI convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return uri("", node);
        }
    }

    static URI uri(String key, JsonNode node) throws ConfigException {
        String text = ConfigValues.text(key, node, URI_FIX);
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            // The reason, not the input: the text may hold a password.
            throw new ConfigException(key, "is not a URI (" + e.getReason() + ")", URI_FIX);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean sentinel = scheme.equals("redis-sentinel") || scheme.equals("rediss-sentinel");
        if (!scheme.equals("redis") && !scheme.equals("rediss") && !sentinel) {
            throw new ConfigException(key, "is not a redis://, rediss://, redis-sentinel:// or rediss-sentinel:// URI",
                    URI_FIX + " (Cluster and Unix sockets are not supported)");
        }
        if (sentinel) {
            sentinelParts(key, uri);
        } else if (uri.getHost() == null) {
            throw new ConfigException(key, "has no host", uri.getRawAuthority() != null
                    && uri.getRawAuthority().contains(",") ? "list several hosts with " + SENTINEL_FIX : URI_FIX);
        }
        if (uri.getRawQuery() != null || (!sentinel && uri.getRawFragment() != null)) {
            throw new ConfigException(key, sentinel ? "has a query" : "has a query or fragment",
                    "set the timeout with replay.shared.timeout; the uri holds scheme, host, port and database only"
                            + (sentinel ? ", and the master's name after #" : ""));
        }
        String path = uri.getRawPath();
        if (!(path == null || path.isEmpty() || path.equals("/") || DATABASE.matcher(path).matches())) {
            throw new ConfigException(key, "has a path that is not a database number",
                    sentinel ? "write /0 or /N before the #master name" : "end the uri with /0 or /N");
        }
        return uri;
    }

    // The sentinels and the master's name; Lettuce would refuse the rest only when connecting, or not at all.
    private static void sentinelParts(String key, URI uri) throws ConfigException {
        String authority = uri.getRawAuthority();
        if (authority == null || authority.substring(authority.lastIndexOf('@') + 1).isEmpty()) {
            throw new ConfigException(key, "names no sentinel", SENTINEL_FIX);
        }
        try {
            SharedStoreSettings.Node.parseAll(authority.substring(authority.lastIndexOf('@') + 1), SharedStoreSettings.DEFAULT_SENTINEL_PORT);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage(), SENTINEL_FIX);
        }
        String master = uri.getFragment();
        if (master == null || master.isBlank()) {
            throw new ConfigException(key, "names no master",
                    "end the uri with #<name>, the name in the sentinels' 'sentinel monitor <name> ...' line");
        }
    }

    static final class FailMode extends NodeReader<Fail> {
        @Override
        protected Fail convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return fail("", node);
        }
    }

    private static Fail fail(String key, JsonNode node) throws ConfigException {
        String fix = "write closed (refuse with 503 while the store is down) or open (trust this node's cache alone)";
        if (node.isTextual()) {
            for (Fail fail : Fail.values()) {
                if (fail.configName().equals(node.textValue().strip())) {
                    return fail;
                }
            }
        }
        throw new ConfigException(key, ConfigValues.describe(node) + " is not closed or open", fix);
    }
}
