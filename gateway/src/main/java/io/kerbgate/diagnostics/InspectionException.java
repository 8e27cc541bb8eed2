package io.kerbgate.diagnostics;

/**
 * Input that the diagnostics cannot work with (not base64, not a token, an unreadable keytab). The message is one
 * line meant for the operator, so the CLI prints it as it is and exits 1, never with a stack trace.
 */
public final class InspectionException extends Exception {
    private static final long serialVersionUID = 1L;

    public InspectionException(String message) {
        super(message);
    }

    public InspectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
