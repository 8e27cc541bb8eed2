package io.kerbgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class MetricsTest {

    private final Metrics metrics = Metrics.create();

    @AfterEach
    void close() {
        metrics.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "jvm_memory_used_bytes{",
        "jvm_threads_live_threads ",
        "jvm_classes_loaded_classes ",
        "system_cpu_count ",
        "process_uptime_seconds ",
        "process_files_open_files ",
        "netty_allocator_memory_used{allocator_type=\"PooledByteBufAllocator\"",
        "netty_allocator_memory_used{allocator_type=\"AdaptiveByteBufAllocator\"",
    })
    void scrape_showsTheBoundMeters(String sample) {
        String scrape = metrics.registry().scrape();

        assertTrue(scrape.lines().anyMatch(line -> line.startsWith(sample)), sample + " not in\n" + scrape);
    }

    @Test
    void pooledAllocator_usedDirectMemory_isVisible() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        try {
            double used = metrics.registry().get("netty.allocator.memory.used")
                    .tag("allocator.type", "PooledByteBufAllocator").tag("memory.type", "direct").gauge().value();

            assertTrue(used >= 64 * 1024, "used direct memory " + used);
        } finally {
            buffer.release();
        }
    }

    @Test
    void kerbgateCounter_isExportedWithTotalSuffix() {
        metrics.registry().counter("kerbgate.auth.requests", "result", "accepted").increment(3);

        assertTrue(metrics.registry().scrape().contains("kerbgate_auth_requests_total{result=\"accepted\",} 3.0"),
                metrics.registry().scrape());
    }

    @Test
    void tagSetLimit_deniesNewCombinationsPastTheLimit_butKeepsExistingOnes() {
        MeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(Metrics.tagSetLimit(2));

        registry.counter("kerbgate.test.events", "user", "alice").increment();
        registry.counter("kerbgate.test.events", "user", "bob").increment();
        registry.counter("kerbgate.test.events", "user", "carol").increment();
        registry.counter("kerbgate.test.events", "user", "alice").increment();

        assertEquals(2, registry.find("kerbgate.test.events").counters().size());
        assertEquals(2.0, registry.get("kerbgate.test.events").tag("user", "alice").counter().count());
    }

    @Test
    void tagSetLimit_leavesOtherMetersAlone() {
        MeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(Metrics.tagSetLimit(1));

        registry.counter("other.events", "k", "a");
        registry.counter("other.events", "k", "b");

        assertEquals(2, registry.find("other.events").counters().size());
    }
}
