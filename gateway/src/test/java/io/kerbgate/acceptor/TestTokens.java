package io.kerbgate.acceptor;

import static io.kerbgate.der.DerWriter.application;
import static io.kerbgate.der.DerWriter.bitFlags;
import static io.kerbgate.der.DerWriter.explicit;
import static io.kerbgate.der.DerWriter.generalString;
import static io.kerbgate.der.DerWriter.integer;
import static io.kerbgate.der.DerWriter.octetString;
import static io.kerbgate.der.DerWriter.oid;
import static io.kerbgate.der.DerWriter.oidContents;
import static io.kerbgate.der.DerWriter.sequence;
import static io.kerbgate.der.DerWriter.tlv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Hand-built tokens in the shapes real initiators send, for the parser tests and as the fuzz corpus. Built with
 * {@link io.kerbgate.der.DerWriter}, independently of the code under test.
 */
public final class TestTokens {
    public static final String SPNEGO = "1.3.6.1.5.5.2";
    public static final String KRB5 = "1.2.840.113554.1.2.2";
    public static final String KRB5_MS = "1.2.840.48018.1.2.2";
    public static final String NTLM = "1.3.6.1.4.1.311.2.2.10";
    public static final String NEGOEX = "1.3.6.1.4.1.311.2.2.30";

    public static final byte[] TOK_ID_AP_REQ = {0x01, 0x00};

    private TestTokens() {}

    /**
     * An AP-REQ-shaped element (RFC 4120 §5.5.1) with a ticket and opaque ciphertexts. This package does not look
     * inside it; the realistic shape just gives the fuzzer's structure-aware mutations more to work on.
     */
    public static byte[] apReq() {
        byte[] sname = sequence(explicit(0, integer(2)),
                explicit(1, sequence(generalString("HTTP"), generalString("gw.example.com"))));
        byte[] ticketEnc = sequence(explicit(0, integer(18)), explicit(1, integer(3)),
                explicit(2, octetString(filler(96, 0x11))));
        byte[] ticket = application(1, sequence(explicit(0, integer(5)), explicit(1, generalString("EXAMPLE.COM")),
                explicit(2, sname), explicit(3, ticketEnc)));
        byte[] authenticator = sequence(explicit(0, integer(18)), explicit(2, octetString(filler(80, 0x22))));
        return application(14, sequence(explicit(0, integer(5)), explicit(1, integer(14)),
                explicit(2, tlv(0x03, new byte[] {0, 0x20, 0, 0, 0})), explicit(3, ticket), explicit(4, authenticator)));
    }

    /** RFC 2743 §3.1 framing around {@code inner} (concatenated). */
    public static byte[] gss(String mech, byte[]... inner) {
        byte[][] contents = new byte[inner.length + 1][];
        contents[0] = oid(oidContents(mech));
        System.arraycopy(inner, 0, contents, 1, inner.length);
        return tlv(0x60, contents);
    }

    /** RFC 4121 §4.1 krb5 token. */
    public static byte[] krb5Token(String mech, byte[] tokId, byte[] message) {
        return gss(mech, tokId, message);
    }

    public static byte[] krb5Token() {
        return krb5Token(KRB5, TOK_ID_AP_REQ, apReq());
    }

    /** {@code mechTypes [0] MechTypeList}. */
    public static byte[] mechTypes(String... mechs) {
        byte[][] oids = new byte[mechs.length][];
        for (int i = 0; i < mechs.length; i++) {
            oids[i] = oid(oidContents(mechs[i]));
        }
        return explicit(0, sequence(oids));
    }

    /** {@code reqFlags [1] ContextFlags} as the JDK writes it: 7 named bits, one unused (mutual, replay, seq). */
    public static byte[] reqFlags() {
        return explicit(1, tlv(0x03, new byte[] {0x01, 0x70}));
    }

    public static byte[] mechToken(byte[] token) {
        return explicit(2, octetString(token));
    }

    /** A SPNEGO initial token: GSS framing, {@code [0]} choice, NegTokenInit with the given fields. */
    public static byte[] negTokenInit(byte[]... fields) {
        return gss(SPNEGO, explicit(0, sequence(fields)));
    }

    /** What the JDK and MIT send: krb5 first with an optimistic AP-REQ. */
    public static byte[] spnego(String... mechs) {
        return negTokenInit(mechTypes(mechs), mechToken(krb5Token()));
    }

    /** What Windows sends with a ticket: the Microsoft OID first, then krb5, NegoEx and NTLM. */
    public static byte[] spnegoWindows() {
        return negTokenInit(mechTypes(KRB5_MS, KRB5, NEGOEX, NTLM), mechToken(krb5Token()));
    }

    /** MS-SPNG NegTokenInit2: negHints in {@code [3]}, the MIC in {@code [4]}. */
    public static byte[] negTokenInit2() {
        byte[] hints = sequence(explicit(0, generalString("not_defined_in_RFC4178@please_ignore")));
        return negTokenInit(mechTypes(KRB5_MS, KRB5), reqFlags(), mechToken(krb5Token()),
                explicit(3, hints), explicit(4, octetString(filler(28, 0x33))));
    }

    /** An RFC 4178 token with every optional field, MIC in {@code [3]}. */
    public static byte[] spnegoAllFields() {
        return negTokenInit(mechTypes(KRB5, NTLM), reqFlags(), mechToken(krb5Token()),
                explicit(3, octetString(filler(28, 0x44))));
    }

    /** Kerberos flags the way Kerberos writes them, 32 bits, in the reqFlags position (tolerated). */
    public static byte[] spnegoWideFlags() {
        return negTokenInit(mechTypes(KRB5), explicit(1, bitFlags(0x6000_0000)), mechToken(krb5Token()));
    }

    public static String header(byte[] token) {
        return "Negotiate " + Base64.getEncoder().encodeToString(token);
    }

    /** Every valid shape above, for the fuzzer. */
    public static List<byte[]> corpus() {
        List<byte[]> tokens = new ArrayList<>();
        tokens.add(spnego(KRB5));
        tokens.add(spnego(KRB5, KRB5_MS, NTLM));
        tokens.add(spnego(KRB5_MS, KRB5));
        tokens.add(spnegoWindows());
        tokens.add(negTokenInit2());
        tokens.add(spnegoAllFields());
        tokens.add(spnegoWideFlags());
        tokens.add(krb5Token());
        tokens.add(krb5Token(KRB5_MS, TOK_ID_AP_REQ, apReq()));
        return tokens;
    }

    public static byte[] filler(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
