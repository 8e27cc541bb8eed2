package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known answers from MIT krb5 (lib/crypto/crypto_tests/t_decrypt.c and t_cksums.c) for the enctypes whose RFCs give
 * no encryption vectors: an independent implementation's ciphertexts must open, its checksums must match.
 */
final class MitVectorsTest {

    static List<Arguments> decryptions() {
        return List.of(
                Arguments.of(23, "", 0, "F81FEC39255F5784E850C4377C88BD85",
                        "02C1EB15586144122EC717763DD348BF00434DDC6585954C"),
                Arguments.of(23, "1", 1, "67D1300D281223867F9647FF48721273",
                        "6156E0CC04E0A0874F9FDA008F498A7ADBBC80B70B14DDDBC0"),
                Arguments.of(23, "9 bytesss", 2, "3E40AB6093695281B3AC1A9304224D98",
                        "0F9AD121D99D4A09448E4F1F718C4F5CBE6096262C66F29DF232A87C9F98755D55"),
                Arguments.of(23, "13 bytes byte", 3, "4BA2FBF0379FAED87A254D3B353D5A7E",
                        "612C57568B17A70352BAE8CF26FB9459A6F3353CD35FD439DB3107CBEC765D326DFC04C1DD"),
                Arguments.of(23, "30 bytes bytes bytes bytes byt", 4, "68F263DB3FCE15D031C9EAB02D67107A",
                        "95F9047C3AD75891C2E9B04B16566DC8B6EB9CE4231AFB2542EF87A7B5A0F260"
                                + "A99F0460508DE0CECC632D07C354124E46C5D2234EB8"),
                Arguments.of(17, "", 0, "5A5C0F0BA54F3828B2195E66CA24A289",
                        "49FF8E11C173D9583A3254FBE7B1F1DF36C538E8416784A1672E6676"),
                Arguments.of(17, "1", 1, "98450E3F3BAA13F5C99BEB936981B06F",
                        "F86742F537B35DC2174A4DBAA920FAF9042090B065E1EBB1CAD9A65394"),
                Arguments.of(17, "9 bytesss", 2, "9062430C8CDA3388922E6D6A509F5B7A",
                        "68FB9679601F45C78857B2BF820FD6E53ECA8D42FD4B1D7024A09205ABB7CD2EC26C355D2F"),
                Arguments.of(17, "13 bytes byte", 3, "033EE6502C54FD23E27791E987983827",
                        "EC366D0327A933BF49330E650E49BC6B974637FE80BF532FE51795B4809718E6194724DB948D1FD637"),
                Arguments.of(17, "30 bytes bytes bytes bytes byt", 4, "DCEEB70B3DE76562E689226C76429148",
                        "C96081032D5D8EEB7E32B4089F789D0FAA481DEA74C0F97CBF3146DDFCF8E800"
                                + "156ECB532FC203E30FF600B63B350939FECE510F02D7FF1E7BAC"),
                Arguments.of(18, "", 0, "17F275F2954F2ED1F90C377BA7F4D6A369AA0136E0BF0C927AD6133C693759A9",
                        "E5094C55EE7B38262E2B044280B069379A95BF95BD8376FB3281B435"),
                Arguments.of(18, "1", 1, "B9477E1FF0329C0050E20CE6C72D2DFF27E8FE541AB0954429A9CB5B4F7B1E2A",
                        "406150B97AEB76D43B36B62CC1ECDFBE6F40E95755E0BEB5C27825F3A4"),
                Arguments.of(18, "9 bytesss", 2, "B1AE4CD8462AFF1677053CC9279AAC30B796FB81CE21474DD3DDBCFEA4EC76D7",
                        "09957AA25FCAF88F7B39E4406E633012D5FEA21853F6478DA7065CAEF41FD454A40824EEC5"),
                Arguments.of(18, "13 bytes byte", 3, "E5A72BE9B7926C1225BAFEF9C1872E7BA4CDB2B17893D84ABD90ACDD8764D966",
                        "D8F1AAFEEC84587CC3E700A774E56651A6D693E174EC4473B5E6D96F80297A653FB818AD893E719F96"),
                Arguments.of(18, "30 bytes bytes bytes bytes byt", 4,
                        "F1C795E9248A09338D82C3F8D5B567040B0110736845041347235B1404231398",
                        "D1137A4D634CFECE924DBC3BF6790648BD5CFF7DE0E7B99460211D0DAEF3D79A"
                                + "295C688858F3B34B9CBD6EEBAE81DAF6B734D4D498B6714F1C1D"));
    }

    @ParameterizedTest
    @MethodSource("decryptions")
    void decrypt_mitCiphertexts(int enctype, String plaintext, int usage, String key, String ciphertext)
            throws IntegrityException {
        KerberosKey k = new KerberosKey(Enctype.fromId(enctype), Hex.bytes(key));
        assertArrayEquals(plaintext.getBytes(StandardCharsets.US_ASCII),
                KerberosCrypto.decrypt(k, usage, Hex.bytes(ciphertext)));
    }

    static List<Arguments> checksums() {
        return List.of(
                Arguments.of("eight nine ten eleven twelve thirteen", 15, 17, 3,
                        "9062430C8CDA3388922E6D6A509F5B7A", "01A4B088D45628F6946614E3"),
                Arguments.of("fourteen", 16, 18, 4,
                        "B1AE4CD8462AFF1677053CC9279AAC30B796FB81CE21474DD3DDBCFEA4EC76D7", "E08739E3279E2903EC8E3836"),
                Arguments.of("seventeen eighteen nineteen twenty", -138, 23, 6,
                        "F7D3A155AF5E238A0B7A871A96BA2AB2", "EB38CC97E2230F59DA4117DC5859D7EC"));
    }

    @ParameterizedTest
    @MethodSource("checksums")
    void checksum_mitValues(String data, int cksumType, int enctype, int usage, String key, String expected) {
        KerberosKey k = new KerberosKey(Enctype.fromId(enctype), Hex.bytes(key));
        byte[] bytes = data.getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(Hex.bytes(expected), KerberosCrypto.checksum(k, usage, cksumType, bytes));
        assertTrue(KerberosCrypto.verifyChecksum(k, usage, cksumType, bytes, Hex.bytes(expected)));
    }

    /** RFC 4757 §2: the key is the NT hash, MD4(UTF-16LE(password)); the NT hash of "password" is well known. */
    @Test
    void rc4StringToKey_isTheNtHash() {
        assertEquals("8846f7eaee8fb117ad06bdd830b7586c", Hex.string(
                KerberosCrypto.stringToKey(Enctype.RC4_HMAC, "password".toCharArray(), "ignored").bytes()));
    }
}
