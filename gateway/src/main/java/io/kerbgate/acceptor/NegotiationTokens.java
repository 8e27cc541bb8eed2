package io.kerbgate.acceptor;

import static io.kerbgate.der.DerWriter.enumerated;
import static io.kerbgate.der.DerWriter.explicit;
import static io.kerbgate.der.DerWriter.octetString;
import static io.kerbgate.der.DerWriter.oid;
import static io.kerbgate.der.DerWriter.sequence;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads the initiator's first token and writes the acceptor's answer, for the single-leg exchange of RFC 4559 §4:
 * the client sends SPNEGO (RFC 4178) with an optimistic Kerberos token, or a bare Kerberos token, and the gateway
 * answers once, with accept-completed or reject, never asking for a second leg.
 *
 * <p>Every parse failure is a {@link Refusal}; nothing else escapes for any input (the fuzz test holds this).
 */
public final class NegotiationTokens {
    private static final int NEG_TOKEN_INIT = 0xA0;
    private static final int NEG_TOKEN_RESP = 0xA1;
    // RFC 4178 §4.2.2 negState values.
    private static final int ACCEPT_COMPLETED = 0;
    private static final int REJECT = 2;

    /** RFC 4178 §4.2.2 NegTokenResp {negState reject}: {@code a1 07 30 05 a0 03 0a 01 02}. */
    private static final byte[] REJECT_TOKEN = explicit(1, sequence(explicit(0, enumerated(REJECT))));

    private static final byte[] NTLMSSP_SIGNATURE = "NTLMSSP\0".getBytes(StandardCharsets.US_ASCII);

    private NegotiationTokens() {}

    /**
     * Parses the first token of a context.
     *
     * @throws Refusal {@code MALFORMED} for any DER or framing violation (the DER message is the detail), including
     *                 a SPNEGO token with krb5 first but no optimistic mechToken; {@code NOT_INITIAL_TOKEN} for a
     *                 NegTokenResp; {@code MECH_UNSUPPORTED} when the client's first mech (or a raw token's) is not
     *                 Kerberos; {@code BAD_TOKEN_ID} when the krb5 token is not an AP-REQ; {@code NTLM} for a bare
     *                 NTLMSSP message
     */
    public static InitialToken parseInitial(byte[] token) throws Refusal {
        Objects.requireNonNull(token, "token");
        if (startsWith(token, NTLMSSP_SIGNATURE)) {
            throw new Refusal(RejectReason.NTLM, "NTLM is not supported (bare NTLMSSP message)");
        }
        GssToken framed;
        try {
            framed = GssToken.parse(token);
        } catch (DerException e) {
            throw malformed("GSS framing: ", e);
        }
        if (Arrays.equals(framed.mech(), Oids.SPNEGO)) {
            return parseSpnego(framed);
        }
        if (Oids.isKrb5(framed.mech())) {
            // RFC 4559 §4 allows the bare mechanism token too; the answer echoes this OID in its own framing.
            return new InitialToken(InitialToken.Framing.RAW_KRB5, framed.mech(), apReq(framed, ""));
        }
        throw new Refusal(RejectReason.MECH_UNSUPPORTED,
                "token is framed for " + Oids.describe(framed.mech()) + ", not SPNEGO or Kerberos");
    }

