package io.kerbgate.architecture.bad.delegation;

import io.kerbgate.architecture.bad.config.Settings;

/** Breaks "delegation reads no config": the S4U2Proxy step reading the config's records instead of its settings. */
public final class ReadsConfig {
    public int entries(Settings settings) {
        return settings.skewSeconds();
    }
}
