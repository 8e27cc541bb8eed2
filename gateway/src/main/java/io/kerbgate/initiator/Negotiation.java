package io.kerbgate.initiator;

import java.util.Base64;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSException;

/** One initiator context: its first token, and the means to finish it with the server's answer (mutual auth). */
public final class Negotiation {
    private static final String SCHEME = "Negotiate ";

    private final GssInitiator initiator;
    private final GSSContext context;
    private final byte[] token;

    Negotiation(GssInitiator initiator, GSSContext context, byte[] token) {
        this.initiator = initiator;
        this.context = context;
        this.token = token;
    }

    public byte[] token() {
        return token.clone();
    }

    /** {@code Negotiate <base64>}, the value of the {@code Authorization} header. */
    public String headerValue() {
        return SCHEME + Base64.getEncoder().encodeToString(token);
    }

    /**
     * Feeds the server's {@code WWW-Authenticate: Negotiate <base64>} value to the context.
     *
     * @return whether the context is now complete (the AP-REP verified)
     */
    public boolean complete(String wwwAuthenticate) throws GSSException {
        if (!wwwAuthenticate.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new IllegalArgumentException("not a Negotiate challenge with a token: " + wwwAuthenticate);
        }
        return complete(Base64.getDecoder().decode(wwwAuthenticate.substring(SCHEME.length()).trim()));
    }

    /**
     * Feeds the server's response token (SPNEGO NegTokenResp, or a bare krb5 AP-REP) to the context.
     *
     * @return whether the context is now complete (the AP-REP verified); false also when the initiator wants
     *         another leg, which HTTP Negotiate does not have
     */
    public boolean complete(byte[] responseToken) throws GSSException {
        initiator.doAs(() -> context.initSecContext(responseToken, 0, responseToken.length));
        return context.isEstablished();
    }

    /** True once the context is complete: at once without mutual authentication, else after the server's answer. */
    public boolean isEstablished() {
        return context.isEstablished();
    }

    /** Releases the context; nothing but memory is held, so a failure here is not reported. */
    public void dispose() {
        try {
            context.dispose();
        } catch (GSSException ignored) {
            // Nothing to release beyond memory.
        }
    }
}
