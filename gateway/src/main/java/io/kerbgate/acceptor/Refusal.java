package io.kerbgate.acceptor;

/**
 * Thrown inside the acceptor's layers (header, SPNEGO framing, AP-REQ checks) to stop at the first failed check;
 * the acceptor turns it into an {@link Acceptance.Rejected}. Checked, so no layer can forget it, and
 * without a stack trace, because refusals are routine and attacker-driven.
 */
public final class Refusal extends Exception {
    private final RejectReason reason;

    public Refusal(RejectReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
