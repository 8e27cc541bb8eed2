package io.kerbgate.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of kerbgate's files (the gateway config and the rollover tool's array file): number+unit
 * parts from the largest unit to the smallest, each unit at most once ({@code 10h5m}, {@code 300s}, {@code 50ms},
 * {@code 2d1h}), or ISO-8601 ({@code PT5M}).
 */
public final class Durations {

    // Units from largest to smallest; a duration names each at most once, in this order ("1h30m", not "30m1h").
    private static final String[] UNITS = {"d", "h", "m", "s", "ms"};
    private static final Duration[] UNIT_LENGTHS = {
            Duration.ofDays(1), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofMillis(1)};
    private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|d|h|m|s)");

    private Durations() {}

    /** @throws IllegalArgumentException {@code "<text>" is not a duration}, when {@code text} is not in the grammar */
    public static Duration parse(String text) {
        Duration parsed = parseOrNull(text.strip());
        if (parsed == null) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration");
        }
        return parsed;
    }

    private static Duration parseOrNull(String text) {
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        Matcher part = PART.matcher(text);
        Duration total = Duration.ZERO;
        int position = 0;
        int nextUnit = 0;
        while (position < text.length()) {
            if (!part.region(position, text.length()).lookingAt()) {
                return null;
            }
            int unit = unitIndex(part.group(2));
            if (unit < nextUnit) {
                return null;
            }
            try {
                total = total.plus(UNIT_LENGTHS[unit].multipliedBy(Long.parseLong(part.group(1))));
            } catch (ArithmeticException e) {
                return null;
            }
            nextUnit = unit + 1;
            position = part.end();
        }
        return position == 0 ? null : total;
    }

    private static int unitIndex(String unit) {
        for (int i = 0; i < UNITS.length; i++) {
            if (UNITS[i].equals(unit)) {
                return i;
            }
        }
        throw new IllegalArgumentException(unit);
    }

    /** The shortest form {@link #parse} reads back: {@code 5m}, {@code 10h5m}, {@code 500ms}, {@code 0s}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.isNegative() || duration.getNano() % 1_000_000 != 0) {
            return duration.toString();
        }
        StringBuilder text = new StringBuilder();
        Duration rest = duration;
        for (int i = 0; i < UNITS.length; i++) {
            long count = rest.dividedBy(UNIT_LENGTHS[i]);
            if (count > 0) {
                text.append(count).append(UNITS[i]);
                rest = rest.minus(UNIT_LENGTHS[i].multipliedBy(count));
            }
        }
        return text.toString();
    }
}
