package io.kerbgate.acceptor;

import static io.kerbgate.acceptor.TestTokens.KRB5;
import static io.kerbgate.acceptor.TestTokens.KRB5_MS;
import static io.kerbgate.acceptor.TestTokens.NEGOEX;
import static io.kerbgate.acceptor.TestTokens.NTLM;
import static io.kerbgate.acceptor.TestTokens.SPNEGO;
import static io.kerbgate.acceptor.TestTokens.TOK_ID_AP_REQ;
import static io.kerbgate.acceptor.TestTokens.apReq;
import static io.kerbgate.acceptor.TestTokens.gss;
import static io.kerbgate.acceptor.TestTokens.krb5Token;
import static io.kerbgate.acceptor.TestTokens.mechToken;
import static io.kerbgate.acceptor.TestTokens.mechTypes;
import static io.kerbgate.acceptor.TestTokens.negTokenInit;
import static io.kerbgate.acceptor.TestTokens.reqFlags;
import static io.kerbgate.der.DerWriter.explicit;
import static io.kerbgate.der.DerWriter.generalString;
import static io.kerbgate.der.DerWriter.octetString;
import static io.kerbgate.der.DerWriter.sequence;
import static io.kerbgate.der.DerWriter.tlv;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

final class NegotiationTokensTest {
    private static final byte[] KRB5_RAW = DerWriter.oidContents(KRB5);
    private static final byte[] KRB5_MS_RAW = DerWriter.oidContents(KRB5_MS);

    private static Refusal refused(byte[] token, RejectReason expected) {
        Refusal r = assertThrows(Refusal.class, () -> NegotiationTokens.parseInitial(token));
        assertEquals(expected, r.reason(), r.detail());
        return r;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] append(byte[] a, int... extra) {
        byte[] out = Arrays.copyOf(a, a.length + extra.length);
        for (int i = 0; i < extra.length; i++) {
            out[a.length + i] = (byte) extra[i];
        }
        return out;
    }

    // Accepted shapes

    @Test
    void spnego_krb5First_accepted() throws Refusal {
        InitialToken t = NegotiationTokens.parseInitial(TestTokens.spnego(KRB5, NTLM));
        assertEquals(InitialToken.Framing.SPNEGO, t.framing());
        assertArrayEquals(KRB5_RAW, t.echoMechOid());
        assertArrayEquals(apReq(), t.apReq());
        assertEquals(KRB5, t.mech());
    }

    @Test
    void spnego_microsoftOidFirst_echoesMicrosoftOid() throws Refusal {
        InitialToken t = NegotiationTokens.parseInitial(TestTokens.spnegoWindows());
        assertArrayEquals(KRB5_MS_RAW, t.echoMechOid());
        assertArrayEquals(apReq(), t.apReq());
    }

    @Test
    void spnego_mechTokenFramedWithMicrosoftOid_accepted() throws Refusal {
        byte[] token = negTokenInit(mechTypes(KRB5_MS), mechToken(krb5Token(KRB5_MS, TOK_ID_AP_REQ, apReq())));
        assertArrayEquals(KRB5_MS_RAW, NegotiationTokens.parseInitial(token).echoMechOid());
    }

    @Test
    void negTokenInit2_hintsAndMic_accepted() throws Refusal {
        InitialToken t = NegotiationTokens.parseInitial(TestTokens.negTokenInit2());
        assertArrayEquals(KRB5_MS_RAW, t.echoMechOid());
    }

    @Test
    void negTokenInit2_emptyHintsAndNoMic_accepted() throws Refusal {
        byte[] token = negTokenInit(mechTypes(KRB5), mechToken(krb5Token()), explicit(3, sequence()));
        assertEquals(InitialToken.Framing.SPNEGO, NegotiationTokens.parseInitial(token).framing());
    }

    @Test
    void negTokenInit2_micWithoutHints_accepted() throws Refusal {
        byte[] token = negTokenInit(mechTypes(KRB5), mechToken(krb5Token()), explicit(4, octetString(new byte[4])));
        assertEquals(InitialToken.Framing.SPNEGO, NegotiationTokens.parseInitial(token).framing());
    }

    @Test
    void spnego_reqFlagsAndMic_ignored() throws Refusal {
        assertArrayEquals(apReq(), NegotiationTokens.parseInitial(TestTokens.spnegoAllFields()).apReq());
        assertArrayEquals(apReq(), NegotiationTokens.parseInitial(TestTokens.spnegoWideFlags()).apReq());
    }

