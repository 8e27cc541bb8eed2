package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.AcceptorPolicy;
import io.kerbgate.acceptor.ApReqVerifier;
import io.kerbgate.acceptor.SpnegoAcceptor;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.rollover.node.Nodes;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The roll against a real MIT KDC and real keytab files: the protocol's order, its failures and its resumes. */
final class RolloverTest {

    private static final String ALICE = "alice@ARRAY.TEST";
    private static final String ALICE_PASSWORD = "alice-password";
    private static final AtomicInteger HOSTS = new AtomicInteger();

    private static MitKdc kdc;
    private static Path checkKeytab;

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private ArrayFixture array;

    @BeforeAll
    static void startKdc() {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        kdc = MitKdc.start("ARRAY.TEST");
        kdc.createPrincipal(ALICE, ALICE_PASSWORD);
        kdc.createPrincipal(ArrayFixture.CHECK_CLIENT, "rollcheck-password");
        checkKeytab = shared.resolve("rollcheck.keytab");
        kdc.exportKeytab(ArrayFixture.CHECK_CLIENT, checkKeytab);
    }

    @AfterAll
    static void stopKdc() {
        if (kdc != null) {
            kdc.close();
        }
    }

    @BeforeEach
    void newArray() throws Exception {
        // One principal per test: the tests share the KDC, not each other's kvnos.
        array = new ArrayFixture(kdc, dir, "array" + HOSTS.incrementAndGet() + ".example.test", checkKeytab);
    }

    @Test
    void init_createsThePrincipal_andEveryNodeHoldsTheKdcsKeys() throws Exception {
        assertEquals(0, array.run(tool -> tool.init(List.of())), array.output());

        assertEquals(1, kdc.kvno(array.principal));
        assertNodesHoldKdcKeys(1);
        for (String node : array.nodeNames) {
            assertEquals(List.of(1), array.kvnos(node));
            assertEquals(1, array.lines("distribute " + node).size(), array.output());
            assertTrue(array.lines("check      " + node).get(0).contains("ok      accepted a fresh ticket (kvno 1"),
                    array.output());
        }
        assertFalse(Files.exists(array.pending()), "the pending key is deleted once committed and checked");
        assertTrue(Journal.load(array.journal()).orElseThrow().finished());
    }

    @Test
    void init_twice_isRefused() throws Exception {
        assertEquals(0, array.run(tool -> tool.init(List.of())), array.output());
        assertEquals(1, array.run(tool -> tool.init(List.of())));
        assertTrue(array.output().contains("already holds"), array.output());
        assertEquals(1, kdc.kvno(array.principal));
    }

    @Test
    void roll_bumpsTheKvno_andTicketsFromBeforeAndAfterValidateOnEveryNode() throws Exception {
        assertEquals(0, array.run(tool -> tool.init(List.of())), array.output());
        String before = header();

        assertEquals(0, array.run(KeysTool::roll), array.output());

        assertEquals(2, kdc.kvno(array.principal));
        assertNodesHoldKdcKeys(2);
        String after = header();
        for (String node : array.nodeNames) {
            assertEquals(List.of(1, 2), array.kvnos(node), node);
            assertEquals(1, acceptedKvno(array.entries(node), before), node + ": the ticket from before the roll");
            assertEquals(2, acceptedKvno(array.entries(node), after), node + ": the ticket from after the roll");
        }
        // generate, then distribute, verify and check for each node, with commit once in between: the order.
        List<String> steps = array.output().lines().map(l -> l.split(" ")[0]).filter(s -> !s.isEmpty())
                .filter(s -> List.of("generate", "distribute", "verify", "commit", "check").contains(s)).toList();
        int lastInit = steps.lastIndexOf("generate");
        assertEquals(List.of("generate", "distribute", "distribute", "distribute", "verify", "verify", "verify",
                "commit", "check", "check", "check"), steps.subList(lastInit, steps.size()));
    }

