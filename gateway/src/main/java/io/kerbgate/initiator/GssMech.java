package io.kerbgate.initiator;

import org.ietf.jgss.GSSException;
import org.ietf.jgss.Oid;

/** The two ways an HTTP client frames its Kerberos token (ACCEPTOR-CHECKLIST §1.3). */
public enum GssMech {
    /** SPNEGO (RFC 4178), what browsers and curl send. */
    SPNEGO("1.3.6.1.5.5.2"),
    /** A bare krb5 GSS token (RFC 4121), which some Java and Go clients send. */
    KRB5("1.2.840.113554.1.2.2");

    private final Oid oid;

    GssMech(String dotted) {
        this.oid = oid(dotted);
    }

    public Oid oid() {
        return oid;
    }

    static Oid oid(String dotted) {
        try {
            return new Oid(dotted);
        } catch (GSSException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