    private static InitialToken parseSpnego(GssToken framed) throws Refusal {
        NegTokenInit init;
        try {
            DerReader negotiationToken = framed.inner();
            int choice = negotiationToken.peekTag();
            if (choice == NEG_TOKEN_RESP) {
                throw new Refusal(RejectReason.NOT_INITIAL_TOKEN,
                        "first SPNEGO token is a NegTokenResp; a NegTokenInit is required (RFC 4178 §4.2)");
            }
            if (choice != NEG_TOKEN_INIT) {
                String found = choice < 0 ? "nothing" : "tag 0x" + Integer.toHexString(choice);
                throw new DerException("expected NegTokenInit [0], found " + found, framed.innerStart());
            }
            init = NegTokenInit.parse(negotiationToken);
        } catch (DerException e) {
            throw malformed("NegTokenInit: ", e);
        }
        // RFC 4178 §3: the optimistic token is for the first mech only. Accepting krb5 from further down the list
        // would need a second leg (and a MIC exchange, §5), which a stateless HTTP gateway does not do.
        if (!Oids.isKrb5(init.firstMech())) {
            throw new Refusal(RejectReason.MECH_UNSUPPORTED, "client prefers " + Oids.describe(init.firstMech())
                    + (init.krb5Listed() ? "; Kerberos is listed but not first" : "; Kerberos is not offered"));
        }
        if (init.mechToken() == null) {
            // Every known initiator sends the optimistic token when krb5 comes first; without it the exchange
            // would need a second leg. Counted as malformed: only a broken or crafted client gets here.
            throw new Refusal(RejectReason.MALFORMED,
                    "NegTokenInit offers Kerberos first but carries no mechToken (single-leg exchange required)");
        }
        GssToken inner;
        try {
            inner = GssToken.parse(init.mechToken());
        } catch (DerException e) {
            throw malformed("mechToken: ", e);
        }
        if (!Oids.isKrb5(inner.mech())) {
            throw new Refusal(RejectReason.MALFORMED,
                    "mechToken is framed for " + Oids.describe(inner.mech()) + ", not for the Kerberos mech listed first");
        }
        return new InitialToken(InitialToken.Framing.SPNEGO, init.firstMech(), apReq(inner, "mechToken: "));
    }

    private static byte[] apReq(GssToken krb5, String where) throws Refusal {
        try {
            return Krb5Token.apReq(krb5);
        } catch (DerException e) {
            throw malformed(where + "krb5 token: ", e);
        }
    }

    /**
     * The answer that completes the context.
     *
     * <p>SPNEGO: {@code NegTokenResp {negState accept-completed, supportedMech <the OID the client listed first>,
     * responseToken <krb5 AP-REP token>}} (RFC 4178 §4.2.2), the responseToken left out when {@code apRep} is
     * {@code null}. Echoing the client's OID matters for Windows, which lists the Microsoft OID first; the
     * AP-REP token inside is framed with the standard krb5 OID, as MIT does and as the JDK's initiator requires
     * (its krb5 context compares the inner framing OID with 1.2.840.113554.1.2.2). The JDK initiator fails with
     * "mechanism token from server is null" when it asked for mutual authentication and gets no AP-REP.
     *
     * <p>RAW_KRB5: the bare AP-REP token, framed with the client's own OID (an initiator checks the framing OID
     * against its mech), or {@code null} when there is no AP-REP to send.
     *
     * @param apRep the DER AP-REP (RFC 4120 §5.5.2), or {@code null} when mutual authentication was not asked for
     */
    public static byte[] acceptCompleted(InitialToken request, byte[] apRep) {
        return switch (request.framing()) {
            case RAW_KRB5 -> apRep == null ? null : Krb5Token.apRep(request.echoMechOid(), apRep);
            case SPNEGO -> {
                byte[] negState = explicit(0, enumerated(ACCEPT_COMPLETED));
                byte[] supportedMech = explicit(1, oid(request.echoMechOid()));
                byte[] body = apRep == null
                        ? sequence(negState, supportedMech)
                        : sequence(negState, supportedMech, explicit(2, octetString(Krb5Token.apRep(Oids.KRB5, apRep))));
                yield explicit(1, body);
            }
        };
    }

    /**
     * {@code NegTokenResp {negState reject}} (RFC 4178 §4.2.2), sent with the 401 when the client preferred another
     * mech: it tells the client that no second leg follows. A fresh copy on each call.
     */
    public static byte[] reject() {
        return REJECT_TOKEN.clone();
    }

    private static Refusal malformed(String where, DerException e) {
        return new Refusal(RejectReason.MALFORMED, where + e.getMessage());
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }
}
