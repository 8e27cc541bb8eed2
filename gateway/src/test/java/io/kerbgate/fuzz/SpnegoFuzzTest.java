package io.kerbgate.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kerbgate.acceptor.InitialToken;
import io.kerbgate.acceptor.NegotiateHeader;
import io.kerbgate.acceptor.NegotiationTokens;
import io.kerbgate.acceptor.Refusal;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.acceptor.TestTokens;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutated tokens through {@link NegotiateHeader#decode} and {@link NegotiationTokens#parseInitial}: the only
 * allowed outcomes are an {@link InitialToken} or a {@link Refusal} (checklist items 4 and 27). Anything else,
 * {@code StackOverflowError} and unchecked exceptions included, fails with the case's seed and input.
 *
 * <p>Reproducible: {@code -Dkerbgate.fuzz.seed=N} sets the run's seed, {@code -Dkerbgate.fuzz.iterations=N} its
 * length, and {@code -Dkerbgate.fuzz.case=N} re-runs the single case a failure names.
 */
final class SpnegoFuzzTest {
    private static final long DEFAULT_SEED = 0x5350_4E45_474FL;
    private static final int DEFAULT_ITERATIONS = 120_000;
    private static final int MAX_TOKEN_BYTES = 64 * 1024;

    private static final List<byte[]> CORPUS = TestTokens.corpus();

    @Test
    void mutatedTokens_yieldTokenOrRefusalOnly() {
        Long single = Long.getLong("kerbgate.fuzz.case");
        if (single != null) {
            runCase(single);
            return;
        }
        long seed = Long.getLong("kerbgate.fuzz.seed", DEFAULT_SEED);
        int iterations = Integer.getInteger("kerbgate.fuzz.iterations", DEFAULT_ITERATIONS);
        SplittableRandom run = new SplittableRandom(seed);
        int accepted = 0;
        Map<RejectReason, Integer> refusals = new EnumMap<>(RejectReason.class);
        for (int i = 0; i < iterations; i++) {
            long caseSeed = run.nextLong();
            RejectReason outcome;
            try {
                outcome = runCase(caseSeed);
            } catch (AssertionError e) {
                throw new AssertionError("run seed " + seed + ", iteration " + i + ": " + e.getMessage(), e.getCause());
            }
            if (outcome == null) {
                accepted++;
            } else {
                refusals.merge(outcome, 1, Integer::sum);
            }
        }
        System.out.println("seed " + seed + ": " + accepted + " accepted, refused " + refusals);
        // A fuzzer that only ever trips the first length check tests nothing: mutants must reach every layer.
        assertTrue(accepted > iterations / 100, "only " + accepted + " mutants parsed");
        for (RejectReason layer : List.of(RejectReason.OTHER_SCHEME, RejectReason.MALFORMED,
                RejectReason.NOT_INITIAL_TOKEN, RejectReason.MECH_UNSUPPORTED, RejectReason.BAD_TOKEN_ID)) {
            assertTrue(refusals.getOrDefault(layer, 0) > 0, "no mutant reached " + layer + ": " + refusals);
        }
    }

    /** Runs one case; returns {@code null} when the input was accepted, else the refusal's reason. */
    private static RejectReason runCase(long caseSeed) {
        SplittableRandom rnd = new SplittableRandom(caseSeed);
        byte[] seed = CORPUS.get(rnd.nextInt(CORPUS.size()));
        byte[] donor = CORPUS.get(rnd.nextInt(CORPUS.size()));
        TokenMutator mutator = new TokenMutator(rnd);
        List<String> ops = new ArrayList<>();
        byte[] token = mutator.mutate(seed, List.of(donor), ops);
        int mode = rnd.nextInt(4);
        String header = null;
        if (mode == 2) {
            header = TestTokens.header(token);
        } else if (mode == 3) {
            // Damage the header text itself: scheme, separators, alphabet and padding.
            byte[] text = TestTokens.header(token).getBytes(StandardCharsets.ISO_8859_1);
            header = new String(mutator.mutate(text, List.of(text), ops), StandardCharsets.ISO_8859_1);
        }
        try {
            byte[] input = header == null ? token : NegotiateHeader.decode(header, MAX_TOKEN_BYTES);
            InitialToken parsed = NegotiationTokens.parseInitial(input);
            assertTrue(parsed.apReq().length > 0);
            assertNotNull(NegotiationTokens.acceptCompleted(parsed, parsed.apReq()));
            return null;
        } catch (Refusal r) {
            assertNotNull(r.detail());
            return Objects.requireNonNull(r.reason());
        } catch (Throwable t) {
            String input = header != null ? "header \"" + escape(header) + "\"" : "token " + HexFormat.of().formatHex(token);
            fail("fuzz case " + caseSeed + " (rerun with -Dkerbgate.fuzz.case=" + caseSeed + ") threw " + t
                    + " for " + input + ", mutations " + ops, t);
            return null;
        }
    }

    @Test
    void deepDefiniteNesting_refusedWithoutStackOverflow() {
        byte[] deep = TokenMutator.nested(0x30, 100_000, new byte[0]);
        assertRefused(deep, RejectReason.MALFORMED);
        // The same depth where each parser level would descend: NegotiationToken, mechTypes, mechToken.
        assertRefused(TestTokens.gss(TestTokens.SPNEGO, TokenMutator.nested(0xA0, 100_000, new byte[0])),
                RejectReason.MALFORMED);
        assertRefused(TestTokens.negTokenInit(TokenMutator.nested(0xA0, 100_000, new byte[0])),
                RejectReason.MALFORMED);
        assertRefused(TestTokens.negTokenInit(TestTokens.mechTypes(TestTokens.KRB5),
                TestTokens.mechToken(TokenMutator.nested(0x60, 100_000, new byte[0]))), RejectReason.MALFORMED);
    }

    @Test
    void deepApReq_passedThroughOpaque() throws Refusal {
        // The framing layer checks only that the AP-REQ is one element; its depth is the AP-REQ decoder's to bound.
        byte[] deep = TokenMutator.nested(0x6E, 100_000, new byte[0]);
        InitialToken t = NegotiationTokens.parseInitial(TestTokens.gss(TestTokens.KRB5, TestTokens.TOK_ID_AP_REQ, deep));
        assertEquals(deep.length, t.apReq().length);
    }

    @Test
    void deepIndefiniteNesting_refused() {
        assertRefused(TokenMutator.nestedIndefinite(0x30, 100_000), RejectReason.MALFORMED);
        byte[] spnego = TestTokens.gss(TestTokens.SPNEGO, TokenMutator.nestedIndefinite(0xA0, 50_000));
        assertRefused(spnego, RejectReason.MALFORMED);
    }

    @Test
    void deepNestingThroughHeader_refused() throws Refusal {
        byte[] deep = TestTokens.gss(TestTokens.SPNEGO, TokenMutator.nested(0xA0, 20_000, new byte[0]));
        String header = "Negotiate " + Base64.getEncoder().encodeToString(deep);
        Refusal tooLarge = assertThrows(Refusal.class, () -> NegotiateHeader.decode(header, MAX_TOKEN_BYTES));
        assertEquals(RejectReason.TOO_LARGE, tooLarge.reason());
        assertRefused(NegotiateHeader.decode(header, deep.length), RejectReason.MALFORMED);
    }

    private static void assertRefused(byte[] token, RejectReason expected) {
        try {
            Refusal r = assertThrows(Refusal.class, () -> NegotiationTokens.parseInitial(token));
            assertEquals(expected, r.reason(), r.detail());
        } catch (StackOverflowError e) {
            fail("stack overflow on " + token.length + "-byte token", e);
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }
}
