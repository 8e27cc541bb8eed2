package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checklist item 12: whatever a client puts in an EncryptedData cipher, {@code decrypt} answers with an
 * {@link IntegrityException} and nothing else (no unchecked exception from a cipher or an index).
 */
final class DecryptFuzzTest {
    private static final int CASES = 10_000;

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void randomCiphertexts_ofLength0To200_onlyFailIntegrity(Enctype enctype) {
        Random random = new Random(0x5EED + enctype.id());
        KerberosKey key = KerberosCrypto.randomKey(enctype);
        for (int i = 0; i < CASES; i++) {
            byte[] ciphertext = new byte[random.nextInt(201)];
            random.nextBytes(ciphertext);
            int usage = random.nextInt(40);
            assertThrows(IntegrityException.class, () -> KerberosCrypto.decrypt(key, usage, ciphertext),
                    () -> "length " + ciphertext.length + ": " + Hex.string(ciphertext));
        }
    }
}
