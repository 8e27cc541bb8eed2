package io.kerbgate.rollover;

/** The KDC could not be asked or refused what was asked; the message says which KDC, what and why, never a secret. */
public final class KdcException extends Exception {

    public KdcException(String message) {
        super(message);
    }

    public KdcException(String message, Throwable cause) {
        super(message, cause);
    }
}
