package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class NegotiateHeaderTest {
    private static final int MAX = 64 * 1024;
    private static final byte[] TOKEN = TestTokens.spnego(TestTokens.KRB5);
    private static final String B64 = Base64.getEncoder().encodeToString(TOKEN);

    private static Refusal refused(String value, int max, RejectReason expected) {
        Refusal r = assertThrows(Refusal.class, () -> NegotiateHeader.decode(value, max));
        assertEquals(expected, r.reason(), r.detail());
        return r;
    }

    private static Refusal refused(String value, RejectReason expected) {
        return refused(value, MAX, expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Negotiate ", "negotiate ", "NEGOTIATE ", "nEgOtIaTe ", "Negotiate    ",
        " Negotiate ", "\tNegotiate  "})
    void scheme_caseInsensitive_andOneOrMoreSpaces(String prefix) throws Refusal {
        assertArrayEquals(TOKEN, NegotiateHeader.decode(prefix + B64, MAX));
        assertArrayEquals(TOKEN, NegotiateHeader.decode(prefix + B64 + " \t", MAX));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer abc", "Digest username=\"x\"", "Negotiation abc",
        "Negotiat abc", "Kerberos YII=", "Negotiate\tYIIB"})
    void otherSchemes_otherScheme(String value) {
        refused(value, RejectReason.OTHER_SCHEME);
    }

    @Test
    void unicodeLookalikeScheme_otherScheme() {
        // U+0130 lower-cases to 'i' in String.equalsIgnoreCase; RFC 7235 schemes are ASCII tokens.
        Refusal r = refused("NEGOT\u0130ATE " + B64, RejectReason.OTHER_SCHEME);
        assertEquals("scheme (not a known scheme, 9 characters)", r.detail());
        refused("Negot\u0131ate " + B64, RejectReason.OTHER_SCHEME);
    }

    @Test
    void otherScheme_detailIsLogSafe() {
        assertEquals("scheme Basic", refused("Basic abc", RejectReason.OTHER_SCHEME).detail());
        assertEquals("scheme Bearer", refused("bEARER x", RejectReason.OTHER_SCHEME).detail());
        assertEquals("scheme (not a known scheme, 6 characters)",
                refused("Ba\nsic abc", RejectReason.OTHER_SCHEME).detail());
        assertEquals("scheme (not a known scheme, 41 characters)",
                refused("x".repeat(41), RejectReason.OTHER_SCHEME).detail());
        assertEquals("scheme (empty)", refused("", RejectReason.OTHER_SCHEME).detail());
    }

    @Test
    void schemelessSecret_neverReachesTheDetail() {
        // No scheme: the secret stands where the scheme should be, and it is a valid token.
        assertEquals("scheme (not a known scheme, 17 characters)",
                refused("hunter2-Pa55word!", RejectReason.OTHER_SCHEME).detail());
        assertEquals("scheme (not a known scheme, 8 characters)",
                refused("hunter22 second-word", RejectReason.OTHER_SCHEME).detail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==", "ntlm abc", "NTLM"})
    void ntlmScheme_ntlm(String value) {
        assertEquals("NTLM is not supported", refused(value, RejectReason.NTLM).detail());
    }

    @Test
    void ntlmsspInsideNegotiate_ntlm() {
        byte[] ntlm = "NTLMSSP\0\u0001\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
        String value = "Negotiate " + Base64.getEncoder().encodeToString(ntlm);
        assertTrue(value.startsWith("Negotiate TlRMTVNT"));
        assertEquals("NTLM is not supported", refused(value, RejectReason.NTLM).detail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Negotiate", "Negotiate ", "Negotiate     ", "negotiate\t"})
    void noToken_malformed(String value) {
        refused(value, RejectReason.MALFORMED);
    }

    @Test
    void twoTokens_malformed() {
        refused("Negotiate " + B64 + " " + B64, RejectReason.MALFORMED);
        refused("Negotiate " + B64 + ", realm=\"x\"", RejectReason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"YII-", "YII_", "YI\tI", "YIIBaa==YIIB", "YIIB=", "YII", "YIIBa", "YIIBa===",
        "Y===", "====", "YQ=a", "YII\u00e9", "YII\u0000"})
    void badBase64_malformed(String token) {
        refused("Negotiate " + token, RejectReason.MALFORMED);
    }

    @Test
    void nonCanonicalPadBits_malformed() throws Refusal {
        assertArrayEquals(new byte[] {'a'}, NegotiateHeader.decode("Negotiate YQ==", MAX));
        assertTrue(refused("Negotiate YR==", RejectReason.MALFORMED).detail().contains("pad bits"));
        assertArrayEquals(new byte[] {'a', 'b'}, NegotiateHeader.decode("Negotiate YWI=", MAX));
        refused("Negotiate YWJ=", RejectReason.MALFORMED);
    }

    @Test
    void badCharacter_detailShowsCodeNotCharacter() {
        Refusal r = refused("Negotiate YII\n", RejectReason.MALFORMED);
        assertEquals("character 0x0a at base64 offset 3 (RFC 4648 §4 alphabet)", r.detail());
    }

    @Test
    void size_exactlyAtLimit_accepted() throws Refusal {
        assertArrayEquals(TOKEN, NegotiateHeader.decode("Negotiate " + B64, TOKEN.length));
    }

    @Test
    void size_oneByteOver_tooLarge() {
        // The base64 bound rounds up to a group of three bytes; the decoded length is checked exactly as well.
        refused("Negotiate " + B64, TOKEN.length - 1, RejectReason.TOO_LARGE);
        refused("Negotiate AAAA", 2, RejectReason.TOO_LARGE);
    }

    @Test
    void size_checkedBeforeDecoding() {
        // Illegal characters everywhere: a decode would say MALFORMED; the cap must answer first.
        Refusal r = refused("Negotiate " + "!".repeat(4 * 1000 + 4), 3000, RejectReason.TOO_LARGE);
        assertTrue(r.detail().contains("limit 4000"), r.detail());
    }

    @Test
    void maxBase64Length_roundsUpToGroups() {
        assertEquals(4, NegotiateHeader.maxBase64Length(1));
        assertEquals(4, NegotiateHeader.maxBase64Length(3));
        assertEquals(8, NegotiateHeader.maxBase64Length(4));
        assertEquals(87384, NegotiateHeader.maxBase64Length(65536));
        assertEquals(2863311532L, NegotiateHeader.maxBase64Length(Integer.MAX_VALUE));
    }

    @Test
    void nonPositiveLimit_isProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> NegotiateHeader.decode("Negotiate YQ==", 0));
    }

    @Test
    void decodesLikeJdkForRandomTokens() throws Refusal {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 1000; i++) {
            byte[] b = new byte[1 + rnd.nextInt(300)];
            rnd.nextBytes(b);
            if (b[0] == 'N') {
                b[0] = 0;
            }
            assertArrayEquals(b, NegotiateHeader.decode("Negotiate " + Base64.getEncoder().encodeToString(b), MAX));
        }
    }
}
