package io.kerbgate.proxy;

import static io.kerbgate.proxy.FixedTokenAuthenticator.GOOD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries on another backend: only idempotent bodiless requests, only failures before any response byte, counted
 * exactly in {@code kerbgate.proxy.retries{backend}} (the backend that failed).
 *
 * <p>The first pick of a new proxy is the first backend (the weighted order starts there, and with nothing in flight
 * least-outstanding takes it), which makes "the first request meets the resetting backend" deterministic.
 */
final class RetriesTest {

    private static final String AUTH = "Authorization: " + GOOD + "\r\n";

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void resetBeforeResponse_getIsRetriedOnTheOtherBackend_andCountedOnce() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).backend(b.uri()).start());
        a.resetNext.set(1);

        try (RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response response = raw.send(get("/x")).read();
            assertEquals(200, response.status());
            assertEquals("b", response.echo("backend"));
        }
        assertEquals(1, a.hits.get());
        assertEquals(1, b.hits.get());
        assertEquals(1.0, proxy.counter(ProxyMetrics.RETRIES, "backend", a.authority()));
        assertEquals(0.0, proxy.counter(ProxyMetrics.RETRIES, "backend", b.authority()));
    }

    @Test
    void everyIdempotentMethodIsRetried_postAndPatchNever() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        // One backend: the pick is always a, so every request meets the reset first.
        for (String method : List.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "POST", "PATCH")) {
            try (ProxyHarness proxy = ProxyHarness.builder().backend(a.uri()).backend(b.uri()).passive(0,
                    Duration.ofSeconds(1)).start()) {
                a.resetNext.set(1);
                int before = b.hits.get();
                try (RawHttp raw = new RawHttp(proxy.port)) {
                    RawHttp.Response response = raw.send(method + " /m HTTP/1.1\r\nHost: gw.test\r\n" + AUTH
                            + "Content-Length: 0\r\n\r\n").read(method.equals("HEAD"));
                    boolean idempotent = !method.equals("POST") && !method.equals("PATCH");
                    assertEquals(idempotent ? 200 : 502, response.status(), method);
                    assertEquals(idempotent ? before + 1 : before, b.hits.get(), method);
                    assertEquals(idempotent ? 1.0 : 0.0,
                            proxy.counter(ProxyMetrics.RETRIES, "backend", a.authority()), method);
                }
                a.resetNext.set(0);
            }
        }
    }

    @Test
    void requestWithABody_isNotRetried() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).backend(b.uri()).start());
        a.resetNext.set(1);

        try (RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response response = raw.send("PUT /doc HTTP/1.1\r\nHost: gw.test\r\n" + AUTH
                    + "Content-Length: 5\r\n\r\nhello").read();
            assertEquals(502, response.status());
        }
        assertEquals(0, b.hits.get());
        assertEquals(0.0, proxy.counter(ProxyMetrics.RETRIES, "backend", a.authority()));
    }

    @Test
    void refusedConnection_isRetriedOnTheOtherBackend() throws Exception {
        int dead = deadPort();
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(URI.create("http://127.0.0.1:" + dead))
                .backend(b.uri()).start());

        try (RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response response = raw.send(get("/x")).read();
            assertEquals(200, response.status());
            assertEquals("b", response.echo("backend"));
        }
        assertEquals(1.0, proxy.counter(ProxyMetrics.RETRIES, "backend", "127.0.0.1:" + dead));
    }

    @Test
    void retriesOff_orNoOtherBackend_502() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        try (ProxyHarness off = ProxyHarness.builder().backend(a.uri()).backend(b.uri()).retries(0).start();
             RawHttp raw = new RawHttp(off.port)) {
            a.resetNext.set(1);
            assertEquals(502, raw.send(get("/x")).read().status());
            assertEquals(0, b.hits.get());
        }
        try (ProxyHarness single = ProxyHarness.builder().backend(a.uri()).retries(3).start();
             RawHttp raw = new RawHttp(single.port)) {
            a.resetNext.set(1);
            assertEquals(502, raw.send(get("/x")).read().status());
            assertEquals(0.0, single.counter(ProxyMetrics.RETRIES, "backend", a.authority()));
        }
    }

    @Test
    void retriesAreCountedExactly_overManyRequests() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).backend(b.uri())
                .passive(0, Duration.ofSeconds(1)).start());
        a.resetNext.set(1_000);

        try (RawHttp raw = new RawHttp(proxy.port)) {
            for (int i = 0; i < 20; i++) {
                RawHttp.Response response = raw.send(get("/n" + i)).read();
                assertEquals(200, response.status());
                assertEquals("b", response.echo("backend"));
            }
        }
        assertEquals(20, b.hits.get());
        // Every request that met a first was retried once; none that went to b first.
        assertEquals(a.hits.get(), (int) proxy.counter(ProxyMetrics.RETRIES, "backend", a.authority()));
        assertEquals(true, a.hits.get() >= 5, "a was picked first for some requests: " + a.hits.get());
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "\r\n";
    }

    static int deadPort() throws Exception {
        try (ServerSocket reserve = new ServerSocket(0)) {
            return reserve.getLocalPort();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }
}
