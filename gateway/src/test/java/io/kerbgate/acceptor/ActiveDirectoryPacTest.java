package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.pac.Pac;
import io.kerbgate.pac.PacBuilder;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.SambaDc;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real PACs from a Samba AD DC (checklist item 23): alice's ticket for the ASA's SPN, opened with the ASA key from the
 * exported keytab, its PAC altered and the ticket sealed again, then fed to an acceptor with {@code acceptor.pac}.
 */
final class ActiveDirectoryPacTest {

    private static final String SERVICE = SambaDc.ARRAY_SPN + "@" + SambaDc.REALM;
    private static final AcceptorPolicy VERIFY =
            AcceptorPolicy.defaults(Instant.EPOCH).withPac(PacPolicy.VERIFY);

    @TempDir
    static Path dir;
    private static SambaDc dc;
    private static Path keytab;
    private static KerberosKey asaKey;
    private static GssClient alice;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(SambaDc.isAvailable(), SambaDc.NOT_AVAILABLE);
        dc = SambaDc.shared();
        keytab = dc.exportKeytabAs(SambaDc.ASA, SERVICE, dir.resolve("asa.keytab"));
        KeytabEntry aes256 = KeytabAcceptors.entries(keytab).stream().filter(e -> e.enctype() == 18).findFirst()
                .orElseThrow();
        asaKey = KeytabAcceptors.key(aes256);
        alice = GssClient.withPassword(dc.krb5Conf(), "alice@" + SambaDc.REALM, SambaDc.ALICE_PASSWORD);
    }

    private static byte[] token() throws Exception {
        return alice.negotiate(SERVICE, GssMech.SPNEGO, false).token();
    }

    private static Acceptance accept(byte[] token, AcceptorPolicy policy) {
        return KeytabAcceptors.fromKeytab(keytab, SERVICE, policy, Clock.systemUTC())
                .authenticate("Negotiate " + Base64.getEncoder().encodeToString(token), InetAddress.getLoopbackAddress());
    }

    /** alice's token with the PAC replaced by {@code edit(pac)}, the ticket sealed again with the ASA key. */
    private static byte[] withPac(UnaryOperator<byte[]> edit) throws Exception {
        return new ApReqSurgery(token(), asaKey).editTicket(t -> t.authorizationData =
                PacBuilder.ifRelevant(edit.apply(PacBuilder.find(t.authorizationData)))).token();
    }

    private static void assertPacInvalid(byte[] token, String detail) {
        Acceptance a = accept(token, VERIFY);
        Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class, a, "refused: " + a);
        assertEquals(RejectReason.PAC_INVALID, r.reason(), r.detail());
        assertTrue(r.detail().contains(detail), r.detail());
    }

    @Test
    void realPac_verifies_andCarriesWebUsersSid() throws Exception {
        Acceptance.Accepted a = assertInstanceOf(Acceptance.Accepted.class, accept(token(), VERIFY));
        assertEquals("alice@" + SambaDc.REALM, a.client());
        assertTrue(a.groups().contains(dc.sid("web-users", true)), a.groups().toString());
        assertTrue(a.groups().contains(dc.sid("Domain Users", true)), a.groups().toString());
        assertTrue(a.groups().stream().noneMatch(g -> g.equals(dc.sid("alice", false))), "user SID is not a group");
    }

    @Test
    void aNameTypedInAnotherCase_isSpelledAsTheDirectorySpellsIt_withThePac() throws Exception {
        // AD finds ALICE's account and names the client as typed; the PAC's logon info has the account's own name.
        GssClient shouting = GssClient.withPassword(dc.krb5Conf(), "ALICE@" + SambaDc.REALM, SambaDc.ALICE_PASSWORD);
        byte[] token = shouting.negotiate(SERVICE, GssMech.SPNEGO, false).token();
        assertEquals(List.of("ALICE"), new ApReqSurgery(token, asaKey).ticketPart().cname().components());

        Acceptance.Accepted withPac = assertInstanceOf(Acceptance.Accepted.class, accept(token, VERIFY));
        byte[] another = shouting.negotiate(SERVICE, GssMech.SPNEGO, false).token();
        Acceptance.Accepted withoutPac = assertInstanceOf(Acceptance.Accepted.class,
                accept(another, AcceptorPolicy.defaults(Instant.EPOCH)));

        assertEquals("alice@" + SambaDc.REALM, withPac.client(), "one account, one name");
        assertEquals("ALICE@" + SambaDc.REALM, withoutPac.client(), "without the PAC, no other spelling to go by");
    }

    @Test
    void pacOff_ignoresThePac_andYieldsNoGroups() throws Exception {
        byte[] tampered = withPac(p -> flip(p, p.length / 2));
        Acceptance.Accepted a = assertInstanceOf(Acceptance.Accepted.class,
                accept(tampered, AcceptorPolicy.defaults(Instant.EPOCH)));
        assertEquals(List.of(), a.groups());
    }

    @Test
    void aFlippedByteInThePac_isRefused() throws Exception {
        Pac pac = Pac.parse(PacBuilder.find(new ApReqSurgery(token(), asaKey).ticketPart().authorizationData()));
        Pac.Buffer logon = pac.buffer(Pac.LOGON_INFO).orElseThrow();
        assertPacInvalid(withPac(p -> flip(p, logon.offset() + logon.size() / 2)), "does not verify");
    }

    @Test
    void anUnkeyedServerChecksum_isRefused() throws Exception {
        assertPacInvalid(withPac(p -> {
            int at = parse(p).buffer(Pac.SERVER_CHECKSUM).orElseThrow().offset();
            return PacBuilder.putU32(p, at, 7); // rsa-md5, unkeyed: the MS14-068 forgery
        }), "unkeyed");
    }

    @Test
    void twoPacs_areRefused() throws Exception {
        byte[] token = new ApReqSurgery(token(), asaKey).editTicket(t -> {
            byte[] pac = PacBuilder.find(t.authorizationData);
            t.authorizationData = PacBuilder.ifRelevant(pac, pac);
        }).token();
        assertPacInvalid(token, "2 PACs");
    }

    @Test
    void aBufferOffsetPastTheEnd_isRefused() throws Exception {
        assertPacInvalid(withPac(p -> PacBuilder.putU32(p, 8 + 8, p.length + 8L)), "past the end");
    }

    @Test
    void clientInfoNamingAnotherUser_isRefused_evenWithAGoodServerSignature() throws Exception {
        assertPacInvalid(withPac(p -> {
            Pac pac = parse(p);
            Pac.Buffer info = pac.buffer(Pac.CLIENT_INFO).orElseThrow();
            byte[] b = pac.bytes();
            // "alice" -> "alicf": same length, so the layout holds; then signed again with the ASA key.
            b[info.offset() + 10 + 8] += 1;
            return PacBuilder.sign(b, asaKey, KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96));
        }), "names 'alicf'");
    }

    @Test
    void aPacResignedWithTheAsaKey_isAccepted_theKeytabIsTheCrownJewel() throws Exception {
        // Whoever holds the keytab can forge any PAC: here a group the DC never granted, and the gateway believes it.
        byte[] token = withPac(p -> PacBuilder.sign(p, asaKey, KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96)));
        assertInstanceOf(Acceptance.Accepted.class, accept(token, VERIFY));
    }

    private static Pac parse(byte[] p) {
        try {
            return Pac.parse(p);
        } catch (io.kerbgate.pac.PacException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] flip(byte[] b, int at) {
        byte[] out = b.clone();
        out[at] ^= 0x01;
        return out;
    }

}
