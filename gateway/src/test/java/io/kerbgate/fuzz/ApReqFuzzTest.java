package io.kerbgate.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.AcceptorPolicy;
import io.kerbgate.acceptor.ApReqVerifier;
import io.kerbgate.acceptor.NegotiationTokens;
import io.kerbgate.acceptor.Refusal;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.acceptor.SpnegoAcceptor;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.der.DerException;
import io.kerbgate.der.DerWriter;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.messages.ApReq;
import io.kerbgate.messages.Authenticator;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.MutableClock;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link SpnegoAcceptor#authenticate} from valid tokens ({@link ApReqSeeds}) with {@link TokenMutator}, on four
 * layers:
 * <ul>
 *   <li>{@code TOKEN}: the whole GSS token (SPNEGO or bare krb5 framing);
 *   <li>{@code AP_REQ}: the AP-REQ DER, framed correctly afterwards so that the mutation reaches its decoder;
 *   <li>{@code TICKET_PLAINTEXT}: the EncTicketPart DER, then sealed with the service key (key usage 2) and sent with
 *       a freshly sealed authenticator: the EncTicketPart decoder and the checks behind the ticket's MAC, which random
 *       ciphertext flips never reach;
 *   <li>{@code AUTHENTICATOR_PLAINTEXT}: the Authenticator DER, sealed with the session key (key usage 11), behind
 *       the real ticket: the Authenticator decoder, the GSS checksum parser, the subkey and the AP-REP builder.
 * </ul>
 * The only allowed outcomes are {@link Acceptance.Accepted} and {@link Acceptance.Rejected}, and no rejection may
 * come from the acceptor's catch-all (detail {@code "unexpected ..."}): that path means a decoder threw something
 * other than a typed refusal. A failure names the seed, the iteration, the layer, the mutations and the hex of the
 * mutated input and of the token, so it can be replayed.
 *
 * <p>Iteration {@code i} draws everything from {@code new Random(mix(SEED, i))}, so it replays alone. The sealing
 * confounders come from {@link java.security.SecureRandom}: the ciphertext differs between runs, the plaintext that
 * the decoders see does not. Override with {@code -Dkerbgate.fuzz.seed=...} and {@code -Dkerbgate.fuzz.iterations=...}.
 */
final class ApReqFuzzTest {
    private static final long SEED = Long.getLong("kerbgate.fuzz.seed", 0x4b65_7262_6761_7465L);
    private static final int ITERATIONS = Integer.getInteger("kerbgate.fuzz.iterations", 120_000);
    private static final Instant NOW = Instant.parse("2026-11-25T08:00:00Z");
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();
    private static final int MAX_REPORTED = 10;
    private static final int DEEP = 100_000;
    private static final Duration CPU_BUDGET = Duration.ofSeconds(30);

    enum Layer { TOKEN, AP_REQ, TICKET_PLAINTEXT, AUTHENTICATOR_PLAINTEXT }

    private final ApReqSeeds seeds = new ApReqSeeds(NOW, PEER);
    private final MutableClock clock = new MutableClock(NOW.plusSeconds(30));

