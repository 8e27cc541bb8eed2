package io.kerbgate.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the whole benchmark JVM per operation, in microseconds: {@code -prof io.kerbgate.bench.CpuTimeProfiler}.
 *
 * <p>On cores shared with other work, ops/s measures the share of the machine the benchmark got as much as the
 * code. The CPU the process spent per operation does not depend on that share, and its inverse is throughput per
 * core. It counts every thread of the fork: the benchmark threads, but also work they hand off (Caffeine's
 * maintenance tasks), the garbage collector and the JIT, and JMH's own thread (small next to operations of
 * microseconds). It divides by every operation of the iteration, including those JMH runs outside the timed
 * window to keep threads in step.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long startNanos;

    @Override
    public String getDescription() {
        return "process CPU time per operation (all threads of the fork)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startNanos = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        long cpu = os.getProcessCpuTime() - startNanos;
        long ops = result.getMetadata().getAllOps();
        if (ops <= 0 || cpu < 0) {
            return List.of();
        }
        return List.of(new ScalarResult("cpu.time.per.op", cpu / 1000.0 / ops, "us/op", AggregationPolicy.AVG));
    }
}
