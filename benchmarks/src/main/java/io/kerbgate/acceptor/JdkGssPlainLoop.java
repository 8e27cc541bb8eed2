package io.kerbgate.acceptor;

import com.sun.management.OperatingSystemMXBean;
import io.kerbgate.bench.BenchTokens;
import io.kerbgate.crypto.Enctype;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Locale;

/**
 * The check of {@link AcceptorBenchmark}'s JDK baseline: the same JDK acceptor ({@link JdkGssAcceptor}: keytab
 * credential, {@code acceptSecContext} per token, the JDK's default in-memory replay cache) driven by a plain loop,
 * without JMH, over distinct tokens (of one ticket by default) with mutual authentication. The first half of the tokens is
 * warm-up; accepts/s and process CPU per accept are printed for the second half.
 *
 * <p>If {@code AcceptorBenchmark -p candidate=JDK_GSS} reports clearly fewer ops/s (or more CPU per op) than this
 * on the same machine in the same session, the benchmark, not the JDK, is the slow part. Run both, one after the
 * other, with nothing else running:
 * <pre>
 * java -Xms3g -Xmx3g -XX:+UseG1GC -cp benchmarks/target/benchmarks.jar io.kerbgate.acceptor.JdkGssPlainLoop
 * java -jar benchmarks/target/benchmarks.jar AcceptorBenchmark -p candidate=JDK_GSS -p ticket=REUSED \
 *     -p order=IN_ORDER -p enctype=aes256-cts-hmac-sha1-96 -prof io.kerbgate.bench.CpuTimeProfiler
 * </pre>
 * Arguments (all optional, in this order): tokens (default 200000, so 100,000 warm-up accepts as the benchmark's
 * {@code warmupTokens}), enctype (default aes256-cts-hmac-sha1-96), order ({@code IN_ORDER} or
 * {@code OUT_OF_ORDER}), ticket ({@code REUSED} or {@code NEW_PER_TOKEN}). Each run is a fresh JVM: the JDK's
 * replay cache cannot be emptied.
 */
public final class JdkGssPlainLoop {
    private JdkGssPlainLoop() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        String enctype = args.length > 1 ? args[1] : "aes256-cts-hmac-sha1-96";
        TimeOrder order = args.length > 2 ? TimeOrder.valueOf(args[2]) : TimeOrder.IN_ORDER;
        AcceptorBenchmark.TicketUse ticket = args.length > 3
                ? AcceptorBenchmark.TicketUse.valueOf(args[3]) : AcceptorBenchmark.TicketUse.REUSED;

        BenchTokens minter = new BenchTokens(Enctype.fromName(enctype));
        TokenPool pool = TokenPool.mint(minter, n, ticket == AcceptorBenchmark.TicketUse.NEW_PER_TOKEN, order,
                Instant.now());
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (JdkGssAcceptor jdk = new JdkGssAcceptor(minter.keytab(), BenchTokens.SERVICE, BenchTokens.REALM)) {
            int half = n / 2;
            for (int i = 0; i < half; i++) {
                jdk.accept(pool.header(i));
            }
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = half; i < n; i++) {
                jdk.accept(pool.header(i));
            }
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            int measured = n - half;
            System.out.printf(Locale.ROOT, "JDK GSS plain loop, %s, %s, ticket %s, %d tokens (%d warm-up): "
                            + "%.0f accepts/s, %.1f us CPU/accept (all threads)%n", enctype, order, ticket, n, half,
                    measured / (wall / 1e9), cpu / 1e3 / measured);
        }
    }
}
