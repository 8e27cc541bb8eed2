package io.kerbgate.acceptor;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;

/**
 * The Kerberos GSS context tokens of RFC 4121 §4.1: inside the RFC 2743 framing, a two-octet TOK_ID and then the
 * Kerberos message, {@code 01 00} AP-REQ from the initiator and {@code 02 00} AP-REP back (§4.1, table of TOK_IDs).
 */
final class Krb5Token {
    private static final byte[] TOK_ID_AP_REQ = {0x01, 0x00};
    private static final byte[] TOK_ID_AP_REP = {0x02, 0x00};

    private Krb5Token() {}

    /**
     * The AP-REQ of an initiator's krb5 token whose framing OID was already checked to be krb5. The AP-REQ must be
     * exactly one DER element filling the rest of the token; its own tag and fields are the AP-REQ decoder's job.
     */
    static byte[] apReq(GssToken token) throws Refusal, DerException {
        byte[] b = token.bytes();
        int at = token.innerStart();
        if (token.innerLength() < TOK_ID_AP_REQ.length) {
            throw new DerException("krb5 token ends inside its TOK_ID", at);
        }
        if (b[at] != TOK_ID_AP_REQ[0] || b[at + 1] != TOK_ID_AP_REQ[1]) {
            int tokId = ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
            throw new Refusal(RejectReason.BAD_TOKEN_ID,
                    String.format("krb5 TOK_ID 0x%04x%s, expected 0x0100 (AP-REQ, RFC 4121 §4.1)", tokId, name(tokId)));
        }
        DerReader message = DerReader.of(b, at + TOK_ID_AP_REQ.length, b.length);
        byte[] apReq = message.readElement();
        message.expectEnd();
        return apReq;
    }

    /** Frames an AP-REP for the initiator under {@code mech}. */
    static byte[] apRep(byte[] mech, byte[] apRep) {
        return GssToken.wrap(mech, TOK_ID_AP_REP, apRep);
    }

    private static String name(int tokId) {
        return switch (tokId) {
            case 0x0200 -> " (AP-REP)";
            case 0x0300 -> " (KRB-ERROR)";
            default -> "";
        };
    }
}
