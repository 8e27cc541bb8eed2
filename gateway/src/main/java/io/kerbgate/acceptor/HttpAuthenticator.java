package io.kerbgate.acceptor;

import io.kerbgate.keys.KeySet;
import java.net.InetAddress;

/**
 * Turns the value of one {@code Authorization} header into a verdict. Implementations are thread-safe and never
 * throw for anything a client sent: every bad input becomes a {@link Acceptance.Rejected}.
 */
@FunctionalInterface
public interface HttpAuthenticator {

    /**
     * @param authorization the header value, e.g. {@code "Negotiate YIIC..."}; never {@code null}
     * @param peer          the client's address as seen on the socket (never from X-Forwarded-For)
     * @param bindings      what the client's token must be bound to: the TLS connection's
     *                      {@code tls-server-end-point}, or {@link ChannelBindings#NONE} (checklist item 21)
     */
    Acceptance authenticate(String authorization, InetAddress peer, ChannelBindings bindings);

    /** {@link #authenticate(String, InetAddress, ChannelBindings)} without channel bindings (plain HTTP). */
    default Acceptance authenticate(String authorization, InetAddress peer) {
        return authenticate(authorization, peer, ChannelBindings.NONE);
    }

    /**
     * The keys this authenticator holds now, for diagnostics only: the refusal log compares a refused ticket's kvno and
     * enctype with them. Empty for an authenticator without a keytab.
     */
    default KeySet keys() {
        return KeySet.EMPTY;
    }

    /**
     * True while the node has no key at all yet (started before the rollover tool installed any): every token would
     * fail, through no fault of the client's, so the front answers 503 ({@code access.RequestReason.NO_KEYS}),
     * not 401.
     * False for an authenticator that does not say.
     */
    default boolean awaitingKeys() {
        return false;
    }
}
