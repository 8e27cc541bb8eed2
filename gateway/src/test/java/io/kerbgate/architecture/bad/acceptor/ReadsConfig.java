package io.kerbgate.architecture.bad.acceptor;

import io.kerbgate.architecture.bad.config.Settings;

/** Breaks "the Kerberos core reads no config" (and the layering: the acceptor floor reaching up to config). */
public final class ReadsConfig {
    public int skew(Settings settings) {
        return settings.skewSeconds();
    }
}
