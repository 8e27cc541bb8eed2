package io.kerbgate.acceptor;

import java.util.Arrays;
import java.util.Objects;

/**
 * An initiator's first token, unwrapped down to the Kerberos AP-REQ, with what the answer must echo.
 *
 * <p>The arrays are fresh copies made by the parser and are not copied again: treat them as read-only.
 *
 * @param framing     how the client framed the token; the answer uses the same framing (checklist item 3)
 * @param echoMechOid raw contents of the OID to echo: the first mech of a SPNEGO token's mechTypes (either krb5
 *                    OID, checklist item 6), or the framing OID of a raw krb5 token
 * @param apReq       the DER AP-REQ (RFC 4120 §5.5.1) that followed TOK_ID {@code 01 00}, one complete element
 */
public record InitialToken(Framing framing, byte[] echoMechOid, byte[] apReq) {

    /** The two framings of RFC 4559 §4 this gateway accepts. */
    public enum Framing {
        /** RFC 4178 SPNEGO with krb5 first and an optimistic krb5 token; answered with a NegTokenResp. */
        SPNEGO,
        /** A bare RFC 4121 krb5 token (some non-browser clients); answered with a bare krb5 AP-REP token. */
        RAW_KRB5
    }

    public InitialToken {
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(echoMechOid, "echoMechOid");
        Objects.requireNonNull(apReq, "apReq");
    }

    /** The echoed mechanism in dotted form, e.g. {@code 1.2.840.48018.1.2.2}, for logs and {@code TokenFacts.mech}. */
    public String mech() {
        return Oids.dotted(echoMechOid);
    }

    // Records compare arrays by reference; tokens are values.
    @Override
    public boolean equals(Object o) {
        return o instanceof InitialToken t && framing == t.framing
                && Arrays.equals(echoMechOid, t.echoMechOid) && Arrays.equals(apReq, t.apReq);
    }

    @Override
    public int hashCode() {
        return Objects.hash(framing, Arrays.hashCode(echoMechOid), Arrays.hashCode(apReq));
    }

    @Override
    public String toString() {
        return "InitialToken[" + framing + ", mech " + mech() + ", AP-REQ of " + apReq.length + " bytes]";
    }
}
