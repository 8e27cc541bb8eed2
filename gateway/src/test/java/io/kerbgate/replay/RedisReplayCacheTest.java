package io.kerbgate.replay;

import static io.kerbgate.replay.SharedReplayCacheTest.TTL;
import static io.kerbgate.replay.SharedReplayCacheTest.freshKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.replay.SharedStoreSettings.Fail;
import io.kerbgate.testing.RedisServer;
import io.kerbgate.testing.SecretFile;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SharedReplayCache} against a real redis-server that the tests start, kill, freeze and restart. */
final class RedisReplayCacheTest {

    private static final Duration TIMEOUT = Duration.ofMillis(50);
    // Scheduling noise on a loaded 2-core machine, on top of the timeout; a hang would be seconds (Lettuce's default
    // command timeout is 60 s).
    private static final Duration EPSILON = Duration.ofMillis(250);

    @TempDir
    Path dir;

    private RedisServer redis;
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        assumeTrue(RedisServer.isAvailable(), RedisServer.NOT_INSTALLED);
        redis = RedisServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private SharedStoreSettings config(Fail fail, Duration timeout, int failures, Duration cooldown) {
        return new SharedStoreSettings(redis.uri(), null, null, fail, timeout, failures, cooldown, 0, Duration.ZERO);
    }

    /** One gateway node: its own local cache, its own connection, one Redis. */
    private SharedReplayCache node(SharedStoreSettings config, Ticker ticker, MeterRegistry meters) throws InterruptedException {
        RedisSharedStore store = new RedisSharedStore(config, null, null);
        toClose.add(store);
        assertEquals(Optional.empty(), store.awaitReady(Duration.ofSeconds(10)), store.toString());
        CircuitBreaker breaker = new CircuitBreaker(config.circuitFailures(), config.circuitCooldown(), ticker);
        return new SharedReplayCache(new LocalReplayCache(1_000_000, ticker), store, store.toString(), config.fail(),
                config.timeout(), config.failoverWait(), breaker, ticker, SharedReplayCache.Pause.SLEEP, meters);
    }

    private SharedReplayCache node(Fail fail) throws InterruptedException {
        return node(config(fail, TIMEOUT, 5, Duration.ofSeconds(2)), Ticker.systemTicker(), registry);
    }

