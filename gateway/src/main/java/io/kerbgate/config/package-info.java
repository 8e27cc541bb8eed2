/**
 * The gateway's configuration: {@link io.kerbgate.config.GatewayConfig} (immutable records, the contract the other
 * packages read) and {@link io.kerbgate.config.ConfigLoader}, which turns YAML into it and refuses anything it does
 * not understand with a one-line {@link io.kerbgate.config.ConfigException} naming the key.
 */
@NullMarked
package io.kerbgate.config;

import org.jspecify.annotations.NullMarked;
