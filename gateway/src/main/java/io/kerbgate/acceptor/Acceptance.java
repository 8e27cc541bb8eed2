package io.kerbgate.acceptor;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The acceptor's verdict on one token: {@link Accepted} or {@link Rejected}, in Kerberos terms. What the gateway then
 * does with the request (an access route, an anonymous route) is {@code access.AccessDecision}.
 */
public sealed interface Acceptance permits Acceptance.Accepted, Acceptance.Rejected {

    /**
     * A token that passed every check.
     *
     * @param client        the authenticated client principal, {@code name@REALM}, from the decrypted ticket
     * @param service       the keytab principal whose key decrypted the ticket (never the cleartext sname)
     * @param kvno          the key version that decrypted the ticket
     * @param enctype       the ticket's encryption type number
     * @param responseToken the GSS output token for {@code WWW-Authenticate: Negotiate <b64>} on the response
     *                      (SPNEGO accept-completed, with the AP-REP when mutual authentication was asked),
     *                      or {@code null} when there is nothing to send
     * @param cachedTicket  true when the ticket's decryption came from the ticket cache
     * @param groups        the group SIDs of the ticket's verified PAC ({@code acceptor.pac}); empty otherwise
     * @param ticketEnd     the ticket's end time (a session cookie never outlives it), {@link Instant#MAX} when
     *                      unknown
     */
    record Accepted(String client, String service, int kvno, int enctype, byte[] responseToken, boolean cachedTicket,
            List<String> groups, Instant ticketEnd) implements Acceptance {
        public Accepted {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(service, "service");
            groups = List.copyOf(groups);
            ticketEnd = ticketEnd == null ? Instant.MAX : ticketEnd;
        }

        /** Without the ticket's end time ({@link Instant#MAX}). */
        public Accepted(String client, String service, int kvno, int enctype, byte[] responseToken,
                boolean cachedTicket, List<String> groups) {
            this(client, service, kvno, enctype, responseToken, cachedTicket, groups, Instant.MAX);
        }

        public Accepted(String client, String service, int kvno, int enctype, byte[] responseToken,
                boolean cachedTicket) {
            this(client, service, kvno, enctype, responseToken, cachedTicket, List.of());
        }
    }

    /**
     * A refused token.
     *
     * @param reason      why, bounded (metric tag)
     * @param detail      the operator-facing explanation for the log, never sent to the client
     * @param facts       what the acceptor saw before it stopped (may be partly empty)
     * @param rejectToken a SPNEGO {@code negState=reject} token to send with the 401, or {@code null}
     */
    record Rejected(RejectReason reason, String detail, TokenFacts facts, byte[] rejectToken) implements Acceptance {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            facts = facts == null ? TokenFacts.NONE : facts;
        }

        public static Rejected of(RejectReason reason, String detail) {
            return new Rejected(reason, detail, TokenFacts.NONE, null);
        }
    }
}
