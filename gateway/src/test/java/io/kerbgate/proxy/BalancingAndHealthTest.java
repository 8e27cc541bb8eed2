package io.kerbgate.proxy;

import static io.kerbgate.proxy.ProxyHarness.waitFor;
import static io.kerbgate.proxy.RetriesTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Balancing;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Balancing policies and weights, active health checks, passive ejection and recovery, all-down 503. */
final class BalancingAndHealthTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void roundRobin_honoursWeights() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = track(ProxyHarness.builder().balancing(Balancing.ROUND_ROBIN)
                .backend(a.uri()).backend(new BackendOptions(b.uri(), 2, 512, false)).start());

        try (RawHttp raw = new RawHttp(proxy.port)) {
            for (int i = 0; i < 30; i++) {
                assertEquals(200, raw.send(get("/rr")).read().status());
            }
        }
        assertEquals(10, a.hits.get());
        assertEquals(20, b.hits.get());
    }

    @Test
    void leastOutstanding_idlePoolIsWeightedRoundRobin_busyBackendIsAvoided() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).backend(b.uri()).start());

        try (RawHttp raw = new RawHttp(proxy.port)) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, raw.send(get("/idle")).read().status());
            }
        }
        assertEquals(5, a.hits.get());
        assertEquals(5, b.hits.get());

        // Two slow requests in flight on a (and b at first); then only b is free of them.
        try (RawHttp slowA = new RawHttp(proxy.port); RawHttp quick = new RawHttp(proxy.port)) {
            slowA.send(get("/slow?ms=1500"));
            waitFor("a slow request in flight", () -> a.hits.get() + b.hits.get() == 11);
            String busy = a.hits.get() == 6 ? "a" : "b";
            for (int i = 0; i < 6; i++) {
                RawHttp.Response r = quick.send(get("/quick")).read();
                assertTrue(!busy.equals(r.echo("backend")), "request " + i + " went to the busy backend " + busy);
            }
            assertEquals(200, slowA.read().status());
        }
    }

    @Test
    void activeChecks_markDownAfterThreshold_andUpAgain() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).backend(b.uri())
                .activeHealth("/healthz", Duration.ofMillis(100), 2, 2).start());
        waitFor("checks run", () -> a.healthChecks.get() >= 2 && b.healthChecks.get() >= 2);
        assertEquals(1.0, proxy.gauge(ProxyMetrics.BACKEND_UP, "backend", a.authority()));

        a.healthStatus = 503;
        waitFor("a marked down", () -> proxy.gauge(ProxyMetrics.BACKEND_UP, "backend", a.authority()) == 0.0);
        int aHits = a.hits.get();
        try (RawHttp raw = new RawHttp(proxy.port)) {
            for (int i = 0; i < 6; i++) {
                assertEquals("b", raw.send(get("/down")).read().echo("backend"));
            }
        }
        assertEquals(aHits, a.hits.get());

        a.healthStatus = 0; // resets count as failures too
        int checks = a.healthChecks.get();
        waitFor("more checks", () -> a.healthChecks.get() >= checks + 2);
        assertEquals(0.0, proxy.gauge(ProxyMetrics.BACKEND_UP, "backend", a.authority()));

        a.healthStatus = 204;
        waitFor("a marked up", () -> proxy.gauge(ProxyMetrics.BACKEND_UP, "backend", a.authority()) == 1.0);
        try (RawHttp raw = new RawHttp(proxy.port)) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                seen.add(raw.send(get("/up")).read().echo("backend"));
            }
            assertTrue(seen.contains("a"), seen.toString());
        }
    }

    @Test
    void fiveHundredBurst_ejects_thenTheBackendComesBack() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).backend(b.uri())
                .passive(3, Duration.ofMillis(1_500)).start());
        a.status = 500;

        try (RawHttp raw = new RawHttp(proxy.port)) {
            int fiveHundreds = 0;
            while (fiveHundreds < 3) {
                if (raw.send(get("/burst")).read().status() == 500) {
                    fiveHundreds++;
                }
            }
            assertEquals(0.0, proxy.gauge(ProxyMetrics.BACKEND_UP, "backend", a.authority()));
            int aHits = a.hits.get();
            for (int i = 0; i < 6; i++) {
                assertEquals(200, raw.send(get("/ejected")).read().status());
            }
            assertEquals(aHits, a.hits.get());

            a.status = 200;
            waitFor("ejection over", () -> proxy.gauge(ProxyMetrics.BACKEND_UP, "backend", a.authority()) == 1.0);
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                seen.add(raw.send(get("/back")).read().echo("backend"));
            }
            assertTrue(seen.contains("a"), seen.toString());
        }
    }

    @Test
    void connectFailures_eject_theDeadBackend() throws Exception {
        int dead = RetriesTest.deadPort();
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(URI.create("http://127.0.0.1:" + dead))
                .backend(b.uri()).retries(0).passive(2, Duration.ofSeconds(30)).start());

        int badGateways = 0;
        try (RawHttp raw = new RawHttp(proxy.port)) {
            for (int i = 0; i < 12; i++) {
                if (raw.send(get("/c")).read().status() == 502) {
                    badGateways++;
                }
            }
        }
        assertEquals(2, badGateways);
        assertEquals(10, b.hits.get());
        assertEquals(0.0, proxy.gauge(ProxyMetrics.BACKEND_UP, "backend", "127.0.0.1:" + dead));
    }

    @Test
    void allBackendsDown_503WithRetryAfter_atOnce_andNoBackendCalled() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        a.healthStatus = 500;
        b.healthStatus = 500;
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).backend(b.uri())
                .activeHealth("/healthz", Duration.ofMillis(100), 1, 1).start());
        waitFor("both down", () -> proxy.gauge(ProxyMetrics.BACKEND_UP, "backend", a.authority()) == 0.0
                && proxy.gauge(ProxyMetrics.BACKEND_UP, "backend", b.authority()) == 0.0);

        try (RawHttp raw = new RawHttp(proxy.port)) {
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                RawHttp.Response response = raw.send(get("/none")).read();
                long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertEquals(503, response.status());
                assertTrue(millis < 500, millis + " ms");
                long retryAfter = Long.parseLong(response.header("Retry-After"));
                assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter);
            }
        }
        assertEquals(0, a.hits.get() + b.hits.get());
        assertEquals(3.0, proxy.counter(ProxyMetrics.PROXY_REQUESTS, "status_class", "5xx", "backend",
                ProxyMetrics.NO_BACKEND));
    }

    @Test
    void allEjected_retryAfterIsTheEjectionLeft() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        a.status = 503;
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).passive(1, Duration.ofSeconds(20))
                .start());
        try (RawHttp raw = new RawHttp(proxy.port)) {
            assertEquals(503, raw.send(get("/one")).read().status());
            RawHttp.Response response = raw.send(get("/two")).read();
            assertEquals(503, response.status());
            long retryAfter = Long.parseLong(response.header("Retry-After"));
            assertTrue(retryAfter >= 19 && retryAfter <= 20, "Retry-After " + retryAfter);
        }
        assertEquals(1, a.hits.get());
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }
}