    private StatefulRedisConnection<String, String> rawConnection(URI uri) {
        RedisClient client = RedisClient.create(uri.toString());
        toClose.add(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        return client.connect();
    }

    private double requests(String result) {
        return registry.get("kerbgate.replay.shared.requests").tag("result", result).counter().count();
    }

    private double failOpenDecisions() {
        return registry.get("kerbgate.replay.shared.fail.open.decisions").counter().count();
    }

    private double circuitOpen() {
        return registry.get("kerbgate.replay.shared.circuit.open").gauge().value();
    }

    @Test
    void first_thenReplay() throws Exception {
        SharedReplayCache cache = node(Fail.CLOSED);
        ReplayKey key = freshKey();

        assertTrue(cache.firstSeen(key, TTL));
        assertFalse(cache.firstSeen(key, TTL));
        assertTrue(cache.firstSeen(freshKey(), TTL));
    }

    @Test
    void seenOnNodeA_isRefusedOnNodeB() throws Exception {
        SharedStoreSettings config = config(Fail.CLOSED, TIMEOUT, 5, Duration.ofSeconds(2));
        MeterRegistry registryB = new SimpleMeterRegistry();
        SharedReplayCache nodeA = node(config, Ticker.systemTicker(), registry);
        SharedReplayCache nodeB = node(config, Ticker.systemTicker(), registryB);
        ReplayKey key = freshKey();

        assertTrue(nodeA.firstSeen(key, TTL));
        assertFalse(nodeB.firstSeen(key, TTL), "the cross-node replay RFC 4120 §3.2.3 asks to close");

        assertEquals(1, requests("first"));
        assertEquals(1, registryB.get("kerbgate.replay.shared.requests").tag("result", "replay").counter().count());
    }

    @Test
    void entryInRedis_isTheKeyWithTheTtl_andARequestUniqueValue() throws Exception {
        ReplayKey key = freshKey();

        node(Fail.CLOSED).firstSeen(key, Duration.ofSeconds(600));

        var raw = rawConnection(redis.uri()).sync();
        // The node's run and the request: how a retry after a failover recognises its own write.
        assertTrue(raw.get("kerbgate:rc:" + key.externalForm()).matches("[0-9a-f]{1,16}:[0-9a-z]+"),
                raw.get("kerbgate:rc:" + key.externalForm()));
        long pttl = raw.pttl("kerbgate:rc:" + key.externalForm());
        assertTrue(pttl > 590_000 && pttl <= 600_000, pttl + " ms");
    }

    @Test
    void entry_expiresAfterItsTtl_thenAnotherNodeAcceptsIt() throws Exception {
        ReplayKey key = freshKey();
        assertTrue(node(Fail.CLOSED).firstSeen(key, Duration.ofMillis(300)));
        var raw = rawConnection(redis.uri()).sync();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (raw.exists("kerbgate:rc:" + key.externalForm()) == 1) {
            assertTrue(System.nanoTime() < deadline, "still there after 10 s");
            Thread.sleep(50);
        }

        assertTrue(node(Fail.CLOSED).firstSeen(key, TTL), "a node that never saw it, after the entry expired");
    }

    @Test
    void hundredConcurrentCopies_acrossTwoNodes_exactlyOnePasses() throws Exception {
        // A generous timeout: this is about atomicity, not latency, on a machine with 2 cores and 100 threads.
        SharedStoreSettings config = config(Fail.CLOSED, Duration.ofSeconds(5), 5, Duration.ofSeconds(2));
        MeterRegistry registryB = new SimpleMeterRegistry();
        SharedReplayCache[] nodes = {node(config, Ticker.systemTicker(), registry),
                node(config, Ticker.systemTicker(), registryB)};
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            for (int round = 0; round < 5; round++) {
                ReplayKey key = freshKey();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    SharedReplayCache node = nodes[i % 2];
                    results.add(pool.submit(() -> {
                        go.await();
                        return node.firstSeen(key, TTL);
                    }));
                }
                go.countDown();
                int passed = 0;
                for (Future<Boolean> result : results) {
                    passed += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(1, passed, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
        // Per round, each node's local winner asks the store; every other copy is refused locally.
        double firsts = requests("first") + registryB.get("kerbgate.replay.shared.requests").tag("result", "first")
                .counter().count();
        double replays = requests("replay") + registryB.get("kerbgate.replay.shared.requests").tag("result", "replay")
                .counter().count();
        assertEquals(5, firsts);
        assertEquals(5, replays);
    }

    @Test
    void passwordFile_authenticates() throws Exception {
        redis.close();
        redis = RedisServer.start("--requirepass", "s3cret pass");
        Path passwordFile = SecretFile.writeString(dir.resolve("redis.password"), "s3cret pass\n");
        SharedStoreSettings shared = new SharedStoreSettings(redis.uri(), passwordFile, null, Fail.CLOSED, TIMEOUT, 5, Duration.ofSeconds(2), 0, Duration.ZERO);

        CloseableReplayCache cache = ReplayCaches.create(shared,
                new LocalReplayCache(1_000, Ticker.systemTicker()), registry);
        toClose.add(cache);

        assertInstanceOf(SharedReplayCache.class, cache);
        assertTrue(cache.firstSeen(freshKey(), TTL));
    }

    @Test
    void wrongPassword_failsClosed_withoutThePasswordInTheMessage() throws Exception {
        redis.close();
        redis = RedisServer.start("--requirepass", "right");
        URI uri = URI.create("redis://:wrong-pw@127.0.0.1:" + redis.port() + "/0");
        SharedStoreSettings shared = new SharedStoreSettings(uri, null, null, Fail.CLOSED, TIMEOUT, 5, Duration.ofSeconds(2), 0, Duration.ZERO);

        CloseableReplayCache cache = ReplayCaches.create(shared,
                new LocalReplayCache(1_000, Ticker.systemTicker()), registry);
        toClose.add(cache);

        ReplayCacheUnavailableException e =
                assertThrows(ReplayCacheUnavailableException.class, () -> cache.firstSeen(freshKey(), TTL));
        assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
        assertTrue(cache.toString().contains("redis://127.0.0.1:" + redis.port() + "/0"), cache.toString());
    }

    @Test
    void noSharedStoreConfigured_isTheLocalCacheAlone() throws Exception {
        LocalReplayCache local = new LocalReplayCache(1_000, Ticker.systemTicker());
        CloseableReplayCache cache = ReplayCaches.create(null, local, registry);
        ReplayKey key = freshKey();

        assertTrue(cache.firstSeen(key, TTL));
        assertFalse(local.firstSeen(key, TTL));
        assertTrue(registry.find("kerbgate.replay.shared.requests").counters().isEmpty());
    }

    // The store dies or hangs while 4 threads keep asking.

    @Test
    void killedMidLoad_failClosed_everyLaterCallIsUnavailable_withinTheTimeout() throws Exception {
        Load load = Load.start(node(Fail.CLOSED), 4);
        load.awaitFirsts(200);

        long killed = killAndMark();
        load.runFor(Duration.ofSeconds(1));

        List<Call> after = load.startedAfter(killed);
        assertTrue(after.size() > 100, after.size() + " calls after the kill");
        for (Call call : after) {
            assertInstanceOf(ReplayCacheUnavailableException.class, call.outcome(), String.valueOf(call.outcome()));
        }
        load.assertNoCallSlowerThan(TIMEOUT.plus(EPSILON));
        assertTrue(requests("error") >= 1, "the store was asked and failed before the circuit opened");
        assertTrue(requests("skipped_open_circuit") >= 1, "then the circuit opened");
        assertEquals(0, failOpenDecisions());
    }

    @Test
    void killedMidLoad_failOpen_laterCallsPassOnTheLocalVerdict_andAreCounted() throws Exception {
        Load load = Load.start(node(Fail.OPEN), 4);
        load.awaitFirsts(200);

        double decisionsBefore = failOpenDecisions();
        long killed = killAndMark();
        load.runFor(Duration.ofSeconds(1));

        List<Call> after = load.startedAfter(killed);
        assertTrue(after.size() > 100, after.size() + " calls after the kill");
        for (Call call : after) {
            assertEquals(Boolean.TRUE, call.outcome());
        }
        load.assertNoCallSlowerThan(TIMEOUT.plus(EPSILON));
        assertTrue(failOpenDecisions() - decisionsBefore >= after.size(),
                failOpenDecisions() - decisionsBefore + " < " + after.size());
        assertEquals(requests("error") + requests("skipped_open_circuit"), failOpenDecisions());
    }

    @Test
    void frozenMidLoad_failClosed_callsWaitTheTimeoutAndNoLonger() throws Exception {
        Load load = Load.start(node(Fail.CLOSED), 4);
        load.awaitFirsts(200);

        long frozen = System.nanoTime();
        redis.freeze();
        load.runFor(Duration.ofSeconds(1));
        redis.thaw();

        List<Call> after = load.startedAfter(frozen);
        assertTrue(after.stream().anyMatch(c -> c.outcome() instanceof ReplayCacheUnavailableException e
                && e.getMessage().contains("no answer within 50ms")), "the timeout path was taken");
        load.assertNoCallSlowerThan(TIMEOUT.plus(EPSILON));
    }

    @Test
    void circuit_opensAfterNFailures_skipsTheNetwork_closesAfterRestartAndCooldown() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Duration cooldown = Duration.ofMillis(200);
        SharedReplayCache cache = node(config(Fail.OPEN, TIMEOUT, 3, cooldown), ticker, registry);
        assertTrue(cache.firstSeen(freshKey(), TTL));

        redis.kill();
        for (int i = 0; i < 3; i++) {
            assertTrue(cache.firstSeen(freshKey(), TTL));
        }
        assertEquals(3, requests("error"));
        assertEquals(1, circuitOpen());

        long roundTrips = registry.get("kerbgate.replay.shared.latency").timer().count();
        for (int i = 0; i < 50; i++) {
            assertTrue(cache.firstSeen(freshKey(), TTL));
        }
        assertEquals(50, requests("skipped_open_circuit"));
        assertEquals(3, requests("error"), "no call reached the network while open");
        assertEquals(roundTrips, registry.get("kerbgate.replay.shared.latency").timer().count());

        redis.restart();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (requests("first") < 2) {
            assertTrue(System.nanoTime() < deadline, "the circuit did not close within 15 s of the restart");
            ticker.advance(cooldown);
            assertTrue(cache.firstSeen(freshKey(), TTL));
            Thread.sleep(20);
        }

        assertEquals(0, circuitOpen());
        double skipped = requests("skipped_open_circuit");
        assertTrue(cache.firstSeen(freshKey(), TTL));
        assertEquals(3, requests("first"), "closed: the next call goes to the store");
        assertEquals(skipped, requests("skipped_open_circuit"));
    }

    /** Kills Redis and returns a time after which every call started finds it dead. */
    private long killAndMark() {
        redis.kill();
        return System.nanoTime();
    }

    private record Call(long startNanos, long durationNanos, Object outcome) {}

    /**
     * Threads that call firstSeen with fresh keys in a paced loop, recording each call's start, duration and outcome,
     * until {@link #runFor} stops them.
     */
    private static final class Load {
        private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
        private static final long PACE_NANOS = 1_000_000;

        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        static Load start(SharedReplayCache cache, int threadCount) {
            Load load = new Load();
            for (int t = 0; t < threadCount; t++) {
                Thread thread = new Thread(() -> load.loop(cache), "load-" + t);
                load.threads.add(thread);
                thread.start();
            }
            return load;
        }

        private void loop(SharedReplayCache cache) {
            while (!stop.get()) {
                long start = System.nanoTime();
                Object outcome;
                try {
                    outcome = cache.firstSeen(freshKey(), TTL);
                } catch (ReplayCacheUnavailableException e) {
                    outcome = e;
                }
                calls.add(new Call(start, System.nanoTime() - start, outcome));
                // About a thousand calls a second per thread: load, not a busy loop that starves the client's threads.
                LockSupport.parkNanos(PACE_NANOS);
            }
        }

        /** Waits until n calls have passed, with the store up. */
        void awaitFirsts(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (calls.stream().filter(c -> Boolean.TRUE.equals(c.outcome())).count() < n) {
                assertTrue(System.nanoTime() < deadline, "fewer than " + n + " calls passed in 20 s");
                Thread.sleep(10);
            }
        }

        /** Lets the threads run, then stops them; a thread that does not stop in time is a hang. */
        void runFor(Duration duration) throws InterruptedException {
            Thread.sleep(duration.toMillis());
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(5_000);
                assertFalse(thread.isAlive(), thread.getName() + " hangs");
            }
        }

        List<Call> startedAfter(long nanos) {
            return calls.stream().filter(c -> c.startNanos() - nanos > 0).toList();
        }

        void assertNoCallSlowerThan(Duration limit) {
            long slowest = calls.stream().mapToLong(Call::durationNanos).max().orElse(0);
            assertTrue(slowest <= limit.toNanos(), "slowest call " + slowest / 1_000_000 + " ms > " + limit.toMillis()
                    + " ms");
        }
    }
}
