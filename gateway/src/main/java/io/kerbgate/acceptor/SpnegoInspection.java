package io.kerbgate.acceptor;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything the framing of a {@code Negotiate} token says, for people: the whole SPNEGO mech list in order with
 * names, reqFlags, hints, the inner token's mech and TOK_ID, an NTLMSSP message type, or a NegTokenResp's fields.
 * {@code kerbgate token-inspect} prints it; the acceptor never calls it (its path is {@link NegotiationTokens}, which
 * reads only what decides the answer and stops at the first thing it refuses).
 *
 * <p>Unlike the acceptor's parser this one does not refuse a token for preferring another mech or for carrying an
 * NTLM message: those are exactly the tokens an operator wants explained. It still reads DER strictly, with the same
 * {@link DerReader}, so a token it calls well-formed is one the acceptor can read too. A problem below the outer
 * framing (a mechToken that is not a GSS token, say) is recorded in {@link #problems()} and what was read before it
 * is kept; a token whose outer framing cannot be read at all fails with a {@link DerException}.
 *
 * @param framing              what the outer bytes are
 * @param mechs                SPNEGO mechTypes in the client's order of preference; empty for other framings
 * @param reqFlags             SPNEGO ContextFlags as {@link DerReader#readBitFlags()} returns them, or -1 when absent
 * @param mechTokenLength      the size of the optimistic mechToken (NegTokenInit) or responseToken (NegTokenResp),
 *                             -1 when absent
 * @param mechListMic          whether a mechListMIC is present
 * @param hintName             MS-SPNG negHints.hintName (old Windows servers send {@code not_defined_in_RFC4178@please_ignore}), or null
 * @param innerMech            the GSS framing mech of the Kerberos token (inside SPNEGO, or the outer one of a raw
 *                             token), or null when there is none
 * @param krb5TokId            the krb5 token's TOK_ID (0x0100 AP-REQ, 0x0200 AP-REP, 0x0300 KRB-ERROR), or -1
 * @param apReq                the DER AP-REQ after TOK_ID 0x0100, or null
 * @param ntlmMessageType      the NTLMSSP MessageType (1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE) of a bare NTLM
 *                             message or of a SPNEGO mechToken, or 0 when there is no NTLM message
 * @param negState             a NegTokenResp's negState (0 accept-completed, 1 accept-incomplete, 2 reject,
 *                             3 request-mic), or -1
 * @param supportedMech        a NegTokenResp's supportedMech, or null
 * @param problems             what could not be read below the outer framing, in the order met
 */
public record SpnegoInspection(
        Framing framing,
        List<Mech> mechs,
        int reqFlags,
        int mechTokenLength,
        boolean mechListMic,
        @Nullable String hintName,
        @Nullable Mech innerMech,
        int krb5TokId,
        byte @Nullable [] apReq,
        int ntlmMessageType,
        int negState,
        @Nullable Mech supportedMech,
        List<String> problems) {

    /** The outer shape of a token. */
    public enum Framing {
        /** RFC 2743 framing with the SPNEGO OID around a NegTokenInit (or NegTokenInit2): what browsers send. */
        SPNEGO_INIT("SPNEGO NegTokenInit"),
        /** A bare NegTokenResp ({@code a1 ...}): what a server answers in {@code WWW-Authenticate}. */
        SPNEGO_RESP("SPNEGO NegTokenResp"),
        /** RFC 2743 framing with a Kerberos OID around a krb5 token: what some Java and Go clients send. */
        RAW_KRB5("raw krb5 (RFC 4121)"),
        /** A bare NTLMSSP message, sent as {@code Negotiate} or {@code NTLM}. */
        NTLMSSP("bare NTLMSSP"),
        /** RFC 2743 framing for a mechanism that is neither SPNEGO nor Kerberos. */
        OTHER_GSS("GSS token of another mechanism");

        private final String label;

        Framing(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One mechanism OID.
     *
     * @param oid  dotted form
     * @param name a short name ({@code krb5}, {@code MS krb5}, {@code NTLM}, {@code NegoEx}, {@code SPNEGO},
     *             {@code IAKerb}) or {@code unknown}
     */
    public record Mech(String oid, String name) {
        static Mech of(byte[] contents) {
            return new Mech(Oids.dotted(contents), nameOf(contents));
        }

        /** True for both Kerberos OIDs. */
        public boolean isKrb5() {
            return name.equals("krb5") || name.equals("MS krb5");
        }

        @Override
        public String toString() {
            return name + " (" + oid + ")";
        }
    }

    /** RFC 4178 §4.2.1 ContextFlags, bit 0 first. */
    private static final String[] REQ_FLAG_NAMES = {"deleg", "mutual", "replay", "sequence", "anon", "conf", "integ"};
    private static final byte[] NTLMSSP_SIGNATURE = "NTLMSSP\0".getBytes(StandardCharsets.US_ASCII);
    /** RFC 4121 §4.1: the IAKerb mech of RFC draft-ietf-kitten-iakerb, which MIT and Windows offer in SPNEGO. */
    private static final byte[] IAKERB = io.kerbgate.der.DerWriter.oidContents("1.3.6.1.5.2.5");
    private static final int APPLICATION_0 = 0x60;
    private static final int NEG_TOKEN_INIT = 0xA0;
    private static final int NEG_TOKEN_RESP = 0xA1;

    public SpnegoInspection {
        Objects.requireNonNull(framing, "framing");
        mechs = List.copyOf(mechs);
        problems = List.copyOf(problems);
    }

    /**
     * Reads a decoded {@code Negotiate} (or {@code NTLM}) token.
     *
     * @throws DerException when the outer framing is not a GSS token, a NegTokenResp or an NTLMSSP message
     */
    public static SpnegoInspection inspect(byte[] token) throws DerException {
        Objects.requireNonNull(token, "token");
        Builder b = new Builder();
        if (ntlmType(token) > 0) {
            b.framing = Framing.NTLMSSP;
            b.ntlmMessageType = ntlmType(token);
            return b.build();
        }
        if (token.length == 0) {
            throw new DerException("empty token", 0);
        }
        int first = token[0] & 0xFF;
        if (first == NEG_TOKEN_RESP) {
            b.framing = Framing.SPNEGO_RESP;
            readNegTokenResp(DerReader.of(token), b);
            return b.build();
        }
        if (first != APPLICATION_0) {
            throw new DerException(String.format("not a GSS token: it starts with 0x%02x; an initial token starts with"
                    + " 0x60 (RFC 2743 §3.1), a NegTokenResp with 0xa1, an NTLM message with \"NTLMSSP\"", first), 0);
        }
        GssToken framed = GssToken.parse(token);
        if (Arrays.equals(framed.mech(), Oids.SPNEGO)) {
            b.framing = Framing.SPNEGO_INIT;
            DerReader negotiationToken = framed.inner();
            int choice = negotiationToken.peekTag();
            if (choice == NEG_TOKEN_RESP) {
                // Not what a client sends first, but readable: show it rather than refuse.
                b.framing = Framing.SPNEGO_RESP;
                readNegTokenResp(negotiationToken, b);
            } else if (choice == NEG_TOKEN_INIT) {
                readNegTokenInit(negotiationToken, b);
            } else {
                throw new DerException("SPNEGO token holds neither NegTokenInit [0] nor NegTokenResp [1]",
                        framed.innerStart());
            }
        } else if (Oids.isKrb5(framed.mech())) {
            b.framing = Framing.RAW_KRB5;
            readKrb5(framed, b);
        } else {
            b.framing = Framing.OTHER_GSS;
            b.innerMech = Mech.of(framed.mech());
        }
        return b.build();
    }

    /** The names of the set ContextFlags, e.g. {@code [mutual, replay, sequence]}; unknown bits as {@code bit N}. */
    public static List<String> reqFlagNames(int flags) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & (1 << (31 - bit))) != 0) {
                names.add(bit < REQ_FLAG_NAMES.length ? REQ_FLAG_NAMES[bit] : "bit " + bit);
            }
        }
        return names;
    }

    /** {@code NEGOTIATE}, {@code CHALLENGE} or {@code AUTHENTICATE} (MS-NLMP §2.2.1), else {@code type N}. */
    public static String ntlmMessageName(int type) {
        return switch (type) {
            case 1 -> "NEGOTIATE";
            case 2 -> "CHALLENGE";
            case 3 -> "AUTHENTICATE";
            default -> "type " + type;
        };
    }

    /** {@code accept-completed}, {@code accept-incomplete}, {@code reject}, {@code request-mic} (RFC 4178 §4.2.2). */
    public static String negStateName(int negState) {
        return switch (negState) {
            case 0 -> "accept-completed";
            case 1 -> "accept-incomplete";
            case 2 -> "reject";
            case 3 -> "request-mic";
            default -> "negState " + negState;
        };
    }

    /** What a TOK_ID means (RFC 4121 §4.1 and §4.2.6). */
    public static String tokIdName(int tokId) {
        return switch (tokId) {
            case 0x0100 -> "AP-REQ";
            case 0x0200 -> "AP-REP";
            case 0x0300 -> "KRB-ERROR";
            case 0x0404 -> "MIC";
            case 0x0504 -> "Wrap";
            default -> "unknown";
        };
    }

    /** The first mech is Kerberos, so the acceptor would go on to the AP-REQ. */
    public boolean krb5First() {
        return !mechs.isEmpty() && mechs.get(0).isKrb5();
    }

    private static void readNegTokenInit(DerReader negotiationToken, Builder b) throws DerException {
        DerReader choice = negotiationToken.readExplicit(0);
        negotiationToken.expectEnd();
        DerReader seq = choice.readConstructed(DerReader.SEQUENCE);
        choice.expectEnd();
        DerReader field = seq.readExplicit(0);
        DerReader mechTypes = field.readConstructed(DerReader.SEQUENCE);
        field.expectEnd();
        while (mechTypes.hasRemaining()) {
            b.mechs.add(Mech.of(mechTypes.readOid()));
        }
        if (b.mechs.isEmpty()) {
            b.problems.add("mechTypes is empty");
        }
        if (seq.nextIs(0xA1)) {
            field = seq.readExplicit(1);
            b.reqFlags = field.readBitFlags();
            field.expectEnd();
        }
        byte[] mechToken = null;
        if (seq.nextIs(0xA2)) {
            field = seq.readExplicit(2);
            mechToken = field.readOctetString();
            field.expectEnd();
        }
        if (seq.nextIs(0xA3)) {
            field = seq.readExplicit(3);
            if (field.nextIs(DerReader.OCTET_STRING)) {
                field.readOctetString();
                b.mechListMic = true;
            } else {
                DerReader hints = field.readConstructed(DerReader.SEQUENCE);
                if (hints.nextIs(0xA0)) {
                    b.hintName = hints.readExplicit(0).readGeneralString();
                }
            }
        }
        if (seq.nextIs(0xA4)) {
            seq.readExplicit(4).readOctetString();
            b.mechListMic = true;
        }
        if (seq.hasRemaining()) {
            b.problems.add("NegTokenInit has fields after mechListMIC (out of order, repeated or an extension):"
                    + " the acceptor refuses it as malformed");
        }
        if (mechToken != null) {
            b.mechTokenLength = mechToken.length;
            readMechToken(mechToken, b);
        }
    }

    private static void readMechToken(byte[] mechToken, Builder b) {
        if (ntlmType(mechToken) > 0) {
            b.ntlmMessageType = ntlmType(mechToken);
            return;
        }
        try {
            GssToken inner = GssToken.parse(mechToken);
            if (Oids.isKrb5(inner.mech())) {
                readKrb5(inner, b);
            } else {
                b.innerMech = Mech.of(inner.mech());
            }
        } catch (DerException e) {
            // NegoEx and some NTLM implementations put a token without GSS framing here.
            b.problems.add("mechToken is not a GSS token (" + e.getMessage() + ")");
        }
    }

    private static void readKrb5(GssToken krb5, Builder b) {
        b.innerMech = Mech.of(krb5.mech());
        byte[] bytes = krb5.bytes();
        int at = krb5.innerStart();
        if (krb5.innerLength() < 2) {
            b.problems.add("krb5 token ends inside its TOK_ID");
            return;
        }
        b.krb5TokId = ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
        if (b.krb5TokId != 0x0100) {
            return;
        }
        try {
            DerReader message = DerReader.of(bytes, at + 2, bytes.length);
            byte[] apReq = message.readElement();
            message.expectEnd();
            b.apReq = apReq;
        } catch (DerException e) {
            b.problems.add("AP-REQ is not one DER element: " + e.getMessage());
        }
    }

    private static void readNegTokenResp(DerReader in, Builder b) throws DerException {
        DerReader choice = in.readExplicit(1);
        in.expectEnd();
        DerReader seq = choice.readConstructed(DerReader.SEQUENCE);
        choice.expectEnd();
        if (seq.nextIs(0xA0)) {
            b.negState = seq.readExplicit(0).readEnumerated();
        }
        if (seq.nextIs(0xA1)) {
            b.supportedMech = Mech.of(seq.readExplicit(1).readOid());
        }
        if (seq.nextIs(0xA2)) {
            byte[] response = seq.readExplicit(2).readOctetString();
            b.mechTokenLength = response.length;
            readMechToken(response, b);
        }
        if (seq.nextIs(0xA3)) {
            seq.readExplicit(3).readOctetString();
            b.mechListMic = true;
        }
        if (seq.hasRemaining()) {
            b.problems.add("NegTokenResp has unknown fields after mechListMIC");
        }
    }

    private static int ntlmType(byte[] token) {
        if (token.length < NTLMSSP_SIGNATURE.length + 4
                || !Arrays.equals(token, 0, NTLMSSP_SIGNATURE.length, NTLMSSP_SIGNATURE, 0, NTLMSSP_SIGNATURE.length)) {
            return 0;
        }
        int at = NTLMSSP_SIGNATURE.length;
        // MS-NLMP §2.2.1: MessageType is a little-endian 32-bit number.
        int type = (token[at] & 0xFF) | (token[at + 1] & 0xFF) << 8 | (token[at + 2] & 0xFF) << 16
                | (token[at + 3] & 0xFF) << 24;
        return type <= 0 ? Integer.MAX_VALUE : type;
    }

    private static String nameOf(byte[] oid) {
        if (Arrays.equals(oid, Oids.KRB5)) {
            return "krb5";
        } else if (Arrays.equals(oid, Oids.KRB5_MS)) {
            return "MS krb5";
        } else if (Arrays.equals(oid, Oids.NTLM)) {
            return "NTLM";
        } else if (Arrays.equals(oid, Oids.NEGOEX)) {
            return "NegoEx";
        } else if (Arrays.equals(oid, Oids.SPNEGO)) {
            return "SPNEGO";
        } else if (Arrays.equals(oid, IAKERB)) {
            return "IAKerb";
        }
        return "unknown";
    }

    /** Collects fields as the reader gets through the token. */
    private static final class Builder {
        Framing framing;
        final List<Mech> mechs = new ArrayList<>();
        int reqFlags = -1;
        int mechTokenLength = -1;
        boolean mechListMic;
        String hintName;
        Mech innerMech;
        int krb5TokId = -1;
        byte[] apReq;
        int ntlmMessageType;
        int negState = -1;
        Mech supportedMech;
        final List<String> problems = new ArrayList<>();

        SpnegoInspection build() {
            return new SpnegoInspection(framing, mechs, reqFlags, mechTokenLength, mechListMic, hintName, innerMech,
                    krb5TokId, apReq, ntlmMessageType, negState, supportedMech, problems);
        }
    }
}