    @Test
    void roll_withANodeWhoseDiskIsGone_commitsNothing_namesTheNode_andTheRerunUsesTheSameKey() throws Exception {
        assertEquals(0, array.run(tool -> tool.init(List.of())), array.output());
        Path node2 = array.dir.resolve("node2");
        Path moved = Files.move(node2, array.dir.resolve("node2-unmounted"));
        array.output.reset();

        int exit = array.run(KeysTool::roll);

        assertEquals(1, exit);
        assertEquals(1, kdc.kvno(array.principal), "nothing committed");
        assertTrue(array.lines("FAILED").stream().anyMatch(l -> l.startsWith("distribute node2")), array.output());
        assertTrue(array.output().contains("stopped at distribute (node2): nothing was committed"), array.output());
        assertTrue(array.lines("verify").isEmpty(), "no verify, no commit after a failed distribute");
        byte[] pendingKey = keyOf(array.entries("node1"), 2);

        Files.move(moved, node2);
        assertEquals(0, array.run(KeysTool::roll), array.output());
        assertEquals(2, kdc.kvno(array.principal));
        assertNodesHoldKdcKeys(2);
        assertArrayEquals(pendingKey, keyOf(array.entries("node2"), 2), "the rerun distributed the same key");
    }

    @Test
    void roll_toANodePathThatDoesNotExist_commitsNothing() throws Exception {
        assertEquals(0, array.run(tool -> tool.init(List.of())), array.output());
        Files.writeString(array.arrayFile, Files.readString(array.arrayFile).replace("node3/http.keytab",
                "no-such-dir/http.keytab"));

        assertEquals(1, array.run(KeysTool::roll));

        assertEquals(1, kdc.kvno(array.principal));
        assertTrue(array.output().contains("node3: directory " + array.dir.resolve("no-such-dir")
                + " does not exist"), array.output());
    }

    @Test
    void kdcDownAtCommit_breaksNothing_andTheRerunCommitsOnce() throws Exception {
        assertEquals(0, array.run(tool -> tool.init(List.of())), array.output());
        Path aside = array.dir.resolve("kdc.conf.aside");
        AtomicReference<String> password = new AtomicReference<>();
        RolloverHooks kdcGoesDown = new RolloverHooks() {
            @Override
            public void afterStep(Step step) {
                if (step == Step.GENERATE) {
                    password.set(pendingPassword());
                }
            }

            @Override
            public void beforeStep(Step step) {
                if (step == Step.COMMIT) {
                    move(array.kdcProfile(), aside);
                }
            }
        };

        array.output.reset();
        int exit = array.run(Clock.systemUTC(), kdcGoesDown, KeysTool::roll);
        move(aside, array.kdcProfile());

        assertEquals(1, exit);
        assertEquals(1, kdc.kvno(array.principal), "the KDC still issues kvno 1");
        assertTrue(array.lines("commit").get(0).contains("FAILED"), array.output());
        assertTrue(array.output().contains("Nothing is broken"), array.output());
        String ticket = header();
        for (String node : array.nodeNames) {
            assertEquals(List.of(1, 2), array.kvnos(node));
            assertEquals(1, acceptedKvno(array.entries(node), ticket), node + " still accepts kvno 1 tickets");
        }
        assertSecretsAbsent(password.get());

        assertEquals(0, array.run(KeysTool::roll), array.output());
        assertEquals(2, kdc.kvno(array.principal));
        assertNodesHoldKdcKeys(2);
        assertSecretsAbsent(password.get());
    }

    /** Where the run is "killed": step:when[:node]. */
    @ParameterizedTest
    @ValueSource(strings = {"generate:after", "distribute:node:node1", "distribute:after", "verify:node:node2",
            "verify:after", "commit:before", "commit:node:kdc", "commit:after", "check:node:node1", "check:after"})
    void killedAnywhere_theRerunFinishes_withExactlyOneCommit(String killPoint) throws Exception {
        assertEquals(0, array.run(tool -> tool.init(List.of())), array.output());
        AtomicReference<byte[]> firstKey = new AtomicReference<>();
        RolloverHooks kill = new RolloverHooks() {
            @Override
            public void beforeStep(Step step) {
                killIf(step, "before", null);
            }

            @Override
            public void afterNode(Step step, String node) {
                killIf(step, "node", node);
            }

            @Override
            public void afterStep(Step step) {
                if (step == Step.GENERATE) {
                    firstKey.set(pendingKey());
                }
                killIf(step, "after", null);
            }

            private void killIf(Step step, String when, String node) {
                String point = step.label() + ":" + when + (node == null ? "" : ":" + node);
                if (point.equals(killPoint)) {
                    throw new SimulatedKill(point);
                }
            }
        };

        assertThrows(SimulatedKill.class, () -> array.run(Clock.systemUTC(), kill, KeysTool::roll));
        assertEquals(0, array.run(KeysTool::roll), array.output());

        assertEquals(2, kdc.kvno(array.principal), "one commit: kvno n+1, not n+2");
        assertNodesHoldKdcKeys(2);
        assertArrayEquals(firstKey.get(), keyOf(array.kdcKeys(), 2), "the key generated before the kill is committed");
        assertTrue(Journal.load(array.journal()).orElseThrow().finished());
        assertFalse(Files.exists(array.pending()));
    }

