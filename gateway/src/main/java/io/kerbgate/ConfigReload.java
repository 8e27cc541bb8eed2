package io.kerbgate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.config.ConfigException;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP: re-reads the config file, validates it as {@code run} would ({@link ConfigLoader}, then {@link Preflight}),
 * and applies what can change on a running gateway.
 *
 * <p>Applied live: {@code routes} (access rules), {@code identity} (header names, mapping rules, assertion, group
 * names), {@code logging} (the log format) and {@code error_pages} (the 401 and 403 bodies, read again from their
 * files). Every other key is bound into something built once at start: the
 * listeners ({@code listen}, {@code admin}, {@code tls}), the backend pool and its health checks, the key ring and
 * watcher ({@code keytab}, {@code principals}, {@code keys}), the acceptor and replay caches ({@code clock_skew},
 * {@code acceptor}, {@code replay}), limits, timeouts, sessions. A change to one of those is logged as a WARN naming
 * the key ("needs a restart") and not applied; the live keys of the same file still are. Compared with the config
 * the gateway started with, so every reload repeats the WARN until the restart.
 *
 * <p>A file that does not load or does not pass the preflight changes nothing: one WARN line, the config error
 * naming the key, and the running config stays. Meter, in the Prometheus form:
 * <table>
 *   <caption>meters</caption>
 *   <tr><td>{@code kerbgate_config_reloads_total{result}}</td><td>{@code applied}: all changes applied;
 *       {@code needs_restart}: the live keys applied, others changed too; {@code rejected}: nothing applied</td></tr>
 * </table>
 */
public final class ConfigReload {

    private static final Logger log = LoggerFactory.getLogger(ConfigReload.class);

    /** The top-level keys a reload applies; the rest need a restart. */
    public static final Set<String> LIVE_KEYS = Set.of("routes", "identity", "logging", "error_pages");

    /** What one reload did, the {@code result} tag. */
    public enum Result {
        APPLIED("applied"), NEEDS_RESTART("needs_restart"), REJECTED("rejected");

        private final String tag;

        Result(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final Path file;
    private final ObjectNode started;
    private final Consumer<GatewayConfig> apply;
    private final Map<Result, Counter> counters = new EnumMap<>(Result.class);

    /**
     * @param file    the config file to re-read
     * @param started the config the gateway started with
     * @param apply   applies the live keys of a validated config ({@link Kerbgate#reconfigure}); may throw
     *                {@link IllegalArgumentException}, which rejects the reload
     */
    public ConfigReload(Path file, GatewayConfig started, MeterRegistry registry, Consumer<GatewayConfig> apply) {
        this.file = Objects.requireNonNull(file, "file");
        this.started = ConfigLoader.toRedactedTree(started);
        this.apply = Objects.requireNonNull(apply, "apply");
        for (Result result : Result.values()) {
            counters.put(result, Counter.builder("kerbgate.config.reloads")
                    .description("Config reloads (SIGHUP) by result")
                    .tag("result", result.tag())
                    .register(registry));
        }
    }

    /** Re-reads the file and applies it; serialised, since two SIGHUPs may arrive together. */
    public synchronized Result reload() {
        GatewayConfig next;
        try {
            next = ConfigLoader.load(file);
            Preflight.check(next);
        } catch (ConfigException e) {
            return rejected(e.getMessage());
        }
        List<String> restart = new ArrayList<>(changedKeys(started, ConfigLoader.toRedactedTree(next)));
        restart.removeAll(LIVE_KEYS);
        try {
            apply.accept(next);
        } catch (RuntimeException e) {
            return rejected(e.getMessage());
        }
        for (String key : restart) {
            log.warn("config reload: {} changed, which needs a restart; the running value stays until then", key);
        }
        Result result = restart.isEmpty() ? Result.APPLIED : Result.NEEDS_RESTART;
        counters.get(result).increment();
        log.info("config reloaded from {}: routes, identity, logging and error_pages applied{}", file,
                restart.isEmpty() ? "" : "; not applied (needs a restart): " + String.join(", ", restart));
        return result;
    }

    private Result rejected(String why) {
        counters.get(Result.REJECTED).increment();
        log.warn("config not reloaded, the running config stays: {}", why);
        return Result.REJECTED;
    }

    /** Top-level keys whose effective value differs (defaults filled in, so leaving a key out equals its default). */
    static Set<String> changedKeys(ObjectNode before, ObjectNode after) {
        Set<String> keys = new LinkedHashSet<>();
        for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        after.fieldNames().forEachRemaining(keys::add);
        keys.removeIf(key -> Objects.equals(before.get(key), after.get(key)));
        return keys;
    }
}
