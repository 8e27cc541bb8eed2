package io.kerbgate.diagnostics;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One line of {@code kerbgate diagnose}: a step's outcome, what was found, and what to do about a WARN or a FAIL.
 *
 * @param status  the outcome
 * @param step    the step's short name ({@code config}, {@code keytab}, {@code keys}, {@code clock}, {@code dns},
 *                {@code krb5.conf}, {@code kdc}, {@code ticket})
 * @param message what was found, one line
 * @param fix     what to do, or {@code null} when nothing needs doing
 */
public record Check(Status status, String step, String message, @Nullable String fix) {

    /** Outcomes, worst last. Only {@link #FAIL} makes the command exit non-zero. */
    public enum Status { INFO, SKIP, PASS, WARN, FAIL }

    public Check {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(message, "message");
    }

    static Check pass(String step, String message) {
        return new Check(Status.PASS, step, message, null);
    }

    static Check info(String step, String message) {
        return new Check(Status.INFO, step, message, null);
    }

    static Check skip(String step, String message) {
        return new Check(Status.SKIP, step, message, null);
    }

    static Check warn(String step, String message, String fix) {
        return new Check(Status.WARN, step, message, fix);
    }

    static Check fail(String step, String message, String fix) {
        return new Check(Status.FAIL, step, message, fix);
    }

    /** {@code PASS  keytab     message}, then {@code       fix: ...} when there is one. */
    public String render() {
        String line = String.format("%-5s %-10s %s", status, step, message);
        return fix == null ? line : line + "\n" + " ".repeat(17) + "fix: " + fix;
    }
}
