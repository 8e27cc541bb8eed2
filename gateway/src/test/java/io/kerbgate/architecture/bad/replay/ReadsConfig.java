package io.kerbgate.architecture.bad.replay;

import io.kerbgate.architecture.bad.config.Settings;

/** Breaks "the replay caches read no config". */
public final class ReadsConfig {
    public long ttlSeconds(Settings settings) {
        return 2L * settings.skewSeconds();
    }
}
