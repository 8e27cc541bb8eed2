package io.kerbgate.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.replay.SharedStoreSettings.Fail;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The layering, the fail directions and the circuit breaker, against a scripted store and a hand-moved ticker: no
 * network, no sleeping (except the one test that waits out a real timeout).
 */
final class SharedReplayCacheTest {

    static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration COOLDOWN = Duration.ofSeconds(2);
    private static final AtomicInteger TAGS = new AtomicInteger();

    private final ScriptedStore store = new ScriptedStore();
    private final FakeTicker ticker = new FakeTicker();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    private SharedReplayCache cache(Fail fail) {
        return cache(fail, Duration.ofMillis(50));
    }

    private SharedReplayCache cache(Fail fail, Duration timeout) {
        return cache(fail, timeout, Duration.ZERO, nanos -> ticker.advance(Duration.ofNanos(nanos)));
    }

    private SharedReplayCache cache(Fail fail, Duration timeout, Duration failoverWait,
            SharedReplayCache.Pause pause) {
        return new SharedReplayCache(new LocalReplayCache(10_000, ticker), store, "redis://127.0.0.1:6379/0", fail,
                timeout, failoverWait, new CircuitBreaker(3, COOLDOWN, ticker), ticker, pause, registry);
    }

    static ReplayKey freshKey() {
        return new ReplayKey(ByteBuffer.allocate(12).putInt(8, TAGS.incrementAndGet()).array());
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
    void firstHere_thenReplayOnAnotherNode_oneRoundTripEach_counted() throws Exception {
        ReplayKey key = freshKey();

        assertTrue(cache(Fail.CLOSED).firstSeen(key, TTL));
        assertFalse(cache(Fail.CLOSED).firstSeen(key, TTL));

        assertEquals(2, store.calls.get());
        assertEquals(1, requests("first"));
        assertEquals(1, requests("replay"));
        assertEquals(2, registry.get("kerbgate.replay.shared.latency").timer().count());
    }

    @Test
    void keyAndTtl_areWhatTheStoreGets() throws Exception {
        ReplayKey key = freshKey();

        cache(Fail.CLOSED).firstSeen(key, Duration.ofMinutes(10).plusNanos(1));

        assertEquals("kerbgate:rc:" + key.externalForm(), store.lastKey);
        assertEquals(600_001, store.lastTtlMillis, "rounded up, never shorter than asked");
    }

    @Test
    void ttlMillis_roundsUp_atLeastOne() {
        assertEquals(1, SharedReplayCache.ttlMillis(Duration.ofNanos(1)));
        assertEquals(1, SharedReplayCache.ttlMillis(Duration.ofMillis(1)));
        assertEquals(2, SharedReplayCache.ttlMillis(Duration.ofNanos(1_000_001)));
    }

    @Test
    void seenByAnotherNode_isAReplay() throws Exception {
        ReplayKey key = freshKey();
        store.values.put(SharedReplayCache.KEY_PREFIX + key.externalForm(), "another-node:1");

        assertFalse(cache(Fail.CLOSED).firstSeen(key, TTL));

        assertEquals(1, requests("replay"));
    }

    @Test
    void replaySeenLocally_costsNoRoundTrip() throws Exception {
        SharedReplayCache cache = cache(Fail.CLOSED);
        ReplayKey key = freshKey();

        assertTrue(cache.firstSeen(key, TTL));
        assertFalse(cache.firstSeen(key, TTL));

        assertEquals(1, store.calls.get());
    }

    @Test
    void failClosed_storeDown_isUnavailable_withTheStoreInTheMessage() {
        store.mode = ScriptedStore.Mode.DOWN;

        ReplayCacheUnavailableException e =
                assertThrows(ReplayCacheUnavailableException.class, () -> cache(Fail.CLOSED).firstSeen(freshKey(), TTL));

        assertTrue(e.getMessage().startsWith("shared replay cache redis://127.0.0.1:6379/0 unavailable ("
                + "IllegalStateException: connection refused)"), e.getMessage());
        assertEquals(1, requests("error"));
        assertEquals(0, failOpenDecisions());
    }

    @Test
    void failOpen_storeDown_acceptsOnTheLocalVerdict_andCountsIt() throws Exception {
        SharedReplayCache cache = cache(Fail.OPEN);
        store.mode = ScriptedStore.Mode.DOWN;
        ReplayKey key = freshKey();

        assertTrue(cache.firstSeen(key, TTL));
        assertFalse(cache.firstSeen(key, TTL), "this node still refuses what it saw itself");

        assertEquals(1, failOpenDecisions());
        assertEquals(1, requests("error"));
    }

    @Test
    void silentStore_failsAfterTheTimeout() {
        store.mode = ScriptedStore.Mode.SILENT;
        SharedReplayCache cache = cache(Fail.CLOSED, Duration.ofMillis(20));

        long start = System.nanoTime();
        ReplayCacheUnavailableException e =
                assertThrows(ReplayCacheUnavailableException.class, () -> cache.firstSeen(freshKey(), TTL));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(e.getMessage().contains("(no answer within 20ms)"), e.getMessage());
        assertTrue(waitedMillis >= 20 && waitedMillis < 2_000, waitedMillis + " ms");
    }

    @Test
    void circuit_opensAfterConsecutiveFailures_thenSkipsTheStore() throws Exception {
        SharedReplayCache cache = cache(Fail.OPEN);
        store.mode = ScriptedStore.Mode.DOWN;

        for (int i = 0; i < 3; i++) {
            cache.firstSeen(freshKey(), TTL);
        }
        assertEquals(1, circuitOpen());
        for (int i = 0; i < 10; i++) {
            assertTrue(cache.firstSeen(freshKey(), TTL));
        }

        assertEquals(3, store.calls.get(), "no call while open");
        assertEquals(3, requests("error"));
        assertEquals(10, requests("skipped_open_circuit"));
        assertEquals(13, failOpenDecisions());
    }

    @Test
    void circuit_failClosed_refusesWhileOpen() throws Exception {
        SharedReplayCache cache = cache(Fail.CLOSED);
        store.mode = ScriptedStore.Mode.DOWN;
        for (int i = 0; i < 3; i++) {
            assertThrows(ReplayCacheUnavailableException.class, () -> cache.firstSeen(freshKey(), TTL));
        }
        store.mode = ScriptedStore.Mode.UP;

        ReplayCacheUnavailableException e =
                assertThrows(ReplayCacheUnavailableException.class, () -> cache.firstSeen(freshKey(), TTL));

        assertTrue(e.getMessage().contains("(circuit open after repeated failures)"), e.getMessage());
        assertEquals(3, store.calls.get());
    }

    @Test
    void circuit_successesInBetween_keepItClosed() throws Exception {
        SharedReplayCache cache = cache(Fail.OPEN);
        for (int i = 0; i < 5; i++) {
            store.mode = ScriptedStore.Mode.DOWN;
            cache.firstSeen(freshKey(), TTL);
            cache.firstSeen(freshKey(), TTL);
            store.mode = ScriptedStore.Mode.UP;
            cache.firstSeen(freshKey(), TTL);
        }

        assertEquals(0, circuitOpen());
        assertEquals(15, store.calls.get());
    }

    @Test
    void circuit_afterTheCooldown_oneTrial_closesOnSuccess() throws Exception {
        SharedReplayCache cache = cache(Fail.OPEN);
        store.mode = ScriptedStore.Mode.DOWN;
        for (int i = 0; i < 3; i++) {
            cache.firstSeen(freshKey(), TTL);
        }
        store.mode = ScriptedStore.Mode.UP;

        ticker.advance(COOLDOWN.minusMillis(1));
        cache.firstSeen(freshKey(), TTL);
        assertEquals(3, store.calls.get(), "still cooling down");

        ticker.advance(Duration.ofMillis(1));
        assertTrue(cache.firstSeen(freshKey(), TTL));

        assertEquals(4, store.calls.get());
        assertEquals(0, circuitOpen());
        assertEquals(1, requests("first"));
        cache.firstSeen(freshKey(), TTL);
        assertEquals(5, store.calls.get(), "closed again: every call goes to the store");
    }

    @Test
    void circuit_storeReconnects_trialAtOnce_notAfterTheRestOfTheCooldown() throws Exception {
        SharedReplayCache cache = cache(Fail.CLOSED);
        store.mode = ScriptedStore.Mode.DOWN;
        for (int i = 0; i < 3; i++) {
            assertThrows(ReplayCacheUnavailableException.class, () -> cache.firstSeen(freshKey(), TTL));
        }
        assertEquals(1, circuitOpen());

        store.reconnect();

        assertTrue(cache.firstSeen(freshKey(), TTL), "a new master after a failover is asked without waiting");
        assertEquals(4, store.calls.get());
        assertEquals(0, circuitOpen());
    }

    @Test
    void circuit_reconnectWhileClosed_changesNothing() throws Exception {
        SharedReplayCache cache = cache(Fail.OPEN);
        store.mode = ScriptedStore.Mode.DOWN;
        cache.firstSeen(freshKey(), TTL);
        cache.firstSeen(freshKey(), TTL);

        store.reconnect();
        store.mode = ScriptedStore.Mode.DOWN;
        cache.firstSeen(freshKey(), TTL);

        assertEquals(1, circuitOpen(), "the failures before the reconnect still count: 3 in a row");
    }

    @Test
    void circuit_failedTrial_opensForAnotherCooldown() throws Exception {
        SharedReplayCache cache = cache(Fail.OPEN);
        store.mode = ScriptedStore.Mode.DOWN;
        for (int i = 0; i < 3; i++) {
            cache.firstSeen(freshKey(), TTL);
        }

        ticker.advance(COOLDOWN);
        cache.firstSeen(freshKey(), TTL);
        cache.firstSeen(freshKey(), TTL);
        assertEquals(4, store.calls.get(), "one trial per cool-down");
        assertEquals(1, circuitOpen());

        ticker.advance(COOLDOWN);
        store.mode = ScriptedStore.Mode.UP;
        cache.firstSeen(freshKey(), TTL);

        assertEquals(5, store.calls.get());
        assertEquals(0, circuitOpen());
    }

    @Test
    void failover_storeBackWithinTheWait_requestHeldThenAnswered_notRefused() throws Exception {
        store.mode = ScriptedStore.Mode.DOWN;
        AtomicInteger pauses = new AtomicInteger();
        SharedReplayCache cache = cache(Fail.CLOSED, Duration.ofMillis(50), Duration.ofSeconds(10), nanos -> {
            ticker.advance(Duration.ofNanos(nanos));
            if (pauses.incrementAndGet() == 40) {
                store.reconnect();
            }
        });

        assertTrue(cache.firstSeen(freshKey(), TTL));

        assertEquals(40, pauses.get(), "asked again after each pause until the store answered");
        assertEquals(1, held("answered"));
        assertEquals(0, held("unavailable"));
        assertEquals(1, requests("first"));
        assertEquals(0, requests("error"));
        assertEquals(0, registry.get("kerbgate.replay.shared.holding").gauge().value());
    }

    @Test
    void failover_storeStillDownAfterTheWait_goesTheFailDirection() {
        store.mode = ScriptedStore.Mode.DOWN;
        SharedReplayCache cache = cache(Fail.CLOSED, Duration.ofMillis(50), Duration.ofSeconds(3),
                nanos -> ticker.advance(Duration.ofNanos(nanos)));
        long start = ticker.read();

        ReplayCacheUnavailableException e = assertThrows(ReplayCacheUnavailableException.class,
                () -> cache.firstSeen(freshKey(), TTL));

        assertTrue(e.getMessage().contains("fail: closed"), e.getMessage());
        assertEquals(Duration.ofSeconds(3).toNanos(), ticker.read() - start, "waited failover_wait, no longer");
        assertEquals(1, held("unavailable"));
        assertEquals(1, requests("skipped_open_circuit") + requests("error"), "one request, one outcome");
    }

    @Test
    void failover_writeAppliedButItsAnswerLost_theRetryFindsItsOwnValue_notAReplay() throws Exception {
        store.mode = ScriptedStore.Mode.LOST;
        SharedReplayCache cache = cache(Fail.CLOSED, Duration.ofMillis(50), Duration.ofSeconds(10), nanos -> {
            ticker.advance(Duration.ofNanos(nanos));
            store.reconnect();
        });
        SharedReplayCache otherNode = cache(Fail.CLOSED);
        ReplayKey key = freshKey();

        assertTrue(cache.firstSeen(key, TTL), "its own write, applied before the connection dropped");
        assertFalse(otherNode.firstSeen(key, TTL), "and a replay to another node is still one");
    }

    @Test
    void failover_anotherNodeWroteTheKeyMeanwhile_theRetryCallsItAReplay() throws Exception {
        store.mode = ScriptedStore.Mode.DOWN;
        ReplayKey key = freshKey();
        SharedReplayCache cache = cache(Fail.CLOSED, Duration.ofMillis(50), Duration.ofSeconds(10), nanos -> {
            ticker.advance(Duration.ofNanos(nanos));
            store.values.put(SharedReplayCache.KEY_PREFIX + key.externalForm(), "another-node:1");
            store.reconnect();
        });

        assertFalse(cache.firstSeen(key, TTL));
        assertEquals(1, requests("replay"));
    }

    @Test
    void noFailoverWait_storeDown_refusedAtOnce() {
        store.mode = ScriptedStore.Mode.DOWN;
        SharedReplayCache cache = cache(Fail.CLOSED, Duration.ofMillis(50), Duration.ZERO, nanos -> {
            throw new AssertionError("no wait with failover_wait 0");
        });

        assertThrows(ReplayCacheUnavailableException.class, () -> cache.firstSeen(freshKey(), TTL));
        assertEquals(0, held("unavailable"));
    }

    private double held(String result) {
        return registry.get("kerbgate.replay.shared.held").tag("result", result).counter().count();
    }

    @Test
    void localCacheFull_isUnavailable_withoutAskingTheStore() {
        SharedReplayCache cache = new SharedReplayCache(new LocalReplayCache(1, ticker), store, "redis://h:1/0",
                Fail.OPEN, Duration.ofMillis(50), Duration.ZERO, new CircuitBreaker(3, COOLDOWN, ticker), ticker,
                nanos -> ticker.advance(Duration.ofNanos(nanos)), registry);

        assertThrows(ReplayCacheUnavailableException.class, () -> {
            cache.firstSeen(freshKey(), TTL);
            cache.firstSeen(freshKey(), TTL);
        });

        assertEquals(1, store.calls.get());
    }

    @Test
    void close_closesTheStore() {
        cache(Fail.CLOSED).close();

        assertTrue(store.closed);
    }

    @Test
    void warnThrottle_oncePerInterval() {
        WarnThrottle throttle = new WarnThrottle(Duration.ofSeconds(10), ticker);

        assertTrue(throttle.tryAcquire());
        assertFalse(throttle.tryAcquire());
        ticker.advance(Duration.ofSeconds(9));
        assertFalse(throttle.tryAcquire());
        ticker.advance(Duration.ofSeconds(1));
        assertTrue(throttle.tryAcquire());
        assertFalse(throttle.tryAcquire());
    }
}
