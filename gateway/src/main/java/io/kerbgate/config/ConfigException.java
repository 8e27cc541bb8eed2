package io.kerbgate.config;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A configuration that cannot be used, with the key at fault, what is wrong with it and how to fix it. The message
 * is always one line, {@code config error at 'clock_skew': "5 minutes" is not a duration; use a form like 5m},
 * so that the CLI can print it as it is, without a stack trace.
 *
 * <p>Keys are dotted paths in the YAML ({@code identity.header}); list items carry a 0-based index
 * ({@code backends[1]}). An empty key means the file as a whole (unreadable, not YAML, empty).
 */
public final class ConfigException extends Exception {

    private final String key;
    private final String problem;
    private final String fix;

    public ConfigException(String key, String problem, String fix) {
        this(key, problem, fix, null);
    }

    public ConfigException(String key, String problem, String fix, @Nullable Throwable cause) {
        super(message(Objects.requireNonNull(key, "key"), Objects.requireNonNull(problem, "problem"),
                Objects.requireNonNull(fix, "fix")), cause);
        this.key = key;
        this.problem = problem;
        this.fix = fix;
    }

    /** The dotted key path at fault, or {@code ""} for the file as a whole. */
    public String key() {
        return key;
    }

    /** What is wrong, e.g. {@code "5 minutes" is not a duration}. */
    public String problem() {
        return problem;
    }

    /** What to do about it, e.g. {@code use a form like 5m, 300s or 10h5m}. */
    public String fix() {
        return fix;
    }

    private static String message(String key, String problem, String fix) {
        String where = key.isEmpty() ? "config error" : "config error at '" + key + "'";
        return oneLine(where + ": " + problem + "; " + fix);
    }

    // A value quoted from the file may hold a line break; the CLI promises one line per error.
    private static String oneLine(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n");
    }
}
