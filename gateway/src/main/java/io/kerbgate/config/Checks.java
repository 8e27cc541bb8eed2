package io.kerbgate.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Checks the section records share; each refuses with an {@link InvalidValue} naming the key it was given. */
final class Checks {

    static final String TIMEOUT_FIX = "use a duration from 1ms to 1d";

    private Checks() {}

    /** A present key, or {@code "is missing"}. */
    static <T> T require(String key, @Nullable T value, String fix) {
        if (value == null) {
            throw new InvalidValue(key, "is missing", fix);
        }
        return value;
    }

    /** {@code value}, more than 0 and at most {@code max}; {@code fallback} when absent. */
    static Duration duration(String key, @Nullable Duration value, Duration fallback, Duration max, String fix) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new InvalidValue(key, Durations.format(value) + " is not more than 0", fix);
        }
        if (value.compareTo(max) > 0) {
            throw new InvalidValue(key, Durations.format(value) + " is more than " + Durations.format(max), fix);
        }
        return value;
    }

    /** As {@link #duration}, where 0 is allowed and turns the feature off. */
    static Duration durationOrZero(String key, @Nullable Duration value, Duration fallback, Duration max, String fix) {
        if (value == null) {
            return fallback;
        }
        if (value.compareTo(max) > 0) {
            throw new InvalidValue(key, Durations.format(value) + " is more than " + Durations.format(max), fix);
        }
        return value;
    }

    /** A list without repeats, empty when absent; a repeat is named by its index. */
    static <T> List<T> distinct(String key, @Nullable List<T> values) {
        if (values == null) {
            return List.of();
        }
        Set<T> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            if (!seen.add(values.get(i))) {
                throw new InvalidValue(key + "[" + i + "]", ConfigValues.quote(values.get(i).toString())
                        + " is listed twice", "remove the repeat");
            }
        }
        return List.copyOf(values);
    }
}