    @Test
    void rawKrb5_bothOids_accepted() throws Refusal {
        InitialToken t = NegotiationTokens.parseInitial(krb5Token());
        assertEquals(InitialToken.Framing.RAW_KRB5, t.framing());
        assertArrayEquals(KRB5_RAW, t.echoMechOid());
        assertArrayEquals(apReq(), t.apReq());

        InitialToken ms = NegotiationTokens.parseInitial(krb5Token(KRB5_MS, TOK_ID_AP_REQ, apReq()));
        assertArrayEquals(KRB5_MS_RAW, ms.echoMechOid());
    }

    @Test
    void initialToken_valueSemantics() throws Refusal {
        assertEquals(NegotiationTokens.parseInitial(krb5Token()), NegotiationTokens.parseInitial(krb5Token()));
        assertTrue(NegotiationTokens.parseInitial(krb5Token()).toString().contains("1.2.840.113554.1.2.2"));
    }

    // Item 5: NegTokenInit first

    @Test
    void negTokenResp_first_notInitial() {
        byte[] resp = gss(SPNEGO, explicit(1, sequence(explicit(0, DerWriter.enumerated(1)))));
        refused(resp, RejectReason.NOT_INITIAL_TOKEN);
    }

    @Test
    void otherChoice_malformed() {
        refused(gss(SPNEGO, explicit(2, sequence())), RejectReason.MALFORMED);
        refused(gss(SPNEGO), RejectReason.MALFORMED);
    }

    // Item 6: krb5 first, with a token

    @Test
    void ntlmFirst_mechUnsupported_namesNtlm() {
        Refusal r = refused(TestTokens.spnego(NTLM, KRB5), RejectReason.MECH_UNSUPPORTED);
        assertTrue(r.detail().contains("NTLM (1.3.6.1.4.1.311.2.2.10)"), r.detail());
        assertTrue(r.detail().contains("listed but not first"), r.detail());
    }

    @Test
    void negoExFirst_mechUnsupported_namesNegoEx() {
        Refusal r = refused(TestTokens.spnego(NEGOEX, KRB5_MS, NTLM), RejectReason.MECH_UNSUPPORTED);
        assertTrue(r.detail().contains("NegoEx (1.3.6.1.4.1.311.2.2.30)"), r.detail());
    }

    @Test
    void unknownMechOnly_mechUnsupported_dottedOid() {
        Refusal r = refused(TestTokens.spnego("1.3.6.1.4.1.99999.7"), RejectReason.MECH_UNSUPPORTED);
        assertTrue(r.detail().contains("1.3.6.1.4.1.99999.7; Kerberos is not offered"), r.detail());
    }

    @Test
    void krb5FirstWithoutMechToken_malformed() {
        Refusal r = refused(negTokenInit(mechTypes(KRB5, NTLM)), RejectReason.MALFORMED);
        assertTrue(r.detail().contains("no mechToken"), r.detail());
    }

    @Test
    void emptyMechTypes_malformed() {
        refused(negTokenInit(explicit(0, sequence()), mechToken(krb5Token())), RejectReason.MALFORMED);
    }

    @Test
    void mechTokenFramedForAnotherMech_malformed() {
        byte[] token = negTokenInit(mechTypes(KRB5), mechToken(krb5Token(NTLM, TOK_ID_AP_REQ, apReq())));
        assertTrue(refused(token, RejectReason.MALFORMED).detail().contains("NTLM"));
    }

    @Test
    void mechTokenNotGssFramed_malformed() {
        refused(negTokenInit(mechTypes(KRB5), mechToken(apReq())), RejectReason.MALFORMED);
    }

    @Test
    void rawToken_otherOid_mechUnsupported() {
        refused(krb5Token(NTLM, TOK_ID_AP_REQ, apReq()), RejectReason.MECH_UNSUPPORTED);
    }

    @Test
    void bareNtlmssp_ntlm() {
        byte[] negotiate = append("NTLMSSP\0".getBytes(StandardCharsets.US_ASCII), 1, 0, 0, 0, 7, 0x82);
        refused(negotiate, RejectReason.NTLM);
    }

    // Item 7: reqFlags well-formed

    @Test
    void reqFlags_malformedBitString_malformed() {
        byte[] krb = mechToken(krb5Token());
        refused(negTokenInit(mechTypes(KRB5), explicit(1, tlv(0x03, new byte[] {0x08, 0})), krb), RejectReason.MALFORMED);
        refused(negTokenInit(mechTypes(KRB5), explicit(1, tlv(0x03, new byte[] {0x01, 0x71})), krb),
                RejectReason.MALFORMED);
        refused(negTokenInit(mechTypes(KRB5), explicit(1, tlv(0x03, new byte[0])), krb), RejectReason.MALFORMED);
        refused(negTokenInit(mechTypes(KRB5), explicit(1, octetString(new byte[] {0})), krb), RejectReason.MALFORMED);
    }

