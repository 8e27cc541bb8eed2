package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.Kerbgate;
import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.AcceptorPolicy;
import io.kerbgate.acceptor.ApReqVerifier;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.acceptor.SpnegoAcceptor;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeysReport;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.MutableClock;
import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults around a rollover that the protocol tests do not cover: a bad keytab dropped on a running node, and nodes
 * whose clocks disagree.
 */
final class RolloverFaultsTest {

    private static final String REALM = "ARRAY.TEST";
    private static final String SPN = "HTTP/faults.example.test@" + REALM;
    private static final String ALICE = "alice@" + REALM;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern RELOADS_FAILED =
            Pattern.compile("(?m)^kerbgate_keytab_reloads_total\\{[^}]*result=\"failed\"[^}]*\\} (\\S+)$");

    @TempDir
    static Path dir;

    private static MitKdc kdc;
    private static Path keytab;
    private static GssClient alice;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        kdc = MitKdc.start(REALM);
        kdc.createPrincipal(ALICE, "alice-pw");
        keytab = dir.resolve("http.keytab");
        kdc.createServicePrincipalWithKeytab(SPN, keytab, 18, 17);
        alice = GssClient.withPassword(kdc.krb5Conf(), ALICE, "alice-pw");
    }

    @AfterAll
    static void stop() throws Exception {
        if (alice != null) {
            alice.close();
        }
        if (kdc != null) {
            kdc.close();
        }
    }

    @Test
    void halfWrittenThenCorruptKeytab_onARunningNode_keepsTheKeys_countsFailures_andRequestsKeepWorking()
            throws Exception {
        Path nodeKeytab = Files.copy(keytab, dir.resolve("node.keytab"));
        byte[] good = Files.readAllBytes(nodeKeytab);
        List<KeytabEntry> withKvno2 = new ArrayList<>(KeytabFile.parse(good));
        withKvno2.add(new KeytabEntry(SPN, 1, 0, 2, 18, KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96).bytes()));
        byte[] next = KeytabFile.write(withKvno2);
        try (EchoBackend backend = EchoBackend.start("app");
                Kerbgate node = Kerbgate.start(ConfigLoader.parse("listen: 127.0.0.1:0\nkeytab: " + nodeKeytab
                        + "\nbackends: [http://127.0.0.1:" + backend.port() + "]\nadmin:\n  listen: 127.0.0.1:0\n"
                        + "keys:\n  poll_interval: 200ms\nacceptor:\n  replay_cache_file: replay.cache\n", dir))) {
            assertEquals(200, get(node).statusCode());
            assertEquals(0, reloadsFailed(node));

            // A copy caught halfway (cp, scp without a rename): the new kvno's entry is cut short.
            replace(nodeKeytab, Arrays.copyOf(next, next.length - 20));
            awaitReloadsFailed(node, 1);
            assertEquals(200, get(node).statusCode(), "the kvno 1 key is still there");
            assertEquals(List.of(1), kvnos(node));

            // Corrupt: an entry whose name claims 65535 components.
            byte[] corrupt = {0x05, 0x02, 0, 0, 0, 0x10, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                    -1};
            replace(nodeKeytab, corrupt);
            awaitReloadsFailed(node, 2);
            assertEquals(200, get(node).statusCode(), "still the kvno 1 key");
            assertEquals(List.of(1), kvnos(node));
            assertTrue(admin(node, "/readyz").statusCode() == 200, "a bad file does not take the node out");

            // The whole file, at last: both kvnos, no failure more.
            replace(nodeKeytab, next);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!kvnos(node).equals(List.of(1, 2))) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the good keytab was not loaded: " + kvnos(node));
                }
                Thread.sleep(50);
            }
            assertEquals(2, reloadsFailed(node));
            assertEquals(200, get(node).statusCode());
        }
    }

    /**
     * Puts exactly these bytes in the file in one step (write beside it, rename over it), so the watcher sees each
     * state the test means and never a truncate-and-write caught halfway, which it would rightly count as one more
     * failed reload. The half-written keytab above is half-written by its content, not by timing.
     */
    private static void replace(Path file, byte[] content) throws IOException {
        Path tmp = SecretFile.write(file.resolveSibling(file.getFileName() + ".tmp"), content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Two nodes that share the keytab but not the time: one 4 minutes ahead of the client, one 4 minutes behind. With
     * the default skew of 5 minutes both accept the same token (each node has its own replay cache); 6 minutes off,
     * either one refuses it with {@code skew}.
     */
    @Test
    void clockSkewBetweenNodes_fourMinutesEitherWayIsAccepted_sixIsRefusedWithSkew() throws Exception {
        KeyRing ring = new KeyRing(List.of(SPN), Duration.ofHours(10), Clock.systemUTC());
        ring.update(KeytabFile.parse(Files.readAllBytes(keytab)));
        Instant now = Instant.now();
        MutableClock ahead = new MutableClock(now.plus(Duration.ofMinutes(4)));
        MutableClock behind = new MutableClock(now.minus(Duration.ofMinutes(4)));
        SpnegoAcceptor nodeAhead = acceptor(ring, ahead);
        SpnegoAcceptor nodeBehind = acceptor(ring, behind);

        String token = alice.headers(SPN, GssMech.SPNEGO, 1).get(0);
        assertInstanceOf(Acceptance.Accepted.class, nodeAhead.authenticate(token, InetAddress.getLoopbackAddress()));
        assertInstanceOf(Acceptance.Accepted.class, nodeBehind.authenticate(token, InetAddress.getLoopbackAddress()),
                "the other node has its own replay cache, and its clock is within the skew too");

        ahead.set(Instant.now().plus(Duration.ofMinutes(6)));
        behind.set(Instant.now().minus(Duration.ofMinutes(6)));
        for (SpnegoAcceptor node : List.of(nodeAhead, nodeBehind)) {
            String fresh = alice.headers(SPN, GssMech.SPNEGO, 1).get(0);
            Acceptance verdict = node.authenticate(fresh, InetAddress.getLoopbackAddress());
            assertEquals(RejectReason.SKEW, assertInstanceOf(Acceptance.Rejected.class, verdict).reason(),
                    verdict.toString());
        }
    }

    private static SpnegoAcceptor acceptor(KeyRing ring, MutableClock clock) {
        ApReqVerifier verifier = new ApReqVerifier(AcceptorPolicy.defaults(Instant.EPOCH), clock,
                new LocalReplayCache(1000, Ticker.systemTicker()), new TicketCache(100, Ticker.systemTicker()));
        return new SpnegoAcceptor(ring::current, verifier, 64 * 1024);
    }

    private static HttpResponse<String> get(Kerbgate node) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.frontPort() + "/"))
                .header("Authorization", alice.headers(SPN, GssMech.SPNEGO, 1).get(0))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(Kerbgate node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<Integer> kvnos(Kerbgate node) throws Exception {
        return KeysReport.fromJson(admin(node, "/keys").body()).versions(SPN).stream()
                .map(KeysReport.Version::kvno).toList();
    }

    private static double reloadsFailed(Kerbgate node) throws Exception {
        Matcher m = RELOADS_FAILED.matcher(admin(node, "/metrics").body());
        if (!m.find()) {
            throw new AssertionError("no kerbgate_keytab_reloads_total{result=\"failed\"} in /metrics");
        }
        return Double.parseDouble(m.group(1));
    }

    private static void awaitReloadsFailed(Kerbgate node, double count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (reloadsFailed(node) < count) {
            if (System.nanoTime() - deadline > 0) {
                fail("kerbgate_keytab_reloads_total{result=\"failed\"} did not reach " + count);
            }
            Thread.sleep(50);
        }
        assertEquals(count, reloadsFailed(node), "each bad file counts once");
    }
}
