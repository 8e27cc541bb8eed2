package io.kerbgate.proxy;

import static io.kerbgate.proxy.ProxyHarness.waitFor;
import static io.kerbgate.proxy.RetriesTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Timeouts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Per-backend connection limits and their queue, the client connection limit, per-principal pooling. */
final class PoolAndLimitsTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    /** With one loop the freed connection is handed over; with two it is closed and the waiter connects anew. */
    @ParameterizedTest(name = "io threads {0}")
    @ValueSource(ints = {1, 2})
    void connectionLimitReached_requestWaitsInTheQueue_thenIsServed(int ioThreads) throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(new BackendOptions(a.uri(), 1, 1, false))
                .settings(new ProxySettings(ioThreads, 512, Duration.ofSeconds(30), 4, Duration.ofSeconds(3)))
                .start());
        try (RawHttp first = new RawHttp(proxy.port); RawHttp second = new RawHttp(proxy.port)) {
            first.send(get("/slow?ms=400"));
            waitFor("first in flight", () -> a.hits.get() == 1);
            long start = System.nanoTime();
            second.send(get("/queued"));
            assertEquals(200, first.read().status());
            assertEquals(200, second.read().status());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 3_000);
        }
        assertEquals(2, a.hits.get());
        waitFor("one connection open at most", () -> proxy.gauge(ProxyMetrics.POOL_CONNECTIONS, "backend",
                a.authority(), "state", "active") == 0.0);
        assertTrue(proxy.gauge(ProxyMetrics.POOL_CONNECTIONS, "backend", a.authority(), "state", "idle") <= 1.0);
    }

    @Test
    void connectionLimitReached_queueTimeout_503_andQueueFull_503AtOnce() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(new BackendOptions(a.uri(), 1, 1, false))
                .settings(new ProxySettings(1, 512, Duration.ofSeconds(30), 1, Duration.ofMillis(300))).start());
        try (RawHttp stalled = new RawHttp(proxy.port); RawHttp waiting = new RawHttp(proxy.port);
             RawHttp third = new RawHttp(proxy.port)) {
            stalled.send(get("/slow?ms=2000"));
            waitFor("stalled in flight", () -> a.hits.get() == 1);
            long start = System.nanoTime();
            waiting.send(get("/waits"));
            Thread.sleep(50);
            RawHttp.Response full = third.send(get("/full")).read();
            assertEquals(503, full.status());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 250, "queue full: at once");
            assertEquals(503, waiting.read().status());
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waited >= 280 && waited < 2_000, waited + " ms");
            assertEquals(200, stalled.read().status());
        }
        assertEquals(1, a.hits.get());
    }

    @Test
    void clientConnectionLimit_extraConnectionsAreClosedAtOnce_andCounted() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).maxClientConnections(2).start());
        try (RawHttp one = new RawHttp(proxy.port); RawHttp two = new RawHttp(proxy.port)) {
            assertEquals(200, one.send(get("/1")).read().status());
            assertEquals(200, two.send(get("/2")).read().status());
            try (Socket three = new Socket("127.0.0.1", proxy.port)) {
                three.setSoTimeout(5_000);
                assertTrue(closed(three.getInputStream()), "the third connection is closed");
            }
            assertEquals(1.0, proxy.counter(ProxyMetrics.CLIENT_REJECTED));
            assertEquals(2.0, proxy.gauge(ProxyMetrics.CLIENT_CONNECTIONS));
        }
        waitFor("connections closed", () -> proxy.gauge(ProxyMetrics.CLIENT_CONNECTIONS) == 0.0);
        try (RawHttp again = new RawHttp(proxy.port)) {
            assertEquals(200, again.send(get("/3")).read().status());
        }
    }

    @Test
    void connectionAuthBackend_neverSharesAConnectionBetweenPrincipals() throws Exception {
        ScriptedBackend iis = track(ScriptedBackend.start("iis"));
        ScriptedBackend plain = track(ScriptedBackend.start("plain"));
        try (ProxyHarness proxy = ProxyHarness.builder().authenticator(new TwoUsers())
                .backend(new BackendOptions(iis.uri(), 1, 512, true)).settings(new ProxySettings(1, 512,
                        Duration.ofSeconds(30))).start();
             RawHttp raw = new RawHttp(proxy.port)) {
            for (int i = 0; i < 6; i++) {
                String user = i % 2 == 0 ? "alice" : "bob";
                RawHttp.Response r = raw.send(get("/" + i).replace(FixedTokenAuthenticator.GOOD,
                        TwoUsers.header(user))).read();
                assertEquals(user + "@ARRAY.TEST", r.echo("identity"));
            }
        }
        Set<Integer> alice = iis.connectionsByUser.get("alice@ARRAY.TEST");
        Set<Integer> bob = iis.connectionsByUser.get("bob@ARRAY.TEST");
        assertEquals(1, alice.size(), "alice's requests reuse her connection");
        assertEquals(1, bob.size(), "bob's requests reuse his");
        Set<Integer> both = new HashSet<>(alice);
        both.retainAll(bob);
        assertTrue(both.isEmpty(), "no connection carried both principals");

        try (ProxyHarness proxy = ProxyHarness.builder().authenticator(new TwoUsers()).backend(plain.uri())
                .settings(new ProxySettings(1, 512, Duration.ofSeconds(30))).start();
             RawHttp raw = new RawHttp(proxy.port)) {
            for (int i = 0; i < 4; i++) {
                String user = i % 2 == 0 ? "alice" : "bob";
                raw.send(get("/" + i).replace(FixedTokenAuthenticator.GOOD, TwoUsers.header(user))).read();
            }
        }
        assertEquals(1, plain.accepts.get(), "an ordinary backend's connection serves everyone");
    }

    @Test
    void slowDrip_streamsThrough_responseTimeoutOnlyCoversTheHead() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri())
                .timeouts(new Timeouts(Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(120)))
                .start());
        try (RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response r = raw.send(get("/drip?chunks=6&ms=150")).read();
            assertEquals(200, r.status());
            assertEquals("chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\nchunk 5\n", r.text());
            assertEquals(200, raw.send(get("/after")).read().status());
        }
    }

    private static boolean closed(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException reset) {
            return true;
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    /** {@code Negotiate base64(name)} for alice and bob. */
    static final class TwoUsers implements HttpAuthenticator {
        static String header(String user) {
            return "Negotiate " + java.util.Base64.getEncoder().encodeToString(user.getBytes());
        }

        @Override
        public Acceptance authenticate(String authorization, InetAddress peer,
                io.kerbgate.acceptor.ChannelBindings bindings) {
            for (String user : List.of("alice", "bob")) {
                if (authorization.equals(header(user))) {
                    return new Acceptance.Accepted(user + "@ARRAY.TEST", "HTTP/gw.array.test@ARRAY.TEST", 3, 18, null,
                            false);
                }
            }
            return Acceptance.Rejected.of(RejectReason.INTEGRITY, "unknown test token");
        }
    }

    static CompletableFuture<RawHttp.Response> async(RawHttp raw) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return raw.read();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
