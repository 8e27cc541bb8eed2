package io.kerbgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.initiator.GssMech;
import io.kerbgate.initiator.Negotiation;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Base64;
import javax.security.auth.kerberos.KerberosKey;
import javax.security.auth.kerberos.KerberosPrincipal;
import javax.security.auth.kerberos.KeyTab;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.Oid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class KerbyKdcTest {

    private static final String REALM = "KERBY.TEST";
    private static final String SERVICE = "HTTP/array.example.test@" + REALM;
    private static final String TARGET = "HTTP@array.example.test";

    @TempDir
    static Path tmp;
    private static KerbyKdc kdc;

    @BeforeAll
    static void startKdc() throws Exception {
        kdc = KerbyKdc.start(REALM);
        kdc.createPrincipal("alice", "alice-password");
    }

    @AfterAll
    static void stopKdc() throws Exception {
        if (kdc != null) {
            kdc.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {17, 18})
    void ticketOfEachEnctype_isAcceptedByTheJdkWithTheExportedKeytab(int enctype) throws Exception {
        String service = "HTTP/e" + enctype + ".example.test@" + REALM;
        Path keytab = tmp.resolve("e" + enctype + ".keytab");
        kdc.createServicePrincipalWithKeytab(service, keytab, enctype);
        Path krb5Conf = kdc.krb5Conf(enctype);

        assertEquals(enctype, onlyKeyType(keytab, service), "the keytab holds one key, of the enctype asked for");
        try (GssClient client = GssClient.withPassword(krb5Conf, "alice", "alice-password")) {
            Negotiation negotiation = client.negotiate("HTTP@e" + enctype + ".example.test", GssMech.SPNEGO, true);
            assertEquals(GssMech.SPNEGO.oid(), framedMech(negotiation.token()));
            GssAcceptorOracle.Verdict verdict = new GssAcceptorOracle(krb5Conf, keytab, service).verdict(negotiation.token());

            GssAcceptorOracle.Accepted accepted = assertInstanceOf(GssAcceptorOracle.Accepted.class, verdict);
            assertEquals("alice@" + REALM, accepted.client());
            assertTrue(accepted.mutual());
            assertFalse(negotiation.isEstablished(), "mutual authentication waits for the server's answer");
            negotiation.complete(accepted.responseToken());
            assertTrue(negotiation.isEstablished(), "the AP-REP from the JDK acceptor completes the client's context");
        }
    }

    @Test
    void rawKrb5Token_withoutMutualAuth_isEstablishedAtOnceAndAccepted() throws Exception {
        Path keytab = tmp.resolve("raw.keytab");
        kdc.createServicePrincipalWithKeytab(SERVICE, keytab, 18, 17);
        try (GssClient client = GssClient.withPassword(kdc.krb5Conf(), "alice", "alice-password")) {
            Negotiation negotiation = client.negotiate(SERVICE, GssMech.KRB5, false);
            assertTrue(negotiation.isEstablished());
            assertEquals(GssMech.KRB5.oid(), framedMech(negotiation.token()), "GSS framing with the krb5 mech OID");

            GssAcceptorOracle.Verdict verdict = new GssAcceptorOracle(kdc.krb5Conf(), keytab, SERVICE)
                    .verdict(negotiation.token());
            GssAcceptorOracle.Accepted accepted = assertInstanceOf(GssAcceptorOracle.Accepted.class, verdict);
            assertFalse(accepted.mutual());
            assertEquals(0, accepted.responseToken().length, "no AP-REP when none was asked for");
        }
    }

    @Test
    void sameTokenTwice_isAReplayToTheOracle_andFreshTokensAreNot() throws Exception {
        Path keytab = tmp.resolve("replay.keytab");
        String service = "HTTP/replay.example.test@" + REALM;
        kdc.createServicePrincipalWithKeytab(service, keytab, 18);
        GssAcceptorOracle oracle = new GssAcceptorOracle(kdc.krb5Conf(), keytab, service);
        assertEquals("memory", JdkKrb5.replayCacheType(), "the JDK's default: replays are caught within this JVM");
        try (GssClient client = GssClient.withPassword(kdc.krb5Conf(), "alice", "alice-password")) {
            byte[] token = client.negotiate("HTTP@replay.example.test", GssMech.SPNEGO, false).token();

            assertInstanceOf(GssAcceptorOracle.Accepted.class, oracle.verdict(token));
            GssAcceptorOracle.Rejected again = assertInstanceOf(GssAcceptorOracle.Rejected.class, oracle.verdict(token));
            assertTrue(again.isReplay(), again.toString());
            for (String header : client.headers("HTTP@replay.example.test", GssMech.SPNEGO, 20)) {
                byte[] fresh = Base64.getDecoder().decode(header.substring("Negotiate ".length()));
                assertInstanceOf(GssAcceptorOracle.Accepted.class, oracle.verdict(fresh));
            }
        }
    }

    @Test
    void clientLoggedInFromAnExportedKeytab_makesTokensTheOracleAccepts() throws Exception {
        String service = "HTTP/kt.example.test@" + REALM;
        Path serviceKeytab = tmp.resolve("kt-service.keytab");
        Path clientKeytab = tmp.resolve("kt-client.keytab");
        kdc.createServicePrincipalWithKeytab(service, serviceKeytab, 18);
        kdc.createPrincipal("bob", "bob-password");
        kdc.exportKeytab("bob", clientKeytab);

        try (GssClient client = GssClient.withKeytab(kdc.krb5Conf(), "bob@" + REALM, clientKeytab)) {
            String header = client.header("HTTP@kt.example.test");
            assertTrue(header.startsWith("Negotiate "), header);
            GssAcceptorOracle.Verdict verdict = new GssAcceptorOracle(kdc.krb5Conf(), serviceKeytab, service)
                    .verdict(Base64.getDecoder().decode(header.substring("Negotiate ".length())));
            assertEquals("bob@" + REALM, assertInstanceOf(GssAcceptorOracle.Accepted.class, verdict).client());
        }
    }

    @Test
    void keytabOfAnotherService_isRejected() throws Exception {
        Path right = tmp.resolve("right.keytab");
        Path wrong = tmp.resolve("wrong.keytab");
        kdc.createServicePrincipalWithKeytab("HTTP/right.example.test", right, 18);
        kdc.createServicePrincipalWithKeytab("HTTP/wrong.example.test", wrong, 18);
        try (GssClient client = GssClient.withPassword(kdc.krb5Conf(), "alice", "alice-password")) {
            byte[] token = client.negotiate("HTTP@right.example.test", GssMech.SPNEGO, false).token();
            GssAcceptorOracle.Verdict verdict = new GssAcceptorOracle(kdc.krb5Conf(), wrong,
                    "HTTP/wrong.example.test@" + REALM).verdict(token);
            assertInstanceOf(GssAcceptorOracle.Rejected.class, verdict);
        }
    }

    @Test
    void kerbyHasNoRfc8009_soEnctypes19And20AreRefused() {
        assertTrue(KerbyKdc.canIssue(17));
        assertTrue(KerbyKdc.canIssue(18));
        assertFalse(KerbyKdc.canIssue(19));
        assertFalse(KerbyKdc.canIssue(20));
        assertThrows(IllegalArgumentException.class,
                () -> kdc.createServicePrincipalWithKeytab("HTTP/sha2.example.test", tmp.resolve("sha2.keytab"), 19));
        assertThrows(IllegalArgumentException.class, () -> kdc.krb5Conf(20));
    }

    /** The mech OID of an RFC 2743 §3.1 token: {@code 0x60 <DER length> <OID> ...}. */
    static Oid framedMech(byte[] token) throws GSSException {
        assertEquals(0x60, token[0] & 0xff, "GSS initial context token");
        int lengthOctets = (token[1] & 0x80) == 0 ? 0 : token[1] & 0x7f;
        int offset = 2 + lengthOctets;
        return new Oid(new ByteArrayInputStream(token, offset, token.length - offset));
    }

    static int onlyKeyType(Path keytab, String principal) {
        KerberosKey[] keys = KeyTab.getInstance(keytab.toFile()).getKeys(new KerberosPrincipal(principal));
        assertEquals(1, keys.length, "keys of " + principal + " in " + keytab);
        return keys[0].getKeyType();
    }
}
