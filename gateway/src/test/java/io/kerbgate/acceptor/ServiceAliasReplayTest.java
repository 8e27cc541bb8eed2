package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.messages.PrincipalName;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.KerbyKdc;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11 item 4: a token is accepted once, whatever its cleartext says. The ticket's sname, realm and kvno are outside
 * its encrypted part, so when two keytab principals share a key (an Active Directory account with several SPNs) anyone
 * can relabel a captured token for the other name. Neither the replay cache nor the ticket cache may key on them.
 * Real tickets from Kerby's KDC; the alias is the same key under a second name, as {@code ktpass} or
 * {@code msktutil} write it.
 */
final class ServiceAliasReplayTest {
    private static final String REALM = "ALIAS.TEST";
    private static final String PASSWORD = "alice-password";
    private static final String A = "HTTP/a.example.test@" + REALM;
    private static final String B = "HTTP/b.example.test@" + REALM;
    private static final PrincipalName B_NAME =
            new PrincipalName(PrincipalName.NT_SRV_INST, List.of("HTTP", "b.example.test"));
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    @TempDir
    static Path tmp;
    private static KerbyKdc kdc;
    private static KeytabEntry aEntry;

    @BeforeAll
    static void startKdc() throws Exception {
        kdc = KerbyKdc.start(REALM);
        kdc.createPrincipal("alice", PASSWORD);
        Path keytab = tmp.resolve("a.keytab");
        kdc.createServicePrincipalWithKeytab(A, keytab, 18);
        aEntry = KeytabAcceptors.onlyEntry(keytab, A);
    }

    @AfterAll
    static void stopKdc() throws Exception {
        kdc.close();
    }

    @Test
    void replay_relabelled_for_an_alias_sharing_the_key_is_refused() throws Exception {
        SpnegoAcceptor acceptor = acceptor(aEntry, alias(aEntry, B, aEntry.key()));
        byte[] token = realToken();

        Acceptance.Accepted first = accepted(acceptor.authenticate(TokenMinter.header(token), PEER));
        assertEquals(A, first.service());

        byte[] relabelled = new ApReqSurgery(token, KeytabAcceptors.key(aEntry)).ticketSname(B_NAME).token();
        Acceptance.Rejected replay = assertInstanceOf(Acceptance.Rejected.class,
                acceptor.authenticate(TokenMinter.header(relabelled), PEER), "the same authenticator, relabelled");
        assertEquals(RejectReason.REPLAY, replay.reason(), replay.detail());
    }

    @Test
    void replay_relabelled_in_either_direction_or_kvno_is_refused() throws Exception {
        SpnegoAcceptor acceptor = acceptor(aEntry, alias(aEntry, B, aEntry.key()));
        byte[] token = realToken();
        byte[] relabelled = new ApReqSurgery(token, KeytabAcceptors.key(aEntry)).ticketSname(B_NAME).token();
        accepted(acceptor.authenticate(TokenMinter.header(relabelled), PEER));
        List<byte[]> variants = new ArrayList<>();
        variants.add(token);
        // No kvno in clear: the newest key of the enctype is the same key.
        variants.add(new ApReqSurgery(token, KeytabAcceptors.key(aEntry)).ticketKvno(-1).token());
        for (byte[] variant : variants) {
            Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class,
                    acceptor.authenticate(TokenMinter.header(variant), PEER));
            assertEquals(RejectReason.REPLAY, r.reason(), r.detail());
        }
    }

    @Test
    void ticket_cache_does_not_answer_for_a_principal_whose_key_differs() throws Exception {
        byte[] other = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96).bytes();
        SpnegoAcceptor acceptor = acceptor(aEntry, alias(aEntry, B, other));
        byte[] token = realToken();
        assertFalse(accepted(acceptor.authenticate(TokenMinter.header(token), PEER)).cachedTicket());

        // The cached ticket with a fresh authenticator, relabelled for B, whose key cannot open it.
        byte[] relabelled = new ApReqSurgery(token, KeytabAcceptors.key(aEntry))
                .editAuthenticator(e -> e.cusec = (e.cusec + 1) % 1_000_000).ticketSname(B_NAME).token();
        Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class,
                acceptor.authenticate(TokenMinter.header(relabelled), PEER));
        assertEquals(RejectReason.INTEGRITY, r.reason(), r.detail());
    }

    @Test
    void ticket_cache_may_answer_for_an_alias_with_the_same_key() throws Exception {
        SpnegoAcceptor acceptor = acceptor(aEntry, alias(aEntry, B, aEntry.key()));
        byte[] token = realToken();
        accepted(acceptor.authenticate(TokenMinter.header(token), PEER));
        byte[] relabelled = new ApReqSurgery(token, KeytabAcceptors.key(aEntry))
                .editAuthenticator(e -> e.cusec = (e.cusec + 1) % 1_000_000).ticketSname(B_NAME).token();
        // The same key would decrypt it to the same ticket: a hit changes nothing but the cost.
        Acceptance.Accepted a = accepted(acceptor.authenticate(TokenMinter.header(relabelled), PEER));
        assertTrue(a.cachedTicket());
        assertEquals("alice@" + REALM, a.client());
    }

    private static byte[] realToken() throws Exception {
        try (GssClient client = GssClient.withPassword(kdc.krb5Conf(18), "alice", PASSWORD)) {
            return client.negotiate("HTTP@a.example.test", GssMech.SPNEGO, true).token();
        }
    }

    private static KeytabEntry alias(KeytabEntry of, String principal, byte[] key) {
        return new KeytabEntry(principal, of.nameType(), of.timestamp(), of.kvno(), of.enctype(), key);
    }

    private static SpnegoAcceptor acceptor(KeytabEntry... entries) throws KeytabException {
        Clock clock = Clock.systemUTC();
        KeyRing ring = new KeyRing(List.of(A, B), Duration.ofHours(10), clock);
        ring.update(List.of(entries));
        ApReqVerifier verifier = new ApReqVerifier(AcceptorPolicy.defaults(Instant.now().minus(Duration.ofHours(1))),
                clock, new LocalReplayCache(10_000, Ticker.systemTicker()), new TicketCache(1_000,
                Ticker.systemTicker()));
        return new SpnegoAcceptor(ring::current, verifier, KeytabAcceptors.MAX_TOKEN_BYTES);
    }

    private static Acceptance.Accepted accepted(Acceptance a) {
        if (a instanceof Acceptance.Rejected r) {
            throw new AssertionError("refused: " + r.reason() + ": " + r.detail());
        }
        return (Acceptance.Accepted) a;
    }
}
