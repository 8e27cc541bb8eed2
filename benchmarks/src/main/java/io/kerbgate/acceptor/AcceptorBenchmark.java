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
 * response token: kerbgate's {@link SpnegoAcceptor} against the JDK's GSS acceptor in the same run
 * ({@link Candidate}), on the three scenarios of the targets: a new ticket in every token (cold) or one ticket reused
 * with a fresh authenticator per token ({@link TicketUse}), client times in order or shuffled ({@link TimeOrder}),
 * single thread, for the two AES-256 enctype families. Both candidates get every combination, so each kerbgate
 * figure has its JDK baseline on the same tokens in the same run.
 *
 * <p>Every operation presents a distinct, valid token, as real traffic does (replay caches refuse repeats). The
 * tokens are minted before the measurement into a ring of {@code tokens} headers ({@link TokenPool}); their client
 * times are {@link TimeOrder#IN_ORDER in order} or {@link TimeOrder#OUT_OF_ORDER shuffled} over two minutes inside
 * the five-minute skew. All tokens come from one client, {@value BenchTokens#CLIENT}: the JDK keeps one
 * time-sorted list per (client, service) in its replay cache, so one busy client is where its cost shows. A token
 * refused by either acceptor fails the benchmark; no refusal is ever measured.
 *
 * <p><b>Warm-up in setup.</b> Before JMH's warm-up iterations, each trial feeds its candidate {@code warmupTokens}
 * accepts of the same kind of token. The JDK's path is several hundred methods (JGSS, SPNEGO, its ASN.1, a JCA
 * provider lookup per key derivation, {@code Formatter}, {@code SimpleDateFormat}, regex): its C2 compilations finish
 * only after some 40,000 accepts, and on two cores the compiler thread takes the second core meanwhile. With only
 * JMH's few seconds of warm-up it was measured partly interpreted, at several times the CPU per accept of a plain
 * loop over the same API ({@link JdkGssPlainLoop}, which warms up the same way: half its tokens first). kerbgate
 * gets the same warm-up, on an acceptor it then discards (the measured one starts with empty caches).
 *
 * <p>Run from the repository root; {@code CpuTimeProfiler} adds the fork's CPU time per accept:
 * <pre>
 * mvn -B -q -o package -DskipTests -pl benchmarks -am
 * java -jar benchmarks/target/benchmarks.jar AcceptorBenchmark -t 1 \
 *     -prof gc -prof io.kerbgate.bench.CpuTimeProfiler -rf json -rff acceptor-t1.json
 * </pre>
 * The JDK's replay cache is JVM-wide and cannot be emptied, so on {@code JDK_GSS} the ring must not wrap within a
 * trial: at about 20,000 accepts/s, 16 s of iterations need 320,000 tokens; a longer run needs a larger
 * {@code -p tokens} (and heap). kerbgate gets fresh caches on each pass instead ({@link KerbgateAcceptors}).
 */
@State(Scope.Benchmark)
@Threads(1)
public class AcceptorBenchmark extends AbstractBenchmark {
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    /** Who accepts. */
    public enum Candidate {
        /** kerbgate's {@link SpnegoAcceptor} as the gateway builds it: ticket cache, local replay cache. */
        KERBGATE,
        /** The JDK's GSS acceptor ({@link JdkGssAcceptor}); it has no ticket cache. */
        JDK_GSS
    }

    /** What the tokens of the pool share. */
    public enum TicketUse {
        /**
         * Cold: a new ticket (new session key) in every token, as distinct clients' first requests bring. kerbgate:
         * ticket decryption, ticket-cache miss and insert, then everything else.
         */
        NEW_PER_TOKEN,
        /** One ticket reused with a fresh authenticator per token: kerbgate's ticket-cache hit. */
        REUSED
    }

    @Param
    public Candidate candidate;

    @Param
    public TicketUse ticket;

    @Param({"aes256-cts-hmac-sha1-96", "aes256-cts-hmac-sha384-192"})
    public String enctype;

    @Param
    public TimeOrder order;

    /** Distinct headers in the ring; about 0.75 KB each. */
    @Param("400000")
    public int tokens;

    /** Accepts of the same kind of token before JMH's warm-up iterations (see the class comment). */
    @Param("100000")
    public int warmupTokens;

    private TokenPool pool;
    private KerbgateAcceptors kerbgate;
    private JdkGssAcceptor jdk;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchTokens minter = new BenchTokens(Enctype.fromName(enctype));
        boolean newTickets = ticket == TicketUse.NEW_PER_TOKEN;
        Instant now = Instant.now();
        pool = TokenPool.mint(minter, tokens, newTickets, order, now);
        // In order and older than every token of the pool, so that the JDK's replay cache holds them at the tail
        // of its list, where no later insertion walks.
        TokenPool warmup = warmupTokens > 0
                ? TokenPool.mint(minter, warmupTokens, newTickets, TimeOrder.IN_ORDER, now.minus(TimeOrder.WINDOW))
                : null;
        if (candidate == Candidate.JDK_GSS) {
            jdk = new JdkGssAcceptor(minter.keytab(), BenchTokens.SERVICE, BenchTokens.REALM);
            for (int i = 0; warmup != null && i < warmup.size(); i++) {
                jdk.accept(warmup.header(i));
            }
        } else {
            KerbgateAcceptors throwaway = new KerbgateAcceptors(minter.keyRing(), true, warmupTokens + 16L);
            for (int i = 0; warmup != null && i < warmup.size(); i++) {
                check(throwaway.forPass(0).authenticate(warmup.header(i), PEER));
            }
            kerbgate = new KerbgateAcceptors(minter.keyRing(), true, tokens + 16L);
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
