package io.kerbgate.basic;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.Acceptance.Rejected;

/** What one password login came to; {@link LoginCache} keeps some of them for a while. */
sealed interface Outcome {

    /** The ticket the KDC issued for the array principal passed our own acceptor. */
    record Success(Accepted accepted) implements Outcome {}

    /** The KDC said no: wrong password, unknown user, locked, disabled or expired (the detail says which). */
    record BadCredentials(String detail) implements Outcome {}

    /**
     * The KDC said yes, but our acceptor refused its ticket: a KDC that does not hold our key (spoofed), or keys out of
     * step with it. Never a way in.
     */
    record TicketRefused(Rejected rejected) implements Outcome {}

    /** No answer from the KDC, or one that is no verdict on the password (a KDC or configuration fault). */
    record Unavailable(String detail) implements Outcome {}

    /** Not tried: the principal or the client's address is over its rate limit. */
    record RateLimited(String detail) implements Outcome {}
}
