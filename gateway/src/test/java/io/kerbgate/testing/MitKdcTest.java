package io.kerbgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.initiator.GssMech;
import io.kerbgate.initiator.Negotiation;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class MitKdcTest {

    private static final String REALM = "MIT.TEST";
    private static final int KRB_AP_ERR_BADKEYVER = 44;

    @TempDir
    static Path tmp;
    private static MitKdc kdc;

    @BeforeAll
    static void startKdc() {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        kdc = MitKdc.start(REALM);
        kdc.createPrincipal("alice", "alice-password");
    }

    @AfterAll
    static void stopKdc() {
        if (kdc != null) {
            kdc.close();
        }
    }

    @Test
    void kinit_putsATgtInTheCcacheThatKlistShows() {
        Path ccache = tmp.resolve("kinit.ccache");
        kdc.kinit("alice", "alice-password", ccache);

        String klist = Processes.command("/usr/bin/klist", "-c", ccache.toString()).env(kdc.clientEnv(ccache)).run().stdout();
        assertTrue(klist.contains("Default principal: alice@" + REALM), klist);
        assertTrue(klist.contains("krbtgt/" + REALM + "@" + REALM), klist);
    }

    @Test
    void kinit_withAWrongPassword_failsWithKinitsMessage() {
        Processes.Failure failure = assertThrows(Processes.Failure.class,
                () -> kdc.kinit("alice", "not-the-password", tmp.resolve("wrong.ccache")));
        assertTrue(failure.getMessage().contains("Password incorrect"), failure.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {17, 18, 19, 20})
    void ticketOfEachEnctype_isAcceptedByTheJdkWithTheMitKeytab(int enctype) throws Exception {
        String host = "e" + enctype + ".example.test";
        String service = "HTTP/" + host + "@" + REALM;
        Path keytab = tmp.resolve("e" + enctype + ".keytab");
        kdc.createServicePrincipalWithKeytab(service, keytab, enctype);
        assertEquals(enctype, KerbyKdcTest.onlyKeyType(keytab, service));

        try (GssClient client = GssClient.withPassword(kdc.krb5Conf(), "alice", "alice-password")) {
            Negotiation negotiation = client.negotiate("HTTP@" + host, GssMech.SPNEGO, true);
            GssAcceptorOracle.Verdict verdict = new GssAcceptorOracle(kdc.krb5Conf(), keytab, service)
                    .verdict(negotiation.token());

            GssAcceptorOracle.Accepted accepted = assertInstanceOf(GssAcceptorOracle.Accepted.class, verdict);
            assertEquals("alice@" + REALM, accepted.client());
            negotiation.complete(accepted.responseToken());
            assertTrue(negotiation.isEstablished());
        }
    }

    @Test
    void randomizeKey_bumpsTheKvno_andOnlyAKeytabWithTheNewKeyAcceptsNewTickets() throws Exception {
        String service = "HTTP/roll.example.test@" + REALM;
        Path before = tmp.resolve("roll-kvno1.keytab");
        Path after = tmp.resolve("roll-kvno1-2.keytab");
        kdc.createServicePrincipalWithKeytab(service, before, 18);
        kdc.exportKeytab(service, after);
        assertEquals(1, kdc.kvno(service));

        assertEquals(2, kdc.randomizeKey(service, 18));
        kdc.exportKeytab(service, after);

        try (GssClient client = GssClient.withPassword(kdc.krb5Conf(), "alice", "alice-password")) {
            GssAcceptorOracle.Rejected stale = assertInstanceOf(GssAcceptorOracle.Rejected.class,
                    new GssAcceptorOracle(kdc.krb5Conf(), before, service)
                            .verdict(client.negotiate(service, GssMech.SPNEGO, false).token()));
            // JDK 17 reports the failed decryption as such; later JDKs say KRB_AP_ERR_BADKEYVER when the kvno differs.
            assertTrue(stale.krbErrorCode().equals(OptionalInt.of(KRB_AP_ERR_BADKEYVER))
                    || stale.message().contains("Checksum failed"), stale.toString());
            assertInstanceOf(GssAcceptorOracle.Accepted.class, new GssAcceptorOracle(kdc.krb5Conf(), after, service)
                    .verdict(client.negotiate(service, GssMech.SPNEGO, false).token()));
        }
    }

    @Test
    void changePassword_bumpsTheKvno_andTheNewPasswordLogsIn() throws Exception {
        kdc.createPrincipal("bob", "bob-password-1");
        assertEquals(2, kdc.changePassword("bob", "bob-password-2"));

        kdc.kinit("bob", "bob-password-2", tmp.resolve("bob.ccache"));
        assertThrows(Processes.Failure.class, () -> kdc.kinit("bob", "bob-password-1", tmp.resolve("bob-old.ccache")));
        GssClient.withPassword(kdc.krb5Conf(), "bob", "bob-password-2").close();
    }

    @Test
    void kadminArguments_areOnePlainWord() {
        assertThrows(IllegalArgumentException.class, () -> kdc.createPrincipal("carol", "two words"));
        assertFalse(kdc.kadmin("listprincs").contains("carol"));
    }
}
