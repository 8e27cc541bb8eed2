package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 3962 Appendix B string-to-key vectors (the "AES key" lines, i.e. after DK(tkey, "kerberos")). */
final class Rfc3962VectorsTest {
    private static final String ATHENA = "ATHENA.MIT.EDUraeburn";
    private static final String G_CLEF = new String(Hex.bytes("f09d849e"), StandardCharsets.UTF_8);

    static Iterable<Arguments> vectors() {
        return java.util.List.of(
                Arguments.of("password", ATHENA, 1,
                        "42263c6e89f4fc28b8df68ee09799f15",
                        "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161"),
                Arguments.of("password", ATHENA, 2,
                        "c651bf29e2300ac27fa469d693bdda13",
                        "a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff"),
                Arguments.of("password", ATHENA, 1200,
                        "4c01cd46d632d01e6dbe230a01ed642a",
                        "55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a"),
                Arguments.of("password", new String(Hex.bytes("1234567878563412"), StandardCharsets.UTF_8), 5,
                        "e9b23d52273747dd5c35cb55be619d8e",
                        "97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31"),
                Arguments.of("X".repeat(64), "pass phrase equals block size", 1200,
                        "59d1bb789a828b1aa54ef9c2883f69ed",
                        "89adee3608db8bc71f1bfbfe459486b05618b70cbae22092534e56c553ba4b34"),
                Arguments.of("X".repeat(65), "pass phrase exceeds block size", 1200,
                        "cb8005dc5f90179a7f02104c0018751d",
                        "d78c5c9cb872a8c9dad4697f0bb5b2d21496c82beb2caeda2112fceea057401b"),
                Arguments.of(G_CLEF, "EXAMPLE.COMpianist", 50,
                        "f149c1f2e154a73452d43e7fe62a56e5",
                        "4b6d9839f84406df1f09cc166db4b83c571848b784a3d6bdc346589a3e393f9e"));
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void stringToKey_appendixB(String password, String salt, int iterations, String aes128, String aes256) {
        assertArrayEquals(Hex.bytes(aes128),
                AesSha1Profile.AES128.stringToKey(password.toCharArray(), salt, iterations));
        assertArrayEquals(Hex.bytes(aes256),
                AesSha1Profile.AES256.stringToKey(password.toCharArray(), salt, iterations));
    }

    @Test
    void stringToKey_publicApi_usesDefault4096Iterations() {
        char[] password = "password".toCharArray();
        assertArrayEquals(AesSha1Profile.AES256.stringToKey(password, ATHENA, 4096),
                KerberosCrypto.stringToKey(Enctype.AES256_CTS_HMAC_SHA1_96, password, ATHENA).bytes());
    }
}
