package io.kerbgate.rollover;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them in the array file and on the command line: {@code 10h5m}, {@code 30d}, {@code 90s}. */
public final class Durations {

    private static final Pattern WHOLE = Pattern.compile("(\\d{1,9}(d|h|m|s))+");
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(d|h|m|s)");

    private Durations() {}

    /** @throws IllegalArgumentException naming the text, when it is not one or more number+unit parts */
    static Duration parse(String text) {
        String t = text.trim();
        if (!WHOLE.matcher(t).matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration; use a form like 10h5m, 30d or 90s");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
        }
        return total;
    }

    /** The shortest form {@link #parse} reads back: {@code PT10H5M -> 10h5m}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long seconds = d.getSeconds();
        long[] lengths = {86_400, 3_600, 60, 1};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < lengths.length; i++) {
            if (seconds >= lengths[i]) {
                out.append(seconds / lengths[i]).append(units[i]);
                seconds %= lengths[i];
            }
        }
        return out.toString();
    }
}
