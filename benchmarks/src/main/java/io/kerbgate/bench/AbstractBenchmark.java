package io.kerbgate.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fixes what every kerbgate benchmark shares: one fork with a fixed heap, throughput in operations per second, and
 * short iterations. The machine these run on has two cores shared with other work, so runs are kept short and every
 * result is read as a ratio against a baseline measured in the same run, never as an absolute number. The command
 * line overrides any of these ({@code -f}, {@code -wi}, {@code -w}, {@code -i}, {@code -r}, {@code -t}).
 *
 * <p>The heap is fixed (no resizing during a run) and large enough for the token pools of {@code AcceptorBenchmark},
 * which hold a few hundred thousand distinct {@code Authorization} headers.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+UseG1GC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public abstract class AbstractBenchmark {
}
