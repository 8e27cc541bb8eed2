package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Balancing;
import io.kerbgate.config.GatewayConfig.Health;
import io.kerbgate.config.GatewayConfig.Passive;
import java.net.URI;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link Balancer} and {@link BackendHealth} without sockets; time moves by a test ticker, never by sleeping. */
final class BalancerTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = nanos::get;

    @Test
    void weightedOrder_isSmooth() {
        assertArrayEquals(new int[] {0, 0, 1, 0, 2, 0, 0}, Balancer.weightedOrder(new int[] {5, 1, 1}));
        assertArrayEquals(new int[] {1, 0, 1}, Balancer.weightedOrder(new int[] {1, 2}));
        assertArrayEquals(new int[] {0, 1, 2}, Balancer.weightedOrder(new int[] {1, 1, 1}));
    }

    @Test
    void roundRobin_skipsUnavailable_andExcluded() {
        List<Backend> backends = backends(1, 1, 1);
        Balancer balancer = new Balancer(Balancing.ROUND_ROBIN, backends);
        HealthView view = HealthView.allUp(3).withUp(1, false);
        int[] counts = new int[3];
        for (int i = 0; i < 30; i++) {
            counts[balancer.pick(view, 0, null).index()]++;
        }
        assertArrayEquals(new int[] {15, 0, 15}, counts);
        BitSet tried = new BitSet();
        tried.set(0);
        tried.set(2);
        assertNull(balancer.pick(view, 0, tried));
    }

    @Test
    void leastOutstanding_perUnitOfWeight() {
        List<Backend> backends = backends(1, 3);
        Balancer balancer = new Balancer(Balancing.LEAST_OUTSTANDING, backends);
        HealthView view = HealthView.allUp(2);
        backends.get(0).requestStarted();
        backends.get(1).requestStarted();
        backends.get(1).requestStarted();
        // 1/1 against 2/3: the heavier backend has less load per weight.
        for (int i = 0; i < 5; i++) {
            assertEquals(1, balancer.pick(view, 0, null).index());
        }
        backends.get(1).requestStarted();
        backends.get(1).requestStarted();
        // 1/1 against 4/3.
        assertEquals(0, balancer.pick(view, 0, null).index());
    }

    @Test
    void health_passiveEjectionEndsByItself_activeThresholds() {
        List<Backend> backends = backends(1, 1);
        BackendHealth health = new BackendHealth(backends,
                new Health("/healthz", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3,
                        new Passive(3, Duration.ofSeconds(30))), ticker);
        health.passiveFailure(0, "x");
        health.passiveFailure(0, "x");
        health.passiveSuccess(0);
        health.passiveFailure(0, "x");
        health.passiveFailure(0, "x");
        assertEquals(true, health.view().available(0, ticker.read()), "the run was broken by a success");
        health.passiveFailure(0, "x");
        HealthView ejected = health.view();
        assertEquals(false, ejected.available(0, ticker.read()));
        assertEquals(30, health.retryAfterSeconds(ejected));
        nanos.addAndGet(Duration.ofSeconds(29).toNanos());
        assertEquals(false, ejected.available(0, ticker.read()));
        assertEquals(1, health.retryAfterSeconds(ejected));
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(true, ejected.available(0, ticker.read()), "the same view shows the ejection over");

        health.checked(1, false, "t");
        assertEquals(true, health.view().up(1));
        health.checked(1, false, "t");
        assertEquals(false, health.view().up(1));
        health.checked(1, true, "t");
        health.checked(1, true, "t");
        assertEquals(false, health.view().up(1));
        health.checked(1, true, "t");
        assertEquals(true, health.view().up(1));
    }

    @Test
    void balancerWithEverythingDown_returnsNull() {
        List<Backend> backends = backends(1, 1);
        for (Balancing policy : Balancing.values()) {
            Balancer balancer = new Balancer(policy, backends);
            assertNull(balancer.pick(HealthView.allUp(2).withUp(0, false).withUp(1, false), 0, null));
            assertNull(balancer.pick(HealthView.allUp(2).withEjection(0, 10).withEjection(1, 10), 5, null));
        }
    }

    private static List<Backend> backends(int... weights) {
        return IntStream.range(0, weights.length)
                .mapToObj(i -> Backend.of(i, new BackendOptions(URI.create("http://127.0.0.1:" + (9000 + i)),
                        weights[i], 10, false), 10))
                .toList();
    }
}
