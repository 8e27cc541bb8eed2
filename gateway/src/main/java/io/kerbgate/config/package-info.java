/**
 * The gateway's configuration: {@link io.kerbgate.config.GatewayConfig} (immutable records, the contract the other
 * packages read) and {@link io.kerbgate.config.ConfigLoader}, which turns YAML into it and refuses anything it does
 * not understand with a one-line {@link io.kerbgate.config.ConfigException} naming the key.
 *
 * <p>How a file is read: Jackson binds it ({@link io.kerbgate.config.SectionBinder}) to records shaped as the file is
 * written, {@code ConfigFile} and one record per section, whose constructors check their keys and fill the defaults;
 * scalars are read without coercion ({@code Scalars}, {@link io.kerbgate.config.NodeReader}); whatever is refused on
 * the way becomes a {@code ConfigException} in one place, {@code ConfigErrors}. The rollover tool's array file is read
 * the same way. {@link io.kerbgate.config.Durations} is the one duration grammar of every file and option.
 */
@NullMarked
package io.kerbgate.config;

import org.jspecify.annotations.NullMarked;
