package io.kerbgate.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's one meter registry: Prometheus-backed, with JVM, process and Netty allocator meters bound, and a
 * guard against unbounded tags on kerbgate's own meters. Scraped by the admin server's {@code /metrics}.
 *
 * <h2>Naming</h2>
 * kerbgate meters are named {@code kerbgate.<area>.<name>}, in dots and lower case, with outcomes in tags rather
 * than in names ({@code kerbgate.auth.requests{result=rejected,reason=skew}}, never {@code kerbgate.auth.skew}).
 * Micrometer's Prometheus naming convention turns dots into underscores and appends the base unit and type suffix:
 * <table>
 *   <caption>Micrometer names and what Prometheus shows</caption>
 *   <tr><th>Micrometer</th><th>type</th><th>Prometheus</th></tr>
 *   <tr><td>{@code kerbgate.auth.requests}</td><td>counter</td><td>{@code kerbgate_auth_requests_total}</td></tr>
 *   <tr><td>{@code kerbgate.auth.duration}</td><td>timer</td>
 *       <td>{@code kerbgate_auth_duration_seconds_count}, {@code _sum}, {@code _max}</td></tr>
 *   <tr><td>{@code kerbgate.keys.loaded}</td><td>gauge</td><td>{@code kerbgate_keys_loaded}</td></tr>
 *   <tr><td>{@code kerbgate.proxy.request.size} (base unit bytes)</td><td>summary</td>
 *       <td>{@code kerbgate_proxy_request_size_bytes_count}, {@code _sum}, {@code _max}</td></tr>
 * </table>
 * Tag values must come from a bounded set (an enum, a configured backend, a kvno): never a principal, a client
 * address or a path. As a backstop, a {@code kerbgate.*} meter name that reaches {@value #MAX_TAG_SETS_PER_NAME}
 * tag combinations gets no more: later ones are denied (they become no-op meters) and a warning is logged once.
 * No common tags are added: Prometheus's {@code instance} label already tells the nodes of the array apart.
 */
public final class Metrics implements AutoCloseable {

    /** The most tag combinations one {@code kerbgate.*} meter name may have. */
    public static final int MAX_TAG_SETS_PER_NAME = 1_000;

    private static final Logger log = LoggerFactory.getLogger(Metrics.class);

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;

    private Metrics(PrometheusMeterRegistry registry, JvmGcMetrics gcMetrics) {
        this.registry = registry;
        this.gcMetrics = gcMetrics;
    }

    /** A registry on the system clock with every binder described in the class documentation. */
    public static Metrics create() {
        return create(Clock.SYSTEM);
    }

    public static Metrics create(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT,
                new io.prometheus.client.CollectorRegistry(true), clock);
        // Filters must be in place before the first meter registers: they do not apply to meters already there.
        registry.config().meterFilter(tagSetLimit(MAX_TAG_SETS_PER_NAME));

        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        bindAllocators(registry);
        return new Metrics(registry, gcMetrics);
    }

    // Netty 4.2 allocates from the adaptive allocator by default (ByteBufAllocator.DEFAULT) while code that names
    // PooledByteBufAllocator.DEFAULT still uses the pooled one: bind both, told apart by the allocator.type tag.
    private static void bindAllocators(PrometheusMeterRegistry registry) {
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        if (ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT
                && ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(registry);
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Detaches the GC notification listeners and closes the registry. */
    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    /**
     * Denies new tag combinations of a {@code kerbgate.*} meter name once it has {@code max} of them. The count may
     * overshoot by a few when threads register new combinations at the same moment; it is a backstop, not a quota.
     */
    static MeterFilter tagSetLimit(int max) {
        Map<String, Set<Meter.Id>> seen = new ConcurrentHashMap<>();
        Set<String> warned = ConcurrentHashMap.newKeySet();
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                if (!id.getName().startsWith("kerbgate.")) {
                    return MeterFilterReply.NEUTRAL;
                }
                Set<Meter.Id> ids = seen.computeIfAbsent(id.getName(), name -> ConcurrentHashMap.newKeySet());
                if (ids.contains(id)) {
                    return MeterFilterReply.NEUTRAL;
                }
                if (ids.size() >= max) {
                    if (warned.add(id.getName())) {
                        log.warn("meter {} reached {} tag combinations; denying more (last refused: {}). A tag "
                                + "takes unbounded values: fix the code that registers it", id.getName(), max, id);
                    }
                    return MeterFilterReply.DENY;
                }
                ids.add(id);
                return MeterFilterReply.NEUTRAL;
            }
        };
    }

}
