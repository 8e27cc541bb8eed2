package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kerby.kerberos.kerb.crypto.util.Nfold;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class NFoldTest {

    /** RFC 3961 Appendix A.1 (as transcribed in MIT krb5 lib/crypto/crypto_tests/t_nfold.c). */
    @ParameterizedTest
    @CsvSource({
        "012345, 64, be072631276b1955",
        "password, 56, 78a07b6caf85fa",
        "'Rough Consensus, and Running Code', 64, bb6ed30870b7f0e0",
        "password, 168, 59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e",
        "MASSACHVSETTS INSTITVTE OF TECHNOLOGY, 192, db3b0d8f0b061e603282b308a50841229ad798fab9540c1b",
    })
    void fold_rfc3961Vectors(String input, int bits, String expected) {
        assertArrayEquals(Hex.bytes(expected), NFold.fold(input.getBytes(StandardCharsets.US_ASCII), bits / 8));
    }

    @Test
    void fold_agreesWithKerby_forDerivationConstantsAndRandomInputs() {
        Random random = new Random(3961);
        for (int i = 0; i < 500; i++) {
            byte[] input = new byte[1 + random.nextInt(40)];
            random.nextBytes(input);
            int outLength = 1 + random.nextInt(32);
            assertArrayEquals(Nfold.nfold(input, outLength), NFold.fold(input, outLength), Hex.string(input));
        }
        byte[] kerberos = "kerberos".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(Nfold.nfold(kerberos, 16), NFold.fold(kerberos, 16));
    }
}
