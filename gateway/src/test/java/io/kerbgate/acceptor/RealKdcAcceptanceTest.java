package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.initiator.GssMech;
import io.kerbgate.initiator.Negotiation;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.KerbyKdc;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.RunningProcess;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tickets from real KDCs through {@link SpnegoAcceptor}, with the very keytab file the KDC exported, read by
 * {@code KeytabFile} into a {@code KeyRing}: Kerby's embedded KDC for enctypes 17 and 18, MIT krb5 for 17 to 20.
 * Initiators are the JDK (SPNEGO and bare krb5 framing, mutual authentication on and off) and MIT's through
 * python-gssapi.
 *
 * <p>Beyond "accepted with the right names, kvno and enctype", feeding kerbgate's response token back to the
 * initiator proves the answer is right for real clients: the JDK's and MIT's initiators complete their context only
 * if the SPNEGO accept-completed token echoes the mech they chose and the AP-REP decrypts with the session key and
 * copies their ctime and cusec (RFC 4120 §5.5.2, RFC 4121 §4.1, RFC 4178 §4.2.2).
 */
final class RealKdcAcceptanceTest {
    private static final String KERBY_REALM = "KERBY.ACCEPT";
    private static final String MIT_REALM = "MIT.ACCEPT";
    private static final String PASSWORD = "alice-password";
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();
    private static final String PYTHON = "/usr/bin/python3";
    private static final Duration STEP = Duration.ofSeconds(15);

    @TempDir
    static Path tmp;
    private static KerbyKdc kerby;
    private static MitKdc mit;
    private static Path mitCcache;
    /** The exported keytab of each service principal. */
    private static final Map<String, Path> keytabs = new HashMap<>();

    @BeforeAll
    static void startKdcs() throws Exception {
        kerby = KerbyKdc.start(KERBY_REALM);
        kerby.createPrincipal("alice", PASSWORD);
        for (int enctype : new int[] {17, 18}) {
            createService(kerby, null, enctype);
        }
        if (MitKdc.isAvailable()) {
            mit = MitKdc.start(MIT_REALM);
            mit.createPrincipal("alice", PASSWORD);
            for (int enctype : new int[] {17, 18, 19, 20}) {
                createService(null, mit, enctype);
            }
            mitCcache = tmp.resolve("alice.ccache");
            mit.kinit("alice", PASSWORD, mitCcache);
        }
    }

    @AfterAll
    static void stopKdcs() throws Exception {
        if (mit != null) {
            mit.close();
        }
        if (kerby != null) {
            kerby.close();
        }
    }

