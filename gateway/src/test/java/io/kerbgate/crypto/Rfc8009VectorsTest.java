package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector of RFC 8009 Appendix A. Transcribed from the RFC as reproduced in MIT krb5's crypto tests
 * (t_str2key.c, t_prf.c, t_decrypt.c, t_cksums.c) and the OpenJDK test KerberosAesSha2.java; both agree.
 */
final class Rfc8009VectorsTest {
    private static final byte[] SALT = Hex.bytes("10DF9DD783E5BC8ACEA1730E74355F61 415448454E412E4D49542E4544557261656275726E");
    private static final byte[] BASE128 = Hex.bytes("3705D96080C17728A0E800EAB6E0D23C");
    private static final byte[] BASE256 = Hex.bytes("6D404D37FAF79F9DF0D33568D320669800EB4836472EA8A026D16B7182460C52");
    private static final KerberosKey KEY128 = new KerberosKey(Enctype.AES128_CTS_HMAC_SHA256_128, BASE128);
    private static final KerberosKey KEY256 = new KerberosKey(Enctype.AES256_CTS_HMAC_SHA384_192, BASE256);
    private static final byte[] MESSAGE = Hex.bytes("000102030405060708090A0B0C0D0E0F1011121314");

    @Test
    void stringToKey_aes128() {
        assertArrayEquals(Hex.bytes("089BCA48B105EA6EA77CA5D2F39DC5E7"),
                AesSha2Profile.AES128.stringToKey("password".toCharArray(), SALT, 32768));
    }

    @Test
    void stringToKey_aes256() {
        assertArrayEquals(Hex.bytes("45BD806DBF6A833A9CFFC1C94589A222367A79BC21C413718906E9F578A78467"),
                AesSha2Profile.AES256.stringToKey("password".toCharArray(), SALT, 32768));
    }

    @Test
    void stringToKey_publicApi_usesDefault32768IterationsAndUtf8Salt() {
        // The RFC's random salt prefix is valid UTF-8, so it survives the String form of the public API.
        String salt = new String(SALT, StandardCharsets.UTF_8);
        assertArrayEquals(Hex.bytes("089BCA48B105EA6EA77CA5D2F39DC5E7"),
                KerberosCrypto.stringToKey(Enctype.AES128_CTS_HMAC_SHA256_128, "password".toCharArray(), salt)
                        .bytes());
    }

    @Test
    void keyDerivation_aes128_usage2() {
        UsageKeys keys = AesSha2Profile.AES128.deriveUsageKeys(BASE128, 2);
        assertArrayEquals(Hex.bytes("B31A018A48F54776F403E9A396325DC3"), keys.checksum().getEncoded());
        assertArrayEquals(Hex.bytes("9B197DD1E8C5609D6E67C3E37C62C72E"), keys.encryption().getEncoded());
        assertArrayEquals(Hex.bytes("9FDA0E56AB2D85E1569A688696C26A6C"), keys.integrity().getEncoded());
    }

    @Test
    void keyDerivation_aes256_usage2() {
        UsageKeys keys = AesSha2Profile.AES256.deriveUsageKeys(BASE256, 2);
        assertArrayEquals(Hex.bytes("EF5718BE86CC84963D8BBB5031E9F5C4BA41F28FAF69E73D"), keys.checksum().getEncoded());
        assertArrayEquals(Hex.bytes("56AB22BEE63D82D7BC5227F6773F8EA7A5EB1C825160C38312980C442E5C7E49"),
                keys.encryption().getEncoded());
        assertArrayEquals(Hex.bytes("69B16514E3CD8E56B82010D5C73012B622C4D00FFC23ED1F"), keys.integrity().getEncoded());
    }