    @Test
    void mic_notOctetString_malformed() {
        byte[] token = negTokenInit(mechTypes(KRB5), mechToken(krb5Token()), explicit(4, sequence()));
        refused(token, RejectReason.MALFORMED);
    }

    @Test
    void negHints_wrongField_malformed() {
        byte[] hints = sequence(explicit(2, generalString("x")));
        refused(negTokenInit(mechTypes(KRB5), mechToken(krb5Token()), explicit(3, hints)), RejectReason.MALFORMED);
    }

    @Test
    void micInThreeThenFour_malformed() {
        byte[] token = negTokenInit(mechTypes(KRB5), mechToken(krb5Token()),
                explicit(3, octetString(new byte[4])), explicit(4, octetString(new byte[4])));
        refused(token, RejectReason.MALFORMED);
    }

    @Test
    void fieldsOutOfOrder_malformed() {
        refused(negTokenInit(mechTypes(KRB5), mechToken(krb5Token()), reqFlags()), RejectReason.MALFORMED);
        refused(negTokenInit(mechToken(krb5Token()), mechTypes(KRB5)), RejectReason.MALFORMED);
        refused(negTokenInit(mechTypes(KRB5), mechToken(krb5Token()), mechToken(krb5Token())), RejectReason.MALFORMED);
    }

    @Test
    void extensionField_malformed() {
        refused(negTokenInit(mechTypes(KRB5), mechToken(krb5Token()), explicit(5, octetString(new byte[1]))),
                RejectReason.MALFORMED);
    }

    // Item 8: TOK_ID

    @Test
    void rawToken_apRepTokId_badTokenId() {
        Refusal r = refused(krb5Token(KRB5, new byte[] {0x02, 0x00}, apReq()), RejectReason.BAD_TOKEN_ID);
        assertTrue(r.detail().contains("0x0200 (AP-REP)"), r.detail());
    }

    @Test
    void spnego_innerTokIdWrong_badTokenId() {
        byte[] inner = krb5Token(KRB5, new byte[] {0x01, 0x01}, apReq());
        refused(negTokenInit(mechTypes(KRB5), mechToken(inner)), RejectReason.BAD_TOKEN_ID);
        byte[] error = krb5Token(KRB5, new byte[] {0x03, 0x00}, apReq());
        refused(negTokenInit(mechTypes(KRB5_MS), mechToken(error)), RejectReason.BAD_TOKEN_ID);
    }

    @Test
    void tokIdTruncated_malformed() {
        refused(gss(KRB5, new byte[] {0x01}), RejectReason.MALFORMED);
        refused(gss(KRB5), RejectReason.MALFORMED);
    }

    @Test
    void noApReqAfterTokId_malformed() {
        refused(gss(KRB5, TOK_ID_AP_REQ), RejectReason.MALFORMED);
    }

    // Item 4: DER only, no trailing bytes anywhere

    @Test
    void trailingByteAfterGssToken_malformed() {
        refused(append(TestTokens.spnego(KRB5), 0), RejectReason.MALFORMED);
        refused(append(krb5Token(), 0), RejectReason.MALFORMED);
    }

    @Test
    void trailingByteAfterNegotiationToken_malformed() {
        byte[] init = explicit(0, sequence(mechTypes(KRB5), mechToken(krb5Token())));
        refused(gss(SPNEGO, init, new byte[] {0x05, 0x00}), RejectReason.MALFORMED);
    }

    @Test
    void trailingBytesInsideChoiceAndFields_malformed() {
        byte[] body = sequence(mechTypes(KRB5), mechToken(krb5Token()));
        refused(gss(SPNEGO, tlv(0xA0, body, new byte[] {0x05, 0x00})), RejectReason.MALFORMED);
        byte[] typesWithExtra = tlv(0xA0, sequence(DerWriter.oid(KRB5_RAW)), new byte[] {0x05, 0x00});
        refused(negTokenInit(typesWithExtra, mechToken(krb5Token())), RejectReason.MALFORMED);
        byte[] tokenWithExtra = tlv(0xA2, octetString(krb5Token()), new byte[] {0x05, 0x00});
        refused(negTokenInit(mechTypes(KRB5), tokenWithExtra), RejectReason.MALFORMED);
    }