    static List<Arguments> jdkInitiatorCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String kdc : List.of("kerby", "mit")) {
            for (int enctype : kdc.equals("kerby") ? new int[] {17, 18} : new int[] {17, 18, 19, 20}) {
                for (GssMech mech : GssMech.values()) {
                    for (boolean mutual : new boolean[] {true, false}) {
                        cases.add(Arguments.of(kdc, enctype, mech, mutual));
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} enctype {1} {2} mutual={3}")
    @MethodSource("jdkInitiatorCases")
    void jdkInitiator_isAccepted_andCompletesWithKerbgatesAnswer(String kdc, int enctype, GssMech mech,
            boolean mutual) throws Exception {
        boolean isMit = kdc.equals("mit");
        assumeTrue(!isMit || mit != null, MitKdc.NOT_INSTALLED);
        String realm = isMit ? MIT_REALM : KERBY_REALM;
        String service = service(isMit, enctype);
        Path krb5Conf = isMit ? mit.krb5Conf() : kerby.krb5Conf(enctype);
        SpnegoAcceptor acceptor = acceptor(service);

        try (GssClient client = GssClient.withPassword(krb5Conf, "alice", PASSWORD)) {
            Negotiation negotiation = client.negotiate(host(isMit, enctype), mech, mutual);
            Acceptance.Accepted a = accepted(acceptor.authenticate(negotiation.headerValue(), PEER));

            assertEquals("alice@" + realm, a.client());
            assertEquals(service, a.service());
            assertEquals(isMit ? mit.kvno(service) : 1, a.kvno(), "the kvno the KDC exported");
            assertEquals(enctype, a.enctype());
            assertFalse(a.cachedTicket());

            if (mech == GssMech.KRB5 && !mutual) {
                // RFC 4121: without mutual authentication the bare krb5 context is complete after the first token.
                assertTrue(negotiation.isEstablished());
                assertNull(a.responseToken(), "no AP-REP was asked for, and a bare krb5 context has nothing else");
                return;
            }
            // SPNEGO waits for accept-completed even without mutual authentication; krb5 with mutual for the AP-REP.
            assertFalse(negotiation.isEstablished(), "the initiator waits for the acceptor's answer");
            assertNotNull(a.responseToken());
            negotiation.complete(a.responseToken());
            assertTrue(negotiation.isEstablished(), "kerbgate's answer completes the JDK initiator's context");
        }
    }

    static List<Arguments> pythonCases() {
        List<Arguments> cases = new ArrayList<>();
        for (int enctype : new int[] {17, 18, 19, 20}) {
            for (String mech : List.of("spnego", "krb5")) {
                cases.add(Arguments.of(enctype, mech));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "MIT enctype {0} {1}")
    @MethodSource("pythonCases")
    void pythonGssapiInitiator_isAccepted_andCompletesWithKerbgatesAnswer(int enctype, String mech) {
        assumeTrue(mit != null, MitKdc.NOT_INSTALLED);
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "no " + PYTHON);
        String service = service(true, enctype);
        SpnegoAcceptor acceptor = acceptor(service);

        try (RunningProcess python = pythonClient("--target", "HTTP@" + hostName(true, enctype), "--mech", mech)) {
            String token = python.readLine(STEP);
            Acceptance.Accepted a = accepted(acceptor.authenticate("Negotiate " + token, PEER));
            assertEquals("alice@" + MIT_REALM, a.client());
            assertEquals(service, a.service());
            assertEquals(mit.kvno(service), a.kvno());
            assertEquals(enctype, a.enctype());

            assertNotNull(a.responseToken(), "mutual authentication was asked for: an AP-REP must come back");
            python.writeLine("Negotiate " + Base64.getEncoder().encodeToString(a.responseToken()));
            assertEquals("complete", python.readLine(STEP), python.stderr());
            assertEquals(0, python.await(STEP).exitCode());
        }
    }

    private static Acceptance.Accepted accepted(Acceptance a) {
        if (a instanceof Acceptance.Rejected r) {
            throw new AssertionError("refused: " + r.reason() + ": " + r.detail() + " " + r.facts());
        }
        return assertInstanceOf(Acceptance.Accepted.class, a);
    }

    private static SpnegoAcceptor acceptor(String service) {
        // startedAt in the past: the restart guard is DifferentialTest's subject, not this test's.
        return KeytabAcceptors.fromKeytab(keytabs.get(service), service,
                AcceptorPolicy.defaults(Instant.now().minus(Duration.ofHours(1))), Clock.systemUTC());
    }

    private static void createService(KerbyKdc kerbyKdc, MitKdc mitKdc, int enctype) throws Exception {
        boolean isMit = mitKdc != null;
        String service = service(isMit, enctype);
        Path keytab = tmp.resolve((isMit ? "mit-" : "kerby-") + enctype + ".keytab");
        if (isMit) {
            mitKdc.createServicePrincipalWithKeytab(service, keytab, enctype);
        } else {
            kerbyKdc.createServicePrincipalWithKeytab(service, keytab, enctype);
        }
        assertEquals(enctype, KeytabAcceptors.onlyEntry(keytab, service).enctype());
        keytabs.put(service, keytab);
    }

    private static String hostName(boolean isMit, int enctype) {
        return (isMit ? "m" : "k") + enctype + ".example.test";
    }

    private static String host(boolean isMit, int enctype) {
        return "HTTP@" + hostName(isMit, enctype);
    }

    private static String service(boolean isMit, int enctype) {
        return "HTTP/" + hostName(isMit, enctype) + "@" + (isMit ? MIT_REALM : KERBY_REALM);
    }

    private static RunningProcess pythonClient(String... args) {
        Path script;
        try {
            script = Path.of(RealKdcAcceptanceTest.class.getResource("/python/negotiate_client.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> argv = new ArrayList<>(List.of(PYTHON, script.toString()));
        argv.addAll(List.of(args));
        return Processes.command(argv).env(mit.clientEnv(mitCcache)).start();
    }
}
