package io.kerbgate.admin;

import io.kerbgate.config.GatewayConfig;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the admin server asks the rest of the gateway, each as a supplier called per request (on the admin event
 * loop, so each must be cheap and thread-safe: read a volatile snapshot, do not compute).
 *
 * @param ready          whether the node should get traffic ({@code /readyz} 200 or 503)
 * @param notReadyReason a short reason shown with the 503, e.g. {@code "no keys loaded"}
 * @param keys           the key ring's view for {@code /keys}, serialized as JSON by Jackson (records, maps, lists;
 *                       {@code java.time} values are written as ISO-8601 strings)
 * @param config         the effective configuration for {@code /config}; the server redacts it
 *                       ({@link io.kerbgate.config.ConfigLoader#toRedactedTree}), so the supplier need not
 * @param keyWrites      {@code PUT} and {@code DELETE /keys}: who may, and the keytab they change
 */
public record AdminEndpoints(
        BooleanSupplier ready, Supplier<String> notReadyReason, Supplier<Object> keys, Supplier<GatewayConfig> config,
        KeyWrites keyWrites) {

    public AdminEndpoints {
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(notReadyReason, "notReadyReason");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(keyWrites, "keyWrites");
    }

    /** Endpoints without key writes. */
    public AdminEndpoints(BooleanSupplier ready, Supplier<String> notReadyReason, Supplier<Object> keys,
            Supplier<GatewayConfig> config) {
        this(ready, notReadyReason, keys, config, KeyWrites.disabled());
    }

    /** Endpoints for a node still starting: not ready ("starting"), no keys, the given config. */
    public static AdminEndpoints starting(GatewayConfig config) {
        Objects.requireNonNull(config, "config");
        return new AdminEndpoints(() -> false, () -> "starting", Map::of, () -> config);
    }

    public AdminEndpoints withReadiness(BooleanSupplier ready, Supplier<String> notReadyReason) {
        return new AdminEndpoints(ready, notReadyReason, keys, config, keyWrites);
    }

    public AdminEndpoints withKeys(Supplier<Object> keys) {
        return new AdminEndpoints(ready, notReadyReason, keys, config, keyWrites);
    }

    public AdminEndpoints withKeyWrites(KeyWrites keyWrites) {
        return new AdminEndpoints(ready, notReadyReason, keys, config, keyWrites);
    }
}
