/**
 * What the benchmarks share: {@link io.kerbgate.bench.AbstractBenchmark} (forks, heap, modes) and
 * {@link io.kerbgate.bench.BenchTokens}, which mints valid AP-REQs in process as a KDC and a client would. The
 * benchmarks themselves live in the packages of the code they measure, so package-private classes are reachable.
 */
package io.kerbgate.bench;