    @Test
    void retire_removesTheOldKvnoFromTheFiles_onlyOnceTheGraceHasPassed() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        assertEquals(0, array.run(clock, RolloverHooks.NONE, tool -> tool.init(List.of())), array.output());
        assertEquals(0, array.run(clock, RolloverHooks.NONE, KeysTool::roll), array.output());

        clock.advance(Duration.ofHours(10));
        assertEquals(0, array.run(clock, RolloverHooks.NONE, KeysTool::retire), array.output());
        for (String node : array.nodeNames) {
            assertEquals(List.of(1, 2), array.kvnos(node), "within the grace of 10h5m");
            assertTrue(array.lines("retire     " + node).get(0).contains("kept until"), array.output());
        }

        clock.advance(Duration.ofMinutes(6));
        assertEquals(0, array.run(clock, RolloverHooks.NONE, KeysTool::retire), array.output());
        for (String node : array.nodeNames) {
            assertEquals(List.of(2), array.kvnos(node), node);
        }
        assertNodesHoldKdcKeys(2);
    }

    @Test
    void lockHeld_aSecondRunRefuses_withAClearMessage() throws Exception {
        assertEquals(0, array.run(tool -> tool.init(List.of())), array.output());
        try (RolloverLock held = RolloverLock.acquire(array.dir.resolve("array.yaml.lock"), Instant.now())) {
            assertEquals(KeysTool.EXIT_LOCKED, array.run(KeysTool::roll));
        }
        assertTrue(array.output().contains("another kerbgate keys run holds " + array.dir.resolve("array.yaml.lock")
                + " (pid " + ProcessHandle.current().pid()), array.output());
        assertEquals(1, kdc.kvno(array.principal));
    }

    @Test
    void thePassword_andTheKeys_neverReachTheJournalOrTheOutput() throws Exception {
        AtomicReference<String> password = new AtomicReference<>();
        AtomicReference<byte[]> key = new AtomicReference<>();
        RolloverHooks spy = new RolloverHooks() {
            @Override
            public void afterStep(Step step) {
                if (step == Step.GENERATE) {
                    password.set(pendingPassword());
                    key.set(pendingKey());
                    try {
                        assertEquals(PosixFilePermissions.fromString("rw-------"),
                                Files.getPosixFilePermissions(array.pending()), "the pending key is 0600");
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        };
        assertEquals(0, array.run(Clock.systemUTC(), spy, tool -> tool.init(List.of())), array.output());
        assertEquals(0, array.run(Clock.systemUTC(), spy, KeysTool::roll), array.output());

        assertTrue(password.get().length() >= 32, "a password of 32 characters or more");
        assertSecretsAbsent(password.get());
        String journal = Files.readString(array.journal());
        assertFalse(journal.contains(Base64.getEncoder().encodeToString(key.get())));
        assertFalse(journal.contains(HexFormat.of().formatHex(key.get())));
    }

    @Test
    void addNode_copiesTheCurrentKeys_andStatusShowsNodesSideBySide() throws Exception {
        assertEquals(0, array.run(tool -> tool.init(List.of("node1", "node2"))), array.output());
        assertFalse(Files.exists(array.keytab("node3")));

        assertEquals(1, array.run(KeysTool::status), "node3 lags");
        assertTrue(array.lines("status     node3").get(0).contains("LAGGING"), array.output());

        assertEquals(0, array.run(tool -> tool.addNode("node3", null)), array.output());
        assertEquals(List.of(1), array.kvnos("node3"));
        assertNodesHoldKdcKeys(1);
        assertEquals(0, array.run(KeysTool::status), array.output());
    }

    @Test
    void addNode_adminOnly_sendsTheArchivedKvnosStillInGrace_notExpiredOnes_andRetirePrunesTheArchive()
            throws Exception {
        // Nodes reached only through an admin API: no keytab the tool can read, so add-node takes the key archive.
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
        List<MemoryNode> nodes = List.of(new MemoryNode("node1"), new MemoryNode("node2"), new MemoryNode("node3"));
        ArrayConfig config = ArrayFile.load(array.arrayFile);
        RolloverContext ctx = new RolloverContext(config, RolloverFixture.mitAdapter(kdc, config.enctypes()),
                List.copyOf(nodes), null, clock, new java.security.SecureRandom(), RolloverContext.defaultHttpClient(),
                new Progress(new java.io.PrintStream(array.output, true, java.nio.charset.StandardCharsets.UTF_8)),
                RolloverHooks.NONE);
        KeysTool tool = new KeysTool(ctx);
        Path archive = dir.resolve("array.yaml.keys.keytab");

        assertEquals(0, tool.init(List.of("node1", "node2")), array.output());
        assertEquals(List.of(1), kvnos(ArrayFixture.entries(archive)), "init archives the first key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)));
        clock.advance(Duration.ofHours(1));
        assertEquals(0, tool.roll(), array.output()); // kvno 2; kvno 1 in grace until +1h +10h5m
        clock.advance(Duration.ofHours(11));
        assertEquals(0, tool.roll(), array.output()); // kvno 3; kvno 1's grace ended at +11h5m, kvno 2's runs
        assertEquals(3, kdc.kvno(array.principal));
        assertEquals(List.of(1, 2, 3), kvnos(ArrayFixture.entries(archive)));

        assertEquals(0, tool.addNode("node3", null), array.output());
        assertEquals(List.of(2, 3), kvnos(nodes.get(2).keys), "kvno 2 in grace and the current kvno 3, not kvno 1");
        assertTrue(array.output().contains("from the key archive"), array.output());
        List<KeytabEntry> kdcKeys = array.kdcKeys();
        for (KeytabEntry kdcKey : kdcKeys.stream().filter(e -> e.kvno() == 3).toList()) {
            assertArrayEquals(kdcKey.key(), nodes.get(2).keys.stream().filter(e -> e.kvno() == 3
                    && e.enctype() == kdcKey.enctype()).findFirst().orElseThrow().key(), "the KDC's own kvno 3 key");
        }
        for (int kvno : List.of(2, 3)) {
            for (KeytabEntry held : nodes.get(2).keys.stream().filter(e -> e.kvno() == kvno).toList()) {
                assertArrayEquals(held.key(), nodes.get(0).keys.stream().filter(e -> e.kvno() == kvno
                        && e.enctype() == held.enctype()).findFirst().orElseThrow().key(), "node1's kvno " + kvno);
            }
        }

        assertEquals(0, tool.retire(), array.output());
        assertEquals(List.of(2, 3), kvnos(ArrayFixture.entries(archive)), "retire prunes kvno 1 from the archive");
        assertTrue(array.output().contains("removed kvno 1 from " + archive), array.output());
    }

    @Test
    void addNode_adminOnly_whenTheArchiveLagsTheKdc_takesTheCurrentKeyFromTheKdc_andSaysSo() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
        List<MemoryNode> nodes = List.of(new MemoryNode("node1"), new MemoryNode("node2"), new MemoryNode("node3"));
        ArrayConfig config = ArrayFile.load(array.arrayFile);
        RolloverContext ctx = new RolloverContext(config, RolloverFixture.mitAdapter(kdc, config.enctypes()),
                List.copyOf(nodes), null, clock, new java.security.SecureRandom(), RolloverContext.defaultHttpClient(),
                new Progress(new java.io.PrintStream(array.output, true, java.nio.charset.StandardCharsets.UTF_8)),
                RolloverHooks.NONE);
        KeysTool tool = new KeysTool(ctx);
        assertEquals(0, tool.init(List.of("node1", "node2")), array.output());
        clock.advance(Duration.ofHours(1));
        assertEquals(0, tool.roll(), array.output());
        Files.delete(dir.resolve("array.yaml.keys.keytab")); // e.g. rolled before the archive existed

        assertEquals(0, tool.addNode("node3", null), array.output());
        assertEquals(List.of(2), kvnos(nodes.get(2).keys));
        assertTrue(array.output().contains("the current key comes from the KDC"), array.output());
    }

    private static List<Integer> kvnos(List<KeytabEntry> entries) {
        return entries.stream().map(KeytabEntry::kvno).distinct().sorted().toList();
    }

    /** A node as an admin API shows it to the tool: it takes and lists keys, never gives key bytes back. */
    private static final class MemoryNode implements NodeTarget {
        private final String name;
        final List<KeytabEntry> keys = new java.util.ArrayList<>();

        MemoryNode(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public HeldKeys held(String principal) {
            java.util.Map<Integer, java.util.Set<Integer>> byKvno = new java.util.TreeMap<>();
            keys.stream().filter(e -> e.principal().equals(principal)).forEach(e ->
                    byKvno.computeIfAbsent(e.kvno(), k -> new java.util.TreeSet<>()).add(e.enctype()));
            return HeldKeys.of(byKvno);
        }

        @Override
        public void install(List<KeytabEntry> entries) {
            for (KeytabEntry e : entries) {
                keys.removeIf(k -> k.principal().equals(e.principal()) && k.kvno() == e.kvno()
                        && k.enctype() == e.enctype());
                keys.add(e);
            }
        }

        @Override
        public void verify(List<KeytabEntry> expected) throws NodeException {
            for (KeytabEntry e : expected) {
                if (keys.stream().noneMatch(k -> k.principal().equals(e.principal()) && k.kvno() == e.kvno()
                        && k.enctype() == e.enctype() && java.util.Arrays.equals(k.key(), e.key()))) {
                    throw new NodeException(name, "lacks kvno " + e.kvno() + " enctype " + e.enctype());
                }
            }
        }

        @Override
        public List<Integer> retireBelow(String principal, int keepFrom) {
            List<Integer> removed = keys.stream().filter(e -> e.principal().equals(principal) && e.kvno() < keepFrom)
                    .map(KeytabEntry::kvno).distinct().sorted().toList();
            keys.removeIf(e -> e.principal().equals(principal) && e.kvno() < keepFrom);
            return removed;
        }

        @Override
        public java.util.Optional<List<KeytabEntry>> entries() {
            return java.util.Optional.empty();
        }

        @Override
        public java.util.Optional<java.net.URI> front() {
            return java.util.Optional.empty();
        }
    }

    private void assertNodesHoldKdcKeys(int kvno) throws Exception {
        List<KeytabEntry> fromKdc = array.kdcKeys();
        assertEquals(3, fromKdc.size(), "the KDC has one key per configured enctype");
        for (KeytabEntry kdcKey : fromKdc) {
            assertEquals(kvno, kdcKey.kvno());
            for (String node : array.nodeNames) {
                KeytabEntry held = array.entries(node).stream()
                        .filter(e -> e.kvno() == kvno && e.enctype() == kdcKey.enctype()).findFirst()
                        .orElseThrow(() -> new AssertionError(node + " lacks kvno " + kvno + " " + kdcKey.enctype()));
                assertArrayEquals(kdcKey.key(), held.key(), node + " enctype " + kdcKey.enctype());
            }
        }
    }

    private void assertSecretsAbsent(String password) throws Exception {
        assertTrue(password != null && !password.isEmpty());
        assertFalse(array.output().contains(password), "the output shows the password");
        assertFalse(Files.readString(array.journal()).contains(password), "the journal holds the password");
    }

    private String pendingPassword() {
        try {
            int kvno = ArrayFixture.entries(array.pending()).get(0).kvno();
            NewKey key = new PendingKeytab(array.pending()).read(array.principal, kvno).orElseThrow();
            return new String(key.password());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private byte[] pendingKey() {
        try {
            List<KeytabEntry> entries = ArrayFixture.entries(array.pending());
            return keyOf(entries.stream().filter(e -> e.principal().equals(array.principal)).toList(),
                    entries.get(0).kvno());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] keyOf(List<KeytabEntry> entries, int kvno) {
        return entries.stream().filter(e -> e.kvno() == kvno && e.enctype() == 18).findFirst().orElseThrow().key();
    }

    /** A new login of alice: a fresh service ticket under the KDC's kvno of now. */
    private String header() throws Exception {
        try (GssClient alice = GssClient.withPassword(kdc.krb5Conf(), ALICE, ALICE_PASSWORD)) {
            return alice.header(array.principal);
        }
    }

    private int acceptedKvno(List<KeytabEntry> nodeKeys, String header) throws Exception {
        KeyRing ring = new KeyRing(List.of(array.principal), Duration.ofHours(10), Clock.systemUTC());
        ring.update(nodeKeys);
        ApReqVerifier verifier = new ApReqVerifier(AcceptorPolicy.defaults(Instant.EPOCH), Clock.systemUTC(),
                new LocalReplayCache(100, Ticker.systemTicker()), new TicketCache(100, Ticker.systemTicker()));
        Acceptance verdict = new SpnegoAcceptor(ring::current, verifier, 64 * 1024)
                .authenticate(header, InetAddress.getLoopbackAddress());
        return assertInstanceOf(Acceptance.Accepted.class, verdict, verdict.toString()).kvno();
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final class SimulatedKill extends RuntimeException {
        SimulatedKill(String point) {
            super("simulated kill at " + point);
        }
    }
}
