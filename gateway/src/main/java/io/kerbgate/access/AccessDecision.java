package io.kerbgate.access;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.Acceptance.Rejected;
import io.kerbgate.acceptor.TokenFacts;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's decision on one request: forwarded as an authenticated principal ({@link Allowed}), forwarded without
 * an identity on an anonymous route ({@link Anonymous}), or refused ({@link Refused}): by the acceptor, whose verdict
 * is a Kerberos one ({@link TokenRefused}), or by the gateway itself ({@link RequestRefused}).
 */
public sealed interface AccessDecision
        permits AccessDecision.Allowed, AccessDecision.Anonymous, AccessDecision.Refused {

    /** An authenticated principal that its access route lets through. */
    record Allowed(Accepted accepted) implements AccessDecision {
        public Allowed {
            Objects.requireNonNull(accepted, "accepted");
        }
    }

    /**
     * A request on an anonymous route ({@code routes[].anonymous}): the acceptor was not asked, and the request goes to
     * the backend without an identity (client copies of the identity header and {@code Authorization} are removed).
     *
     * @param route the name of the route that let it through
     */
    record Anonymous(String route) implements AccessDecision {
        public Anonymous {
            Objects.requireNonNull(route, "route");
        }
    }

    /** A refused request, as the refusal log, the metrics and the edge's status mapping see it. */
    sealed interface Refused extends AccessDecision permits TokenRefused, RequestRefused {
        /** The bounded value of the {@code reason} tag of metrics and of log lines. */
        String tag();

        /** The operator-facing explanation for the log, never sent to the client. */
        String detail();

        /** What the acceptor saw of the token (may be partly or wholly empty). */
        TokenFacts facts();

        /** A SPNEGO {@code negState=reject} token to send with a 401, or {@code null}. */
        byte @Nullable [] rejectToken();
    }

    /** The acceptor refused the token: its verdict, in Kerberos terms. */
    record TokenRefused(Rejected rejected) implements Refused {
        public TokenRefused {
            Objects.requireNonNull(rejected, "rejected");
        }

        @Override
        public String tag() {
            return rejected.reason().tag();
        }

        @Override
        public String detail() {
            return rejected.detail();
        }

        @Override
        public TokenFacts facts() {
            return rejected.facts();
        }

        @Override
        public byte @Nullable [] rejectToken() {
            return rejected.rejectToken();
        }
    }

    /**
     * The gateway refused the request with no verdict of the acceptor's on a token, or refused a principal the
     * acceptor accepted ({@link RequestReason#ACCESS_DENIED}).
     *
     * @param facts what is known of the ticket ({@link TokenFacts#NONE} before any)
     */
    record RequestRefused(RequestReason reason, String detail, TokenFacts facts) implements Refused {
        public RequestRefused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            facts = facts == null ? TokenFacts.NONE : facts;
        }

        public static RequestRefused of(RequestReason reason, String detail) {
            return new RequestRefused(reason, detail, TokenFacts.NONE);
        }

        @Override
        public String tag() {
            return reason.tag();
        }

        @Override
        public byte @Nullable [] rejectToken() {
            return null;
        }
    }
}
