package io.kerbgate.acceptor;

import io.kerbgate.bench.AbstractBenchmark;
import io.kerbgate.bench.BenchTokens;
import io.kerbgate.crypto.Enctype;
import java.net.InetAddress;
import java.time.Instant;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Accepts per second of one {@code Authorization: Negotiate} header, from the header string to the verdict and the
 * response token: kerbgate's {@link SpnegoAcceptor} cold and with a ticket-cache hit, against the JDK's GSS acceptor
 * in the same run (the {@link Candidate} parameter), for the two AES-256 enctype families.
 *
 * <p>Every operation presents a distinct, valid token, as real traffic does (replay caches refuse repeats). The
 * tokens are minted before the measurement into a ring of {@code tokens} headers ({@link TokenPool}); their client
 * times are {@link TimeOrder#IN_ORDER in order} or {@link TimeOrder#OUT_OF_ORDER shuffled} over two minutes inside
 * the five-minute skew. All tokens come from one client, {@value BenchTokens#CLIENT}: the JDK keeps one
 * time-sorted list per (client, service) in its replay cache, so one busy client is where its cost shows. A token
 * refused by either acceptor fails the benchmark; no refusal is ever measured.
 *
 * <p>Run from the repository root, single thread (both time orders) then both cores (in order); the README's table
 * comes from these two runs. {@code CpuTimeProfiler} adds the fork's CPU time per accept, which the other work on
 * shared cores disturbs less than ops/s:
 * <pre>
 * mvn -B -q -o package -DskipTests -pl benchmarks -am
 * java -jar benchmarks/target/benchmarks.jar AcceptorBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 \
 *     -prof gc -prof io.kerbgate.bench.CpuTimeProfiler -rf json -rff acceptor-t1.json
 * java -jar benchmarks/target/benchmarks.jar AcceptorBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -t 2 -p order=IN_ORDER \
 *     -prof gc -prof io.kerbgate.bench.CpuTimeProfiler -rf json -rff acceptor-t2.json
 * </pre>
 * The JDK's replay cache is JVM-wide and cannot be emptied, so on {@code JDK_GSS} the ring must not wrap within a
 * trial: at about 20,000 accepts/s, 16 s of iterations need 320,000 tokens; a longer run needs a larger
 * {@code -p tokens} (and heap). kerbgate gets fresh caches on each pass instead ({@link KerbgateAcceptors}).
 */
@State(Scope.Benchmark)
@Threads(1)
public class AcceptorBenchmark extends AbstractBenchmark {
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    /** Who accepts, and what the tokens of the pool share. */
    public enum Candidate {
        /** A new ticket in every token: ticket decryption, ticket-cache miss and insert, then everything else. */
        KERBGATE_COLD,
        /** One ticket reused with a fresh authenticator per token: ticket-cache hit, authenticator decryption. */
        KERBGATE_CACHED,
        /**
         * The JDK's acceptor on the tokens of {@link #KERBGATE_CACHED}. It has no ticket cache, so it decrypts the
         * ticket every time: a new ticket per token would cost it the same.
         */
        JDK_GSS
    }

    @Param
    public Candidate candidate;

    @Param({"aes256-cts-hmac-sha1-96", "aes256-cts-hmac-sha384-192"})
    public String enctype;

    @Param
    public TimeOrder order;

    /** Distinct headers in the ring; about 0.75 KB each. */
    @Param("400000")
    public int tokens;

    private TokenPool pool;
    private KerbgateAcceptors kerbgate;
    private JdkGssAcceptor jdk;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchTokens minter = new BenchTokens(Enctype.fromName(enctype));
        Instant now = Instant.now();
        pool = TokenPool.mint(minter, tokens, candidate == Candidate.KERBGATE_COLD, order, now);
        if (candidate == Candidate.JDK_GSS) {
            jdk = new JdkGssAcceptor(minter.keytab(), BenchTokens.SERVICE, BenchTokens.REALM);
        } else {
            kerbgate = new KerbgateAcceptors(minter.keyRing(), true, tokens + 16L);
        }
        // Fail before measuring if the acceptor under test would refuse the pool's kind of token. The probe is
        // older than every in-order token of the pool, so it does not put the JDK's replay cache out of order.
        String probe = TokenPool.mint(minter, 1, true, order, now.minusSeconds(1)).header(0);
        if (jdk != null) {
            jdk.accept(probe);
        } else {
            check(kerbgate.forPass(0).authenticate(probe, PEER));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (jdk != null) {
            jdk.close();
        }
    }

    @Benchmark
    public Object accept() throws Exception {
        long position = pool.next();
        String header = pool.header(position);
        long pass = pool.pass(position);
        if (jdk != null) {
            if (pass > 0) {
                throw new IllegalStateException("the pool of " + pool.size() + " tokens is used up and the JDK's"
                        + " replay cache cannot be emptied: run shorter iterations or raise -p tokens");
            }
            return jdk.accept(header);
        }
        return check(kerbgate.forPass(pass).authenticate(header, PEER));
    }

    private static Acceptance.Accepted check(Acceptance verdict) {
        if (verdict instanceof Acceptance.Accepted a) {
            return a;
        }
        Acceptance.Rejected r = (Acceptance.Rejected) verdict;
        throw new IllegalStateException("kerbgate refused a benchmark token: " + r.reason() + ": " + r.detail());
    }
}