    static List<Arguments> encryptions() {
        return List.of(
                Arguments.of(KEY128, "7E5895EAF2672435BAD817F545A37148", "",
                        "EF85FB890BB8472F4DAB20394DCA781DAD877EDA39D50C870C0D5A0A8E48C718"),
                Arguments.of(KEY128, "7BCA285E2FD4130FB55B1A5C83BC5B24", "000102030405",
                        "84D7F30754ED987BAB0BF3506BEB09CFB55402CEF7E6877CE99E247E52D16ED4421DFDF8976C"),
                Arguments.of(KEY128, "56AB21713FF62C0A1457200F6FA9948F", "000102030405060708090A0B0C0D0E0F",
                        "3517D640F50DDC8AD3628722B3569D2AE07493FA8263254080EA65C1008E8FC2"
                                + "95FB4852E7D83E1E7C48C37EEBE6B0D3"),
                Arguments.of(KEY128, "A7A4E29A4728CE10664FB64E49AD3FAC", "000102030405060708090A0B0C0D0E0F1011121314",
                        "720F73B18D9859CD6CCB4346115CD336C70F58EDC0C4437C5573544C31C813BC"
                                + "E1E6D072C186B39A413C2F92CA9B8334A287FFCBFC"),
                Arguments.of(KEY256, "F764E9FA15C276478B2C7D0C4E5F58E4", "",
                        "41F53FA5BFE7026D91FAF9BE959195A058707273A96A40F0A01960621AC612748B9BBFBE7EB4CE3C"),
                Arguments.of(KEY256, "B80D3251C1F6471494256FFE712D0B9A", "000102030405",
                        "4ED7B37C2BCAC8F74F23C1CF07E62BC7B75FB3F637B9F559C7F664F69EAB7B60"
                                + "92237526EA0D1F61CB20D69D10F2"),
                Arguments.of(KEY256, "53BF8A0D105265D4E276428624CE5E63", "000102030405060708090A0B0C0D0E0F",
                        "BC47FFEC7998EB91E8115CF8D19DAC4BBBE2E163E87DD37F49BECA92027764F6"
                                + "8CF51F14D798C2273F35DF574D1F932E40C4FF255B36A266"),
                Arguments.of(KEY256, "763E65367E864F02F55153C7E3B58AF1", "000102030405060708090A0B0C0D0E0F1011121314",
                        "40013E2DF58E8751957D2878BCD2D6FE101CCFD556CB1EAE79DB3C3EE86429F2"
                                + "B2A602AC86FEF6ECB647D6295FAE077A1FEB517508D2C16B4192E01F62"));
    }

    @ParameterizedTest
    @MethodSource("encryptions")
    void encryption_usage2_withTheRfcConfounder(KerberosKey key, String confounder, String plaintext, String expected)
            throws IntegrityException {
        byte[] ciphertext = Hex.bytes(expected);
        assertArrayEquals(ciphertext, KerberosCrypto.encrypt(key, 2, Hex.bytes(plaintext), Hex.bytes(confounder)));
        assertArrayEquals(Hex.bytes(plaintext), KerberosCrypto.decrypt(key, 2, ciphertext));
    }

    @Test
    void checksum_aes128_usage2() {
        byte[] expected = Hex.bytes("D78367186643D67B411CBA9139FC1DEE");
        assertArrayEquals(expected, KerberosCrypto.checksum(KEY128, 2, 19, MESSAGE));
        assertTrue(KerberosCrypto.verifyChecksum(KEY128, 2, 19, MESSAGE, expected));
    }

    @Test
    void checksum_aes256_usage2() {
        byte[] expected = Hex.bytes("45EE791567EEFCA37F4AC1E0222DE80D43C3BFA06699672A");
        assertArrayEquals(expected, KerberosCrypto.checksum(KEY256, 2, 20, MESSAGE));
        assertTrue(KerberosCrypto.verifyChecksum(KEY256, 2, 20, MESSAGE, expected));
    }

    @Test
    void prf_aes128() {
        assertArrayEquals(Hex.bytes("9D188616F63852FE86915BB840B4A886FF3E6BB0F819B49B893393D393854295"),
                AesSha2Profile.AES128.prf(BASE128, "test".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void prf_aes256() {
        assertArrayEquals(Hex.bytes("9801F69A368C2BF675E59521E177D9A07F67EFE1CFDE8D3C8D6F6A0256E3B17D"
                        + "B3C1B62AD1B8553360D17367EB1514D2"),
                AesSha2Profile.AES256.prf(BASE256, "test".getBytes(StandardCharsets.US_ASCII)));
    }
}
