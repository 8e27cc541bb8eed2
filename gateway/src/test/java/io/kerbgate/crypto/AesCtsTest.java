package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class AesCtsTest {
    private static final SecretKey KEY =
            new SecretKeySpec("chicken teriyaki".getBytes(StandardCharsets.US_ASCII), "AES");
    private static final byte[] INPUT = "I would like the General Gau's Chicken, please, and wonton soup."
            .getBytes(StandardCharsets.US_ASCII);

    /** RFC 3962 Appendix B, "Some test vectors for CBC with ciphertext stealing", zero IV. */
    @ParameterizedTest
    @CsvSource({
        "17, c6353568f2bf8cb4d8a580362da7ff7f 97",
        "31, fc00783e0efdb2c1d445d4c8eff7ed22 97687268d6ecccc0c07b25e25ecfe5",
        "32, 39312523a78662d5be7fcbcc98ebf5a8 97687268d6ecccc0c07b25e25ecfe584",
        "47, 97687268d6ecccc0c07b25e25ecfe584 b3fffd940c16a18c1b5549d2f838029e 39312523a78662d5be7fcbcc98ebf5",
        "48, 97687268d6ecccc0c07b25e25ecfe584 9dad8bbb96c4cdc03bc103e1a194bbd8 39312523a78662d5be7fcbcc98ebf5a8",
        "64, 97687268d6ecccc0c07b25e25ecfe584 39312523a78662d5be7fcbcc98ebf5a8"
                + " 4807efe836ee89a526730dbc2f7bc840 9dad8bbb96c4cdc03bc103e1a194bbd8",
    })
    void rfc3962Vectors_encryptAndDecrypt(int length, String expected) {
        byte[] plaintext = Arrays.copyOf(INPUT, length);
        byte[] ciphertext = Hex.bytes(expected);
        assertArrayEquals(ciphertext, AesCts.encrypt(KEY, plaintext));
        assertArrayEquals(plaintext, AesCts.decrypt(KEY, ciphertext));
    }
}
