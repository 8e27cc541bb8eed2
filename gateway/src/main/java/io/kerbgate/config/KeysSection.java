package io.kerbgate.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The {@code keys} section as it is written. An absent {@code grace} stays {@code null} here: its default, the
 * longest ticket lifetime plus {@code clock_skew}, needs a key of the top level ({@link #keys(Duration)}).
 */
record KeysSection(
        @Nullable Duration grace,
        @Nullable Duration pollInterval,
        @Fix(KeysSection.STATE_DIR_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path stateDir) {

    // A grace beyond a week outlives any ticket lifetime policy: a retired key would stay usable for nothing.
    static final Duration MAX_GRACE = Duration.ofDays(7);
    static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(10);
    static final String STATE_DIR_FIX = "write state_dir: /var/lib/kerbgate/keys (systemd StateDirectory=kerbgate/keys),"
            + " a directory of this node's own";

    KeysSection {
        if (grace != null) {
            Checks.duration("grace", grace, grace, MAX_GRACE, "use the longest ticket lifetime plus clock_skew, e.g."
                    + " 10h5m (at most " + Durations.format(MAX_GRACE) + ")");
        }
        String pollFix = "use a duration from " + Durations.format(MIN_POLL_INTERVAL) + " to "
                + Durations.format(MAX_POLL_INTERVAL) + " (default " + Durations.format(Keys.DEFAULT_POLL_INTERVAL)
                + ")";
        pollInterval = Checks.duration("poll_interval", pollInterval, Keys.DEFAULT_POLL_INTERVAL, MAX_POLL_INTERVAL,
                pollFix);
        if (pollInterval.compareTo(MIN_POLL_INTERVAL) < 0) {
            throw new InvalidValue("poll_interval", Durations.format(pollInterval) + " is below the minimum", pollFix);
        }
        if (stateDir != null && Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
            throw new InvalidValue("state_dir", stateDir + " is not a directory", STATE_DIR_FIX);
        }
    }

    Keys keys(Duration clockSkew) {
        return new Keys(grace == null ? Keys.defaults(clockSkew).grace() : grace, pollInterval, stateDir);
    }
}
