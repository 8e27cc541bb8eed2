package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabWatcher;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.KerbyKdc;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11 item 6: a replaced key ends what it protected. When the key at an existing kvno changes (a re-exported
 * keytab, {@code PUT /keys}, a pending kvno used again), nothing decrypted under the old key may still be accepted from
 * the ticket cache: not a real ticket, and not a ticket forged with the old key (say, leaked) that lives ten years.
 * A real keytab file, the real {@link KeytabWatcher} reloading it, a real ticket from Kerby's KDC.
 */
final class ReplacedKeyTest {
    private static final String REALM = "REPLACED.TEST";
    private static final String PASSWORD = "alice-password";
    private static final String SERVICE = "HTTP/r.example.test@" + REALM;
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    @TempDir
    static Path kdcDir;
    private static KerbyKdc kdc;
    private static KeytabEntry kdcEntry;

    @TempDir
    Path dir;
    private Path keytab;
    private KeyRing ring;
    private KeytabWatcher watcher;
    private TicketCache ticketCache;
    private SpnegoAcceptor acceptor;

    @BeforeAll
    static void startKdc() throws Exception {
        kdc = KerbyKdc.start(REALM);
        kdc.createPrincipal("alice", PASSWORD);
        Path exported = kdcDir.resolve("r.keytab");
        kdc.createServicePrincipalWithKeytab(SERVICE, exported, 18);
        kdcEntry = KeytabAcceptors.onlyEntry(exported, SERVICE);
    }

    @AfterAll
    static void stopKdc() throws Exception {
        kdc.close();
    }

    @BeforeEach
    void startGateway() throws Exception {
        keytab = KeytabAcceptors.write(dir.resolve("http.keytab"), List.of(kdcEntry));
        Clock clock = Clock.systemUTC();
        ring = new KeyRing(List.of(SERVICE), Duration.ofHours(10), clock);
        ticketCache = new TicketCache(1_000, Ticker.systemTicker());
        ticketCache.followKeys(ring);
        watcher = new KeytabWatcher(keytab, ring, Duration.ofMillis(20));
        watcher.start();
        ApReqVerifier verifier = new ApReqVerifier(AcceptorPolicy.defaults(Instant.now().minus(Duration.ofHours(1))),
                clock, new LocalReplayCache(10_000, Ticker.systemTicker()), ticketCache);
        acceptor = new SpnegoAcceptor(ring::current, verifier, KeytabAcceptors.MAX_TOKEN_BYTES);
    }

    @AfterEach
    void stop() {
        watcher.close();
    }

    @Test
    void real_ticket_cached_under_the_old_key_is_refused_after_the_key_changes_at_the_same_kvno() throws Exception {
        byte[] token;
        try (GssClient client = GssClient.withPassword(kdc.krb5Conf(18), "alice", PASSWORD)) {
            token = client.negotiate("HTTP@r.example.test", GssMech.SPNEGO, true).token();
        }
        KerberosKey oldKey = KeytabAcceptors.key(kdcEntry);
        assertFalse(accepted(TokenMinter.header(token)).cachedTicket());
        assertTrue(accepted(TokenMinter.header(freshAuthenticator(token, oldKey))).cachedTicket(),
                "the ticket is in the cache");

        replaceKeyAtSameKvno();

        refused(TokenMinter.header(freshAuthenticator(token, oldKey)), RejectReason.INTEGRITY);
    }

    @Test
    void forged_ten_year_ticket_ends_with_the_key_that_sealed_it() throws Exception {
        KerberosKey leaked = KeytabAcceptors.key(kdcEntry);
        TokenMinter forger = new TokenMinter(leaked, kdcEntry.kvno(), Instant.now());
        forger.snameRealm = REALM;
        forger.sname = List.of("HTTP", "r.example.test");
        forger.crealm = REALM;
        forger.cname = List.of("administrator");
        forger.endtime = Instant.now().plus(3650, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        assertFalse(accepted(forger.header()).cachedTicket());
        forger.ticketCipherOverride = forger.lastTicketCipher;
        assertTrue(accepted(forger.header()).cachedTicket());

        replaceKeyAtSameKvno();

        refused(forger.header(), RejectReason.INTEGRITY);
        assertEquals(0, ticketCache.caffeine().estimatedSize(), "the old key's entries are evicted, not just missed");
    }

    /** The keytab re-exported with a new random key at the same kvno, replaced in one step; waits for the reload. */
    private void replaceKeyAtSameKvno() throws Exception {
        long before = watcher.reloadsOk();
        KeytabEntry replaced = new KeytabEntry(SERVICE, kdcEntry.nameType(), kdcEntry.timestamp() + 1,
                kdcEntry.kvno(), kdcEntry.enctype(),
                KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96).bytes());
        Path next = KeytabAcceptors.write(dir.resolve("next.keytab"), List.of(replaced));
        Files.move(next, keytab, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (watcher.reloadsOk() == before) {
            assertTrue(System.nanoTime() < deadline, "the watcher did not reload the replaced keytab within 5 s");
            Thread.sleep(10);
        }
        assertEquals(kdcEntry.kvno(), ring.current().kvnos(SERVICE).first(), "same kvno");
    }

    private static byte[] freshAuthenticator(byte[] token, KerberosKey serviceKey) {
        return new ApReqSurgery(token, serviceKey).editAuthenticator(e -> e.cusec = (e.cusec + 1) % 1_000_000)
                .token();
    }

    private Acceptance.Accepted accepted(String header) {
        Acceptance a = acceptor.authenticate(header, PEER);
        if (a instanceof Acceptance.Rejected r) {
            throw new AssertionError("refused: " + r.reason() + ": " + r.detail());
        }
        return (Acceptance.Accepted) a;
    }

    private void refused(String header, RejectReason expected) {
        Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class, acceptor.authenticate(header, PEER),
                "accepted after its key was replaced");
        assertEquals(expected, r.reason(), r.detail());
    }
}
