package io.kerbgate.replay;

/**
 * The authenticator is fresh, but its principal or its address already holds as many live entries of this node's
 * replay cache as either may: recording it would let one client crowd out every other, so it is refused (429), and
 * its sender alone is affected.
 */
public final class ReplayQuotaExceededException extends Exception {
    public ReplayQuotaExceededException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
