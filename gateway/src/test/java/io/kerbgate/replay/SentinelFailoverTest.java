package io.kerbgate.replay;

import static io.kerbgate.replay.SharedReplayCacheTest.TTL;
import static io.kerbgate.replay.SharedReplayCacheTest.freshKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.replay.SharedStoreSettings.Fail;
import io.kerbgate.testing.RedisSentinel;
import io.kerbgate.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared replay cache on a master that Redis Sentinel watches, all real processes on loopback: one master, one
 * replica, three sentinels (quorum 2, {@code down-after-milliseconds} 1000, 1250 and 1500), and two gateway nodes
 * writing through {@code redis-sentinel://} with {@code fail: closed} and the default {@code failover_wait}. The master
 * is killed with SIGKILL under load; the test measures what the failover costs (no refusal: held inserts, and how long
 * they waited) and checks that the array recovers on the promoted replica with the entries it replicated.
 *
 * <p>Run alone: {@code mvn -B -q -pl gateway test -Dtest=SentinelFailoverTest}; it prints its figures.
 */
final class SentinelFailoverTest {

    private static final Duration DOWN_AFTER = Duration.ofMillis(1000);
    // Above the default 50 ms: the test machine is shared and loaded, and a scheduling stall is not a failover.
    private static final Duration TIMEOUT = Duration.ofMillis(100);
    private static final int THREADS = 3;
    private static final Duration LOAD_BEFORE_KILL = Duration.ofMillis(1500);
    private static final Duration LOAD_AFTER_SWITCH = Duration.ofSeconds(2);
    // The sentinels need 1 s to see the master down, up to 1 s of random desync, an election and 1 s to see the
    // replica take the role: a few seconds. Far past that the failover has failed.
    private static final Duration FAILOVER_LIMIT = Duration.ofSeconds(20);
    private static final Duration FAILOVER_WAIT = SharedStoreSettings.DEFAULT_FAILOVER_WAIT;

    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    private RedisServer master;
    private RedisServer replica;
    private final List<RedisSentinel> sentinels = new ArrayList<>();

    @BeforeEach
    void startTopology() throws Exception {
        assumeTrue(RedisServer.isAvailable(), RedisServer.NOT_INSTALLED);
        assumeTrue(RedisSentinel.isAvailable(), RedisSentinel.NOT_INSTALLED);
        master = RedisServer.start();
        replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(master.port()));
        awaitTrue(() -> info(replica.port(), "replication").contains("master_link_status:up"), Duration.ofSeconds(10),
                "replica linked to the master");
        // Staggered by 250 ms, so that one sentinel reaches ODOWN first and wins the election: three that start a
        // failover in the same instant vote for themselves, and the next try comes only after 2 × failover-timeout.
        for (int i = 0; i < 3; i++) {
            sentinels.add(RedisSentinel.start(master.port(), DOWN_AFTER.plusMillis(250L * i)));
        }
        // A failover needs a quorum that knows the replica and an election among sentinels that know each other
        // (they meet through hello messages on the master, every 2 s).
        for (RedisSentinel s : sentinels) {
            awaitTrue(() -> {
                Map<String, String> m = sentinel(s).master(RedisSentinel.MASTER);
                return "2".equals(m.get("num-other-sentinels")) && "1".equals(m.get("num-slaves"));
            }, Duration.ofSeconds(15), "sentinel " + s.port() + " knows the replica and the other two sentinels");
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        for (RedisSentinel s : sentinels) {
            s.close();
        }
        if (replica != null) {
            replica.close();
        }
        if (master != null) {
            master.close();
        }
    }

    /** What an operator runs: fail closed, and requests held through a failover rather than refused. */
    private SharedStoreSettings config() {
        String hosts = sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","));
        return new SharedStoreSettings(URI.create("redis-sentinel://" + hosts + "/0#" + RedisSentinel.MASTER), null, null,
                Fail.CLOSED, TIMEOUT, SharedStoreSettings.DEFAULT_CIRCUIT_FAILURES, SharedStoreSettings.DEFAULT_CIRCUIT_COOLDOWN, 0,
                FAILOVER_WAIT);
    }

    /** One gateway node: its own local cache, its own connection, its own circuit. */
    private SharedReplayCache node(SharedStoreSettings config) throws InterruptedException {
        RedisSharedStore store = new RedisSharedStore(config, null, null);
        toClose.add(store);
        assertEquals(Optional.empty(), store.awaitReady(Duration.ofSeconds(10)), store.toString());
        Ticker ticker = Ticker.systemTicker();
        return new SharedReplayCache(new LocalReplayCache(1_000_000, ticker), store, store.toString(), config.fail(),
                config.timeout(), config.failoverWait(),
                new CircuitBreaker(config.circuitFailures(), config.circuitCooldown(), ticker), ticker,
                SharedReplayCache.Pause.SLEEP, new SimpleMeterRegistry());
    }

    private RedisSentinelCommands<String, String> sentinel(RedisSentinel s) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", s.port()));
        toClose.add(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        return client.connectSentinel().sync();
    }

    private String info(int port, String section) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try {
            return client.connect().sync().info(section);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    enum Outcome { FIRST, REPLAY_REFUSED, REFUSED_UNAVAILABLE, REPLAY_ACCEPTED, FRESH_CALLED_REPLAY }

    record Event(long started, long at, int node, Outcome outcome, long firstAcceptedAt, String why) {}

    record Accepted(ReplayKey key, int node, long at) {}

    @Test
    void masterKilledUnderLoad_requestsHeldNotRefused_promotedReplicaTakesOver_replicatedEntriesStillRefused()
            throws Exception {
        SharedStoreSettings config = config();
        List<SharedReplayCache> nodes = List.of(node(config), node(config));
        Load load = new Load(nodes);

        Thread.sleep(LOAD_BEFORE_KILL.toMillis());
        RedisSentinelCommands<String, String> watcher = sentinel(sentinels.get(0));
        long killedAt = System.nanoTime();
        master.kill();
        long switchedAt = awaitSwitch(watcher, killedAt);
        Thread.sleep(LOAD_AFTER_SWITCH.toMillis());
        List<Event> all = load.stop(FAILOVER_WAIT.plusSeconds(10));
        Map<Outcome, Long> counts = all.stream().collect(Collectors.groupingBy(Event::outcome, Collectors.counting()));
        // Held: started before the switch, answered after the kill. The last of them answers once the nodes have
        // found the new master.
        List<Event> held = all.stream().filter(e -> e.started() < switchedAt && e.at() > killedAt).toList();
        long lastHeldAnswer = held.stream().mapToLong(Event::at).max().orElse(killedAt);
        long longestWait = all.stream().mapToLong(e -> e.at() - e.started()).max().orElse(0);
        System.out.printf("sentinel failover under load (%d threads, 2 nodes, timeout %d ms, fail: closed,"
                        + " failover_wait %d ms): %s%n"
                        + "  the sentinels named the new master %d ms after the kill; %d inserts were held, the last"
                        + " answered %d ms after the switch; longest insert %d ms%n",
                THREADS, TIMEOUT.toMillis(), FAILOVER_WAIT.toMillis(), counts, ms(switchedAt - killedAt), held.size(),
                ms(lastHeldAnswer - switchedAt), ms(longestWait));

        assertEquals(0, counts.getOrDefault(Outcome.REFUSED_UNAVAILABLE, 0L), "a failover costs latency, not "
                + "refusals: " + all.stream().map(Event::why).filter(w -> !w.isEmpty()).distinct().toList());
        assertTrue(held.size() >= THREADS, "the load was running through the failover: " + held.size());
        assertTrue(ms(lastHeldAnswer - switchedAt) < 1_000, "held inserts answered within 1 s of the switch ("
                + ms(lastHeldAnswer - switchedAt) + " ms), not after a circuit cool-down or Lettuce's 5 s refresh");
        assertEquals(0, counts.getOrDefault(Outcome.FRESH_CALLED_REPLAY, 0L), "a retry never turns a first use"
                + " into a replay, even when the dead master had applied it: " + counts);
        // Asynchronous replication: only an entry acknowledged just before the crash may be missing on the replica.
        for (Event e : all) {
            if (e.outcome() == Outcome.REPLAY_ACCEPTED) {
                assertTrue(e.firstAcceptedAt() > killedAt - TimeUnit.SECONDS.toNanos(1), "a replay accepted whose"
                        + " first use was " + ms(killedAt - e.firstAcceptedAt()) + " ms before the crash");
            }
        }

        // The promoted replica holds what the old master replicated: entries older than the crash are still refused
        // on the other node, and new entries work.
        List<Accepted> beforeCrash = load.accepted.stream()
                .filter(a -> a.at() < killedAt - TimeUnit.MILLISECONDS.toNanos(200)).limit(300).toList();
        assertTrue(beforeCrash.size() > 50, "load before the crash: " + beforeCrash.size());
        for (Accepted a : beforeCrash) {
            assertFalse(nodes.get(1 - a.node()).firstSeen(a.key(), TTL),
                    "an entry replicated before the crash is refused after the failover");
        }
        ReplayKey fresh = freshKey();
        assertTrue(nodes.get(0).firstSeen(fresh, TTL));
        assertFalse(nodes.get(1).firstSeen(fresh, TTL));
        assertTrue(info(replica.port(), "replication").contains("role:master"), "the replica was promoted");
    }

    @Test
    void plannedFailover_writesFollowTheNewMasterAtTheSwitch_entriesTheOldOneTookMeanwhileAreLost() throws Exception {
        SharedStoreSettings config = config();
        List<SharedReplayCache> nodes = List.of(node(config), node(config));
        Load load = new Load(nodes);
        Thread.sleep(LOAD_BEFORE_KILL.toMillis());
        RedisSentinelCommands<String, String> watcher = sentinel(sentinels.get(0));
        long startedAt = System.nanoTime();
        assertEquals("OK", watcher.failover(RedisSentinel.MASTER));
        long switchedAt = awaitSwitch(watcher, startedAt);
        // The sentinels demote the old master (REPLICAOF, then CLIENT KILL of its clients) only some 10 s later; until
        // then it takes writes from whoever is still connected to it.
        Thread.sleep(LOAD_AFTER_SWITCH.toMillis());
        List<Event> all = load.stop(Duration.ofSeconds(10));
        Map<Outcome, Long> counts = all.stream().collect(Collectors.groupingBy(Event::outcome, Collectors.counting()));
        long refused = all.stream().filter(e -> e.outcome() == Outcome.REFUSED_UNAVAILABLE).count();
        List<Event> refusalsAfterSwitch = all.stream()
                .filter(e -> e.outcome() == Outcome.REFUSED_UNAVAILABLE && e.at() > switchedAt).toList();
        long refusedAfterSwitch = refusalsAfterSwitch.size();
        // Entries the old master took after the promotion never reach the new master (and are dropped when the old
        // one resyncs from it).
        List<Accepted> inBetween = load.accepted.stream()
                .filter(a -> a.at() > startedAt && a.at() < switchedAt + LOAD_AFTER_SWITCH.toNanos()).toList();
        List<Long> lostAt = new ArrayList<>();
        for (Accepted a : inBetween) {
            if (nodes.get(1 - a.node()).firstSeen(a.key(), TTL)) {
                lostAt.add(ms(a.at() - switchedAt));
            }
        }
        int lost = lostAt.size();
        System.out.printf("planned failover (SENTINEL FAILOVER) under load: %s%n  new master named %d ms after the"
                        + " command; refused %d inserts, %d after the switch; %d of %d entries accepted from the"
                        + " command to %d ms after the switch are missing on the new master (accepted from %s to %s ms"
                        + " after the switch)%n",
                counts, ms(switchedAt - startedAt), refused, refusedAfterSwitch, lost, inBetween.size(),
                LOAD_AFTER_SWITCH.toMillis(), lostAt.stream().min(Long::compare).orElse(null),
                lostAt.stream().max(Long::compare).orElse(null));

        // Both masters answer throughout; a stall of the loaded machine (a timeout) is held and asked again.
        assertEquals(0, refused, "refused: " + all.stream().filter(e -> e.outcome() == Outcome.REFUSED_UNAVAILABLE)
                .map(Event::why).distinct().toList());
        assertTrue(lostAt.stream().allMatch(at -> at < 1_000), "entries are lost only until the nodes follow the"
                + " switch, not until the sentinels demote the old master: " + lostAt);
        ReplayKey fresh = freshKey();
        assertTrue(nodes.get(0).firstSeen(fresh, TTL));
        assertFalse(nodes.get(1).firstSeen(fresh, TTL));
        assertTrue(info(replica.port(), "replication").contains("role:master"));
    }

    @Test
    void minReplicasAck_aNewEntryWaitsForTheReplica_aSilentReplicaFailsTheInsert() throws Exception {
        // A long timeout: this test measures latency, and a stall of the loaded machine must not fail it.
        Duration timeout = Duration.ofSeconds(1);
        SharedStoreSettings plain = new SharedStoreSettings(URI.create("redis-sentinel://127.0.0.1:" + sentinels.get(0).port() + "/0#"
                + RedisSentinel.MASTER), null, null, Fail.CLOSED, timeout, 1_000, Duration.ofSeconds(2), 0,
                Duration.ZERO);
        SharedStoreSettings acked = new SharedStoreSettings(plain.uri(), null, null, Fail.CLOSED, timeout, 1_000, Duration.ofSeconds(2), 1,
                Duration.ZERO);
        SharedReplayCache fast = node(plain);
        SharedReplayCache safe = node(acked);

        insertMicros(fast, 200);
        insertMicros(safe, 200);
        long[] plainMicros = insertMicros(fast, 1_000);
        long[] ackedMicros = insertMicros(safe, 1_000);
        System.out.printf("min_replicas_ack: insert p50 %d us, p99 %d us with 0; p50 %d us, p99 %d us with 1"
                        + " (WAIT 1); one client, one insert at a time%n", plainMicros[500], plainMicros[990],
                ackedMicros[500], ackedMicros[990]);

        ReplayKey key = freshKey();
        assertTrue(safe.firstSeen(key, TTL));
        assertFalse(fast.firstSeen(key, TTL), "the acknowledged entry is on the master");

        replica.freeze();
        try {
            assertThrows(ReplayCacheUnavailableException.class,
                    () -> safe.firstSeen(freshKey(), TTL),
                    "a replica that does not confirm in time fails the insert (fail: closed refuses)");
            assertTrue(fast.firstSeen(freshKey(), TTL), "min_replicas_ack 0 does not wait");
        } finally {
            replica.thaw();
        }
    }

    /** The time of each of {@code count} inserts in turn, in microseconds, sorted. */
    private static long[] insertMicros(SharedReplayCache node, int count) throws Exception {
        long[] micros = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            assertTrue(node.firstSeen(freshKey(), TTL));
            micros[i] = (System.nanoTime() - start) / 1_000;
        }
        Arrays.sort(micros);
        return micros;
    }

    /** {@value #THREADS} threads inserting through the nodes until stopped, and what they saw. */
    private static final class Load {
        final List<Accepted> accepted = new CopyOnWriteArrayList<>();
        private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        private final List<Future<?>> workers = new ArrayList<>();

        Load(List<SharedReplayCache> nodes) {
            for (int t = 0; t < THREADS; t++) {
                workers.add(threads.submit(() -> insertUntilStopped(nodes, accepted, events, stop)));
            }
        }

        /** Stops the threads, waiting up to {@code limit} for each one's last insert, and returns every event. */
        List<Event> stop(Duration limit) throws Exception {
            stop.set(true);
            for (Future<?> w : workers) {
                w.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            }
            threads.shutdown();
            return List.copyOf(events);
        }
    }

    /** Fresh keys on either node, and now and then a key one node accepted, sent to the other, as a replay. */
    private static void insertUntilStopped(List<SharedReplayCache> nodes, List<Accepted> accepted,
            ConcurrentLinkedQueue<Event> events, AtomicBoolean stop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop.get()) {
            boolean replay = accepted.size() > 10 && random.nextInt(5) == 0;
            Accepted earlier = replay ? accepted.get(random.nextInt(accepted.size())) : null;
            int node = earlier != null ? 1 - earlier.node() : random.nextInt(2);
            ReplayKey key = earlier != null ? earlier.key() : freshKey();
            long started = System.nanoTime();
            Outcome outcome;
            String why = "";
            try {
                boolean first = nodes.get(node).firstSeen(key, TTL);
                if (earlier != null) {
                    outcome = first ? Outcome.REPLAY_ACCEPTED : Outcome.REPLAY_REFUSED;
                } else {
                    outcome = first ? Outcome.FIRST : Outcome.FRESH_CALLED_REPLAY;
                }
            } catch (ReplayCacheUnavailableException e) {
                outcome = Outcome.REFUSED_UNAVAILABLE;
                why = e.getMessage().replaceAll(".*unavailable \\((.*)\\); fail.*", "$1");
            }
            long now = System.nanoTime();
            events.add(new Event(started, now, node, outcome, earlier == null ? 0 : earlier.at(), why));
            if (outcome == Outcome.FIRST) {
                accepted.add(new Accepted(key, node, now));
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** When the sentinels first name another master than the killed one. */
    private long awaitSwitch(RedisSentinelCommands<String, String> watcher, long killedAt) throws InterruptedException {
        while (System.nanoTime() - killedAt < FAILOVER_LIMIT.toNanos()) {
            InetSocketAddress address = (InetSocketAddress) watcher.getMasterAddrByName(RedisSentinel.MASTER);
            if (address.getPort() == replica.port()) {
                return System.nanoTime();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no failover within " + FAILOVER_LIMIT + "; sentinel log:\n"
                + sentinels.get(0).log());
    }

    private static void awaitTrue(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            Thread.sleep(50);
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
