package io.kerbgate.replay;

/** The replay cache could not record an authenticator, so the acceptor must not accept it (fail closed). */
public final class ReplayCacheUnavailableException extends Exception {
    public ReplayCacheUnavailableException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