    @Test
    void mutatedTokens_areAcceptedOrRefused_neverThrown_neverUnexpected() {
        for (ApReqSeeds.Seed s : seeds.seeds) {
            Acceptance a = acceptor(64 * 1024).authenticate(header(s.token()), PEER);
            assertInstanceOf(Acceptance.Accepted.class, a, () -> "seed '" + s.name() + "' must be valid: " + a);
        }
        SpnegoAcceptor acceptor = acceptor(64 * 1024);
        Map<Layer, List<byte[]>> donors = donors();
        Map<Layer, Integer> perLayer = new EnumMap<>(Layer.class);
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int failureCount = 0;

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            Random random = new Random(mix(SEED, i));
            ApReqSeeds.Seed seed = seeds.seeds.get(random.nextInt(seeds.seeds.size()));
            Layer layer = layer(random.nextInt(10));
            List<String> ops = new ArrayList<>();
            TokenMutator mutator = new TokenMutator(random);
            byte[] input;
            byte[] token;
            switch (layer) {
                case TOKEN -> {
                    input = mutator.mutate(seed.token(), donors.get(layer), ops);
                    token = input;
                }
                case AP_REQ -> {
                    input = mutator.mutate(seed.apReq(), donors.get(layer), ops);
                    token = seed.framing().apply(input);
                }
                case TICKET_PLAINTEXT -> {
                    input = mutator.mutate(seed.ticketPlain(), donors.get(layer), ops);
                    token = seed.token(input, seed.authPlain());
                }
                default -> {
                    input = mutator.mutate(seed.authPlain(), donors.get(layer), ops);
                    token = seed.token(null, input);
                }
            }
            perLayer.merge(layer, 1, Integer::sum);
            String problem;
            Acceptance a = null;
            try {
                a = acceptor.authenticate(header(token), PEER);
                problem = a == null ? "returned null"
                        : a instanceof Acceptance.Rejected r && r.detail().startsWith("unexpected ")
                        ? "catch-all path: " + r.detail() : null;
            } catch (Throwable t) {
                problem = "threw " + t;
            }
            if (problem == null) {
                String outcome = a instanceof Acceptance.Rejected r ? r.reason().tag() : "ACCEPTED";
                outcomes.merge(layer + " " + outcome, 1, Integer::sum);
                continue;
            }
            failureCount++;
            if (failures.size() < MAX_REPORTED) {
                failures.add(String.format("seed 0x%x iteration %d layer %s seed-token '%s' mutations %s: %s%n"
                        + "  mutated input: %s%n  token: %s", SEED, i, layer, seed.name(), ops, problem,
                        HexFormat.of().formatHex(input), HexFormat.of().formatHex(token)));
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        Duration cpu = Duration.ofNanos(threads.getCurrentThreadCpuTime() - cpuStart);

        System.out.printf("ap-req fuzz: %d tokens in %d ms (%d ms CPU, seed 0x%x), %d failures; per layer %s%n",
                ITERATIONS, elapsed.toMillis(), cpu.toMillis(), SEED, failureCount, perLayer);
        outcomes.forEach((k, v) -> System.out.println("ap-req fuzz outcome: " + k + " " + v));
        if (!failures.isEmpty()) {
            fail(failureCount + " of " + ITERATIONS + " mutated tokens broke the contract; first ones:\n"
                    + String.join("\n", failures));
        }
        assertTrue(ITERATIONS >= 100_000 || Long.getLong("kerbgate.fuzz.iterations") != null,
                "the default run fuzzes at least 100,000 tokens");
        // The budget is CPU time on this one thread, so that a busy machine does not fail the test; wall time is printed.
        assertTrue(cpu.compareTo(CPU_BUDGET.multipliedBy(Math.max(1, ITERATIONS / 120_000))) < 0,
                "fuzzing took " + cpu.toMillis() + " ms of CPU, budget " + CPU_BUDGET.toMillis() + " ms per 120,000");
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith("TICKET_PLAINTEXT ")
                && !k.endsWith(" integrity")), "plaintext mutations must get past the ticket's MAC");
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith("AUTHENTICATOR_PLAINTEXT ")
                && !k.endsWith(" integrity")), "plaintext mutations must get past the authenticator's MAC");
    }

    /**
     * 100,000 levels of nesting at each place a decoder descends, through an acceptor whose size cap lets them in
     * (checklist 4, CVE-2026-57914, CVE-2020-28196), and through the default cap, which refuses them by size first.
     */
    @Test
    void deeplyNestedInput_isRefusedQuickly_withoutStackOverflow() throws Exception {
        ApReqSeeds.Seed seed = seeds.seeds.get(0);
        byte[] empty = new byte[0];
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("GSS framing [APPLICATION 0] x100k", TokenMutator.nested(0x60, DEEP, empty));
        cases.put("NegTokenInit [0] x100k", DerWriter.tlv(0x60, DerWriter.oid(ApReqSeeds.SPNEGO),
                TokenMutator.nested(0xA0, DEEP, empty)));
        cases.put("mechTypes SEQUENCE x100k", DerWriter.tlv(0x60, DerWriter.oid(ApReqSeeds.SPNEGO),
                DerWriter.explicit(0, DerWriter.sequence(DerWriter.explicit(0, TokenMutator.nested(0x30, DEEP, empty))))));
        cases.put("AP-REQ SEQUENCE x100k", ApReqSeeds.rawKrb5(TokenMutator.nested(0x30, DEEP, empty)));
        cases.put("AP-REQ [APPLICATION 14] x100k", ApReqSeeds.rawKrb5(TokenMutator.nested(0x6E, DEEP, empty)));
        cases.put("AP-REQ in SPNEGO, SEQUENCE x100k", ApReqSeeds.spnego(ApReqSeeds.KRB5, false)
                .apply(TokenMutator.nested(0x30, DEEP, empty)));
        cases.put("ticket field [3] x100k", ApReqSeeds.rawKrb5(DerWriter.application(14, DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(5)), DerWriter.explicit(1, DerWriter.integer(14)),
                DerWriter.explicit(2, DerWriter.bitFlags(0)), TokenMutator.nested(0xA3, DEEP, empty)))));
        // Closed again by as many end-of-contents octets 00 00.
        byte[] berIndefinite = Arrays.copyOf(TokenMutator.nestedIndefinite(0x30, DEEP), 4 * DEEP);
        cases.put("BER indefinite 30 80 x100k", ApReqSeeds.rawKrb5(berIndefinite));
        // Behind the MACs: deep plaintext sealed with the right keys reaches the EncTicketPart and Authenticator decoders.
        cases.put("EncTicketPart [APPLICATION 3] x100k, sealed", seed.token(TokenMutator.nested(0x63, DEEP, empty),
                seed.authPlain()));
        cases.put("EncTicketPart SEQUENCE x100k inside, sealed", seed.token(DerWriter.tlv(0x63,
                TokenMutator.nested(0x30, DEEP, empty)), seed.authPlain()));
        cases.put("Authenticator [APPLICATION 2] x100k, sealed", seed.token(null, TokenMutator.nested(0x62, DEEP, empty)));
        cases.put("Authenticator SEQUENCE x100k inside, sealed", seed.token(null, DerWriter.tlv(0x62,
                TokenMutator.nested(0x30, DEEP, empty))));

        SpnegoAcceptor roomy = acceptor(8 * 1024 * 1024);
        SpnegoAcceptor capped = acceptor(64 * 1024);
        roomy.authenticate(header(seed.token()), PEER); // warm up, so the timing below is the decoders'
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            String header = header(c.getValue());
            long t0 = System.nanoTime();
            Acceptance a = roomy.authenticate(header, PEER);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class, a, c.getKey());
            assertTrue(!r.detail().startsWith("unexpected "), c.getKey() + ": catch-all path: " + r.detail());
            assertEquals(RejectReason.MALFORMED, r.reason(), c.getKey() + ": " + r.detail());
            assertTrue(millis < 1_000, c.getKey() + " took " + millis + " ms");
            System.out.printf("deep nesting: %s (%d bytes) refused in %d ms: %s%n", c.getKey(), c.getValue().length,
                    millis, r.detail());
            assertEquals(RejectReason.TOO_LARGE, assertInstanceOf(Acceptance.Rejected.class,
                    capped.authenticate(header, PEER)).reason(), c.getKey());
        }

        // The decoders on their own: a typed DerException, never a StackOverflowError.
        for (int tag : new int[] {0x30, 0x6E, 0x63, 0x62, 0x60}) {
            byte[] deep = TokenMutator.nested(tag, DEEP, empty);
            typed(() -> ApReq.decode(deep));
            typed(() -> EncTicketPart.decode(deep));
            typed(() -> Authenticator.decode(deep));
            typed(() -> NegotiationTokens.parseInitial(deep));
        }
    }

    // ---- helpers

    private interface Decode {
        Object run() throws DerException, Refusal;
    }

    private static void typed(Decode d) {
        try {
            d.run();
            fail("deep nesting decoded");
        } catch (DerException | Refusal expected) {
            // the typed refusal
        } catch (Throwable t) {
            fail("deep nesting threw " + t);
        }
    }

    private SpnegoAcceptor acceptor(int maxTokenBytes) {
        KeyRing ring = new KeyRing(List.of(ApReqSeeds.SERVICE), Duration.ofHours(10), clock);
        try {
            ring.update(seeds.keytab(), clock.instant());
        } catch (KeytabException e) {
            throw new AssertionError(e);
        }
        // RC4 allowed, so that the rc4 seed's decoders and checks are fuzzed too; started long before NOW.
        AcceptorPolicy policy = new AcceptorPolicy(Duration.ofMinutes(5), true, Set.of(), NOW.minus(Duration.ofHours(1)));
        ApReqVerifier verifier = new ApReqVerifier(policy, clock, new LocalReplayCache(1_000_000, Ticker.systemTicker()),
                new TicketCache(1_000, Ticker.systemTicker()));
        Supplier<KeySet> keys = ring::current;
        return new SpnegoAcceptor(keys, verifier, maxTokenBytes);
    }

    private Map<Layer, List<byte[]>> donors() {
        Map<Layer, List<byte[]>> d = new EnumMap<>(Layer.class);
        for (Layer l : Layer.values()) {
            d.put(l, new ArrayList<>());
        }
        for (ApReqSeeds.Seed s : seeds.seeds) {
            d.get(Layer.TOKEN).add(s.token());
            d.get(Layer.AP_REQ).add(s.apReq());
            // Either part may borrow from the other: both hold names, times, keys and authorization data.
            for (Layer l : List.of(Layer.TICKET_PLAINTEXT, Layer.AUTHENTICATOR_PLAINTEXT)) {
                d.get(l).add(s.ticketPlain());
                d.get(l).add(s.authPlain());
            }
        }
        return d;
    }

    /** 3 in 10 token, 2 AP-REQ, 3 ticket plaintext, 2 authenticator plaintext. */
    private static Layer layer(int r) {
        return r < 3 ? Layer.TOKEN : r < 5 ? Layer.AP_REQ : r < 8 ? Layer.TICKET_PLAINTEXT
                : Layer.AUTHENTICATOR_PLAINTEXT;
    }

    private static long mix(long seed, long i) {
        long z = seed + (i + 1) * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private static String header(byte[] token) {
        return "Negotiate " + Base64.getEncoder().encodeToString(token);
    }
}
