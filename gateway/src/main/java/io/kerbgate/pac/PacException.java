package io.kerbgate.pac;

/** A PAC that is malformed, or whose checks fail; the message is for the operator's log, never for the client. */
public final class PacException extends Exception {
    public PacException(String message) {
        super(message);
    }
}
