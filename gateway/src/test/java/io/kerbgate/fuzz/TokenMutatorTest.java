package io.kerbgate.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.TestTokens;
import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class TokenMutatorTest {

    @Test
    void sameSeed_sameMutants() {
        byte[] seed = TestTokens.negTokenInit2();
        for (long s = 0; s < 200; s++) {
            assertArrayEquals(new TokenMutator(new SplittableRandom(s)).mutate(seed),
                    new TokenMutator(new SplittableRandom(s)).mutate(seed));
        }
    }

    @Test
    void sameSeed_sameMutantsAndOps_withDonors() {
        byte[] seed = TestTokens.spnegoWindows();
        List<byte[]> donors = List.of(TestTokens.negTokenInit2(), seed);
        for (long s = 0; s < 200; s++) {
            List<String> ops1 = new ArrayList<>();
            List<String> ops2 = new ArrayList<>();
            assertArrayEquals(new TokenMutator(new Random(s)).mutate(seed, donors, ops1),
                    new TokenMutator(new Random(s)).mutate(seed, donors, ops2));
            assertEquals(ops1, ops2);
            assertTrue(!ops1.isEmpty(), "no mutation named for seed " + s);
        }
    }

    @Test
    void mutants_usuallyDiffer_andSeedUntouched() {
        byte[] seed = TestTokens.spnegoWindows();
        byte[] copy = seed.clone();
        TokenMutator mutator = new TokenMutator(new SplittableRandom(7));
        int same = 0;
        for (int i = 0; i < 1000; i++) {
            if (Arrays.equals(seed, mutator.mutate(seed))) {
                same++;
            }
        }
        assertArrayEquals(copy, seed);
        assertTrue(same < 50, same + " of 1000 mutants equal the seed");
    }

    @Test
    void nested_isValidDerToTheReadersBound() throws DerException {
        byte[] deep = TokenMutator.nested(0x30, 100_000, new byte[] {0x05, 0x00});
        DerReader r = DerReader.of(deep);
        for (int i = 0; i < DerReader.MAX_DEPTH; i++) {
            DerReader next = r.readConstructed(0x30);
            r.expectEnd();
            r = next;
        }
        DerReader last = r;
        assertThrows(DerException.class, () -> last.readConstructed(0x30));
    }

    @Test
    void nestedIndefinite_shape() {
        byte[] b = TokenMutator.nestedIndefinite(0x30, 3);
        assertArrayEquals(new byte[] {0x30, (byte) 0x80, 0x30, (byte) 0x80, 0x30, (byte) 0x80}, b);
        assertEquals(2, TokenMutator.lengthOctets(0x80));
    }
}