    @Test
    void trailingByteInsideMechToken_malformed() {
        refused(negTokenInit(mechTypes(KRB5), mechToken(append(krb5Token(), 0))), RejectReason.MALFORMED);
    }

    @Test
    void trailingBytesAfterApReq_malformed() {
        Refusal r = refused(gss(KRB5, TOK_ID_AP_REQ, apReq(), new byte[] {0x05, 0x00}), RejectReason.MALFORMED);
        assertTrue(r.detail().contains("trailing"), r.detail());
    }

    @Test
    void indefiniteLength_malformed_withDerMessage() {
        byte[] token = krb5Token();
        int header = (token[1] & 0x80) == 0 ? 2 : 2 + (token[1] & 0x7F);
        byte[] indefinite = concat(new byte[] {0x60, (byte) 0x80}, Arrays.copyOfRange(token, header, token.length));
        indefinite = append(indefinite, 0, 0);
        Refusal r = refused(indefinite, RejectReason.MALFORMED);
        assertTrue(r.detail().contains("indefinite length"), r.detail());
    }

    @Test
    void notGssFramed_malformed() {
        refused(new byte[0], RejectReason.MALFORMED);
        refused(apReq(), RejectReason.MALFORMED);
        refused(HexFormat.of().parseHex("a1073005a0030a0102"), RejectReason.MALFORMED);
    }

    @Test
    void truncatedAnywhere_malformed() {
        byte[] token = TestTokens.negTokenInit2();
        for (int len = 0; len < token.length; len++) {
            refused(Arrays.copyOf(token, len), RejectReason.MALFORMED);
        }
    }

    // Responses (RFC 4178 §4.2.2)

    @Test
    void reject_isTheStandardToken_andACopy() {
        byte[] reject = NegotiationTokens.reject();
        assertEquals("a1073005a0030a0102", HexFormat.of().formatHex(reject));
        assertEquals("oQcwBaADCgEC", Base64.getEncoder().encodeToString(reject));
        reject[8] = 0;
        assertEquals("a1073005a0030a0102", HexFormat.of().formatHex(NegotiationTokens.reject()));
    }

    @Test
    void acceptCompleted_spnego_echoesMicrosoftOid_framesApRepWithKrb5() throws Exception {
        InitialToken request = NegotiationTokens.parseInitial(TestTokens.spnegoWindows());
        byte[] apRep = DerWriter.application(15, sequence(explicit(0, DerWriter.integer(5))));
        byte[] expected = explicit(1, sequence(
                explicit(0, DerWriter.enumerated(0)),
                explicit(1, DerWriter.oid(KRB5_MS_RAW)),
                explicit(2, octetString(gss(KRB5, new byte[] {0x02, 0x00}, apRep)))));
        assertArrayEquals(expected, NegotiationTokens.acceptCompleted(request, apRep));
    }

    @Test
    void acceptCompleted_spnegoWithoutApRep_omitsResponseToken() throws Refusal {
        InitialToken request = NegotiationTokens.parseInitial(TestTokens.spnego(KRB5));
        assertEquals("a1143012a0030a0100a10b06092a864886f712010202",
                HexFormat.of().formatHex(NegotiationTokens.acceptCompleted(request, null)));
    }

    @Test
    void acceptCompleted_raw_isBareApRepToken_inClientOid() throws Refusal {
        byte[] apRep = DerWriter.application(15, sequence());
        InitialToken ms = NegotiationTokens.parseInitial(krb5Token(KRB5_MS, TOK_ID_AP_REQ, apReq()));
        assertArrayEquals(gss(KRB5_MS, new byte[] {0x02, 0x00}, apRep), NegotiationTokens.acceptCompleted(ms, apRep));
        assertEquals(null, NegotiationTokens.acceptCompleted(ms, null));
    }

    @Test
    void acceptCompleted_spnego_parsesAsNegTokenResp() throws Exception {
        // Read back with the strict reader: the answer itself is DER with nothing left over.
        InitialToken request = NegotiationTokens.parseInitial(TestTokens.spnego(KRB5));
        byte[] resp = NegotiationTokens.acceptCompleted(request, apReq());
        DerReader outer = DerReader.of(resp);
        DerReader seq = outer.readExplicit(1).readConstructed(0x30);
        outer.expectEnd();
        assertEquals(0, seq.readExplicit(0).readEnumerated());
        assertArrayEquals(KRB5_RAW, seq.readExplicit(1).readOid());
        GssToken inner = GssToken.parse(seq.readExplicit(2).readOctetString());
        seq.expectEnd();
        assertArrayEquals(KRB5_RAW, inner.mech());
    }
}
