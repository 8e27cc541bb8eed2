package io.kerbgate.delegation;

import java.util.Objects;

/** The outcome of asking for a backend token in a user's name: a header value, or why there is none. */
public sealed interface Delegated permits Delegated.Token, Delegated.Refused {

    /**
     * @param headerValue {@code Negotiate <base64>}: a fresh authenticator with the user's ticket to the backend
     * @param cached      whether the ticket came from the cache (no KDC exchange for this request)
     */
    record Token(String headerValue, boolean cached) implements Delegated {
        public Token {
            Objects.requireNonNull(headerValue, "headerValue");
        }

        @Override
        public String toString() {
            // The header is a credential: it never reaches a log through this record.
            return "Token[cached=" + cached + "]";
        }
    }

    /**
     * @param reason why, bounded (metric tag)
     * @param detail for the operator's log, never sent to the client
     */
    record Refused(Reason reason, String detail) implements Delegated {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Why no backend token was made. */
    enum Reason {
        /**
         * No backend ticket is cached for the user and the request carries no Negotiate token (it came through a
         * session): only a token holds the ticket the KDC wants as evidence, so the client is asked for one.
         */
        NEEDS_TOKEN("needs_token"),
        /**
         * The KDC, or the gateway before asking it, refused: the user's ticket is not forwardable (not {@code kinit
         * -f}, or the account is sensitive and cannot be delegated), the gateway's account may not delegate to the
         * backend, or the ticket is for another principal than the one the gateway logs in as.
         */
        REFUSED("refused"),
        /** The KDC could not be reached, or the gateway's own login failed: not the client's fault, worth a retry. */
        UNAVAILABLE("unavailable");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }
}
