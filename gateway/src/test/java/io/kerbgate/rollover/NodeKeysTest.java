package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.Kerbgate;
import io.kerbgate.cli.KeysToolFactory;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.keys.KeysReport;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.rollover.node.AdminApiNode;
import io.kerbgate.rollover.node.AdminAuth;
import io.kerbgate.rollover.node.AdminTransport;
import io.kerbgate.testing.FreePorts;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.JdkKrb5;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12, the node's side of the shared key, on a real MIT KDC with real gateways on loopback ports: keys sent
 * over TLS only (the node's certificate verified by the tool against {@code admin_ca}, the tool's client certificate
 * verified by the node), kept in the node's own state directory, a node that starts before it has keys, grace that
 * survives restarts, a pinned identity, and {@code keys status} asking every gateway.
 *
 * <p>The tests run in order on one node, {@code node1}: it starts empty, {@code keys init} gives it its first key,
 * a roll its second, a retire ends the first.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class NodeKeysTest {

    private static final String REALM = "ARRAY.TEST";
    private static final String SPN = "HTTP/nodekeys.example.test@" + REALM;
    private static final String ALICE = "alice@" + REALM;
    private static final String WRITER_CERT = "kerbgate-keys";
    /** The node's own grace: short, so that a test sees a retired kvno leave; long enough to outlive a restart. */
    private static final Duration NODE_GRACE = Duration.ofSeconds(8);

    @TempDir
    static Path dir;

    private static MitKdc kdc;
    private static EchoBackend backend;
    private static TestCertificates.Ca ca;
    private static TestCertificates.Pair server;
    private static TestCertificates.Pair client;
    private static Path stateDir;
    private static Path arrayFile;
    private static int adminPort;
    private static int frontPort;
    private static Kerbgate node;
    private static GssClient aliceFirst;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        kdc = MitKdc.start(REALM);
        kdc.createPrincipal(ALICE, "alice-pw");
        kdc.createPrincipal(ArrayFixture.CHECK_CLIENT, "check-pw");
        Path checkKeytab = dir.resolve("rollcheck.keytab");
        kdc.exportKeytab(ArrayFixture.CHECK_CLIENT, checkKeytab);
        ca = TestCertificates.ca(Files.createDirectories(dir.resolve("pki")), "Node Keys Test CA");
        server = ca.issue("node1-admin", 11, "DNS:localhost", "IP:127.0.0.1");
        client = ca.issueClient(WRITER_CERT, 12);
        backend = EchoBackend.start("backend");
        stateDir = dir.resolve("node1/state");
        Files.createDirectories(dir.resolve("node1"));
        adminPort = FreePorts.tcp();
        frontPort = FreePorts.tcp();
        arrayFile = Files.writeString(dir.resolve("array.yaml"), "principal: " + SPN + "\n"
                + "enctypes: [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96]\n"
                + "kdc: {type: mit, kadmin: local}\n"
                + "nodes:\n  - {name: node1, admin: \"https://localhost:" + adminPort + "\", front: "
                + "\"http://127.0.0.1:" + frontPort + "/\"}\n"
                + "grace: 1s\nverify_timeout: 10s\n"
                + "check: {client: " + ArrayFixture.CHECK_CLIENT + ", keytab: " + checkKeytab + "}\n"
                + "admin_ca: " + ca.pair().cert() + "\n"
                + "admin_client_cert: " + client.cert() + "\nadmin_client_key: " + client.key() + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {node, backend, kdc}) {
            if (c != null) {
                c.close();
            }
        }
        if (aliceFirst != null) {
            aliceFirst.close();
        }
    }

    /** node1: no keytab of its own, a state directory, TLS on the admin listener, writers by certificate only. */
    private static Kerbgate startNode() throws Exception {
        return Kerbgate.start(ConfigLoader.parse("listen: 127.0.0.1:" + frontPort + "\n"
                + "backends: [http://127.0.0.1:" + backend.port() + "]\n"
                + "keys:\n  poll_interval: 200ms\n  grace: " + NODE_GRACE.toSeconds() + "s\n  state_dir: " + stateDir + "\n"
                + "admin:\n  listen: 127.0.0.1:" + adminPort + "\n"
                + "  tls: {cert: " + server.cert() + ", key: " + server.key() + ", client_ca: " + ca.pair().cert() + "}\n"
                + "  key_writer_certificates: [\"CN=" + WRITER_CERT + "\"]\n"
                + "acceptor:\n  replay_cache_file: " + dir.resolve("node1/replay.cache") + "\n", dir));
    }

    private static void restartNode() throws Exception {
        node.close();
        node = startNode();
    }

    @Test
    @Order(1)
    void aNodeWithoutKeys_listens_answers503_andIsReadyAfterKeysInit_sentOverTlsWithAClientCertificate()
            throws Exception {
        node = startNode();

        HttpResponse<String> readyz = admin("GET", "/readyz");
        HttpResponse<String> front = front(null);

        assertEquals(503, readyz.statusCode());
        assertTrue(readyz.body().contains("no keys yet: install them with kerbgate keys init"), readyz.body());
        assertEquals(503, front.statusCode(), "not 401: no credentials would help");
        assertFalse(front.headers().firstValue("WWW-Authenticate").isPresent());

        Run init = tool(t -> t.init(List.of()));

        assertEquals(0, init.exit(), init.output());
        assertEquals(1, kdc.kvno(SPN));
        assertEquals(200, admin("GET", "/readyz").statusCode());
        aliceFirst = GssClient.withPassword(kdc.krb5Conf(), ALICE, "alice-pw");
        assertEquals(200, front(aliceFirst.header(SPN)).statusCode(), "a real kvno 1 ticket");
        for (String file : List.of("keys.keytab", "accepted.keytab", "accepted.json")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir.resolve(file))),
                    file);
        }
        assertTrue(Files.readString(stateDir.resolve("accepted.json")).contains("\"pinned_principals\" : [ \"" + SPN),
                Files.readString(stateDir.resolve("accepted.json")));
    }

    @Test
    @Order(2)
    void aNodeRestartedAfterARoll_acceptsThePreviousKvno() throws Exception {
        Run roll = tool(KeysTool::roll);
        assertEquals(0, roll.exit(), roll.output());
        assertEquals(2, kdc.kvno(SPN));

        restartNode();

        assertEquals(200, admin("GET", "/readyz").statusCode());
        assertEquals(200, front(aliceFirst.header(SPN)).statusCode(), "alice's kvno 1 ticket, after the restart");
        try (GssClient fresh = GssClient.withPassword(kdc.krb5Conf(), ALICE, "alice-pw")) {
            assertEquals(200, front(fresh.header(SPN)).statusCode(), "a kvno 2 ticket");
        }
    }

    @Test
    @Order(3)
    void afterRetire_theGraceDeadlineSurvivesARestart_thenTheKvnoIsRefused_andNoRestartRevivesIt() throws Exception {
        Thread.sleep(1_100); // the array file's grace since the commit
        Run retire = tool(KeysTool::retire);
        assertEquals(0, retire.exit(), retire.output());
        Instant deadline = report().version(SPN, 1).orElseThrow().retiresAt();

        restartNode();

        KeysReport.Version one = report().version(SPN, 1).orElseThrow();
        assertTrue(one.inGrace(), one.toString());
        assertEquals(deadline, one.retiresAt(), "the deadline was kept, not restarted");
        assertEquals(200, front(aliceFirst.header(SPN)).statusCode(), "still in grace after the restart");

        Thread.sleep(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()) + 600);
        assertEquals(401, front(aliceFirst.header(SPN)).statusCode(), "its grace is over");
        restartNode();
        assertEquals(401, front(aliceFirst.header(SPN)).statusCode(), "a restart does not bring kvno 1 back");
        assertTrue(report().version(SPN, 1).isEmpty());
    }

    @Test
    @Order(4)
    void keyWrites_overPlainHttpFromOutsideTheTrustedNetworks_areRefused_andTheToolRefusesToSendThem()
            throws Exception {
        Path plainState = dir.resolve("plain/state");
        Kerbgate plain = Kerbgate.start(ConfigLoader.parse("listen: 127.0.0.1:0\n"
                + "backends: [http://127.0.0.1:" + backend.port() + "]\n"
                + "keys:\n  state_dir: " + plainState + "\n"
                + "admin:\n  listen: 127.0.0.1:0\n  key_writers: [keyadmin@" + REALM + "]\n"
                + "  plain_key_writes_from: []\n", dir));
        try {
            HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + plain.adminPort() + "/keys"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(KeytabFile.write(entries(SPN, 9)))).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(403, put.statusCode());
            assertTrue(put.body().startsWith("key writes over plain HTTP are refused from 127.0.0.1"), put.body());
            assertFalse(Files.exists(plainState.resolve("keys.keytab")));
        } finally {
            plain.close();
        }

        AdminApiNode remote = new AdminApiNode("far", URI.create("http://192.0.2.7:9090"), null,
                HttpClient.newHttpClient(), AdminAuth.none(), Duration.ofSeconds(1));
        NodeException refused = assertThrows(NodeException.class, () -> remote.install(entries(SPN, 9)));
        assertTrue(refused.getMessage().contains("refusing PUT /keys to http://192.0.2.7:9090: plain HTTP"),
                refused.getMessage());
    }

    @Test
    @Order(5)
    void overTls_aWriteWithoutAListedCertificate_isRefused() throws Exception {
        HttpClient https = AdminTransport.httpClient(new ArrayConfig(dir.resolve("x.yaml"), SPN, List.of(),
                new ArrayConfig.KerbyKdc(), List.of(), Duration.ZERO, Duration.ZERO, null, null,
                new ArrayConfig.AdminTls(ca.pair().cert(), null, null)));
        HttpResponse<String> put = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + adminPort
                        + "/keys")).PUT(HttpRequest.BodyPublishers.ofByteArray(KeytabFile.write(entries(SPN, 9)))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(403, put.statusCode(), put.body());
        assertTrue(put.body().startsWith("present a client certificate listed in admin.key_writer_certificates"),
                put.body());
    }

    @Test
    @Order(6)
    void aWrongPrincipalsKeytab_isRefusedLoudly_theMetricMoves_andThePinSurvivesARestart() throws Exception {
        Path keytab = dir.resolve("wrong/http.keytab");
        Files.createDirectories(keytab.getParent());
        KeytabFile.writeAtomically(keytab, entries("HTTP/mine.example.test@" + REALM, 3));
        String config = "listen: 127.0.0.1:0\nkeytab: " + keytab + "\nprincipals: []\n"
                + "backends: [http://127.0.0.1:" + backend.port() + "]\n"
                + "keys:\n  poll_interval: 200ms\n  state_dir: " + dir.resolve("wrong/state") + "\n"
                + "admin:\n  listen: 127.0.0.1:0\n";
        Kerbgate gw = Kerbgate.start(ConfigLoader.parse(config, dir));
        try {
            KeytabFile.writeAtomically(keytab, entries("HTTP/other-service.example.test@" + REALM, 3));
            // The two counters move one after the other: wait for both, so neither is read before it moved.
            Predicate<String> refused = m -> m.contains("kerbgate_keytab_identity_refusals_total 1.0")
                    && m.matches("(?s).*\nkerbgate_keytab_reloads_total\\{result=\"failed\",?} 1\\.0\n.*");
            String metrics = "";
            for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end; Thread.sleep(100)) {
                metrics = plainAdmin(gw, "/metrics");
                if (refused.test(metrics)) {
                    break;
                }
            }
            assertTrue(refused.test(metrics), metrics);
            String keys = plainAdmin(gw, "/keys");
            assertTrue(keys.contains("HTTP/mine.example.test") && !keys.contains("other-service"), keys);
        } finally {
            gw.close();
        }
        // The pin is in the state directory: a restart with the other keytab in place refuses to start on it.
        KeytabException e = assertThrows(KeytabException.class, () -> Kerbgate.start(ConfigLoader.parse(config, dir)));
        assertTrue(e.isIdentityMismatch(), e.getMessage());
        assertTrue(e.getMessage().contains("no key for acceptor principal(s) HTTP/mine.example.test@" + REALM),
                e.getMessage());
    }

    @Test
    @Order(7)
    void keysStatus_asksEachGateway_andReportsAStoppedOneAsDown() throws Exception {
        int deadPort = FreePorts.tcp();
        Path withDead = Files.writeString(dir.resolve("array-status.yaml"), Files.readString(arrayFile).replace(
                "nodes:\n", "nodes:\n  - {name: node2, admin: \"https://localhost:" + deadPort + "\"}\n"));

        Run status = tool(withDead, KeysTool::status);

        assertEquals(1, status.exit(), status.output());
        assertTrue(status.output().matches("(?s).*status +node1 +ok +loaded kvnos 2 \\(in grace: 1\\)?.*ready.*")
                || status.output().matches("(?s).*status +node1 +ok +loaded kvnos 2, ready.*"), status.output());
        assertTrue(status.output().matches("(?s).*status +node2 +DOWN +admin API https://localhost:" + deadPort
                + " does not answer .*the gateway is down or unreachable.*"), status.output());
    }

    private record Run(int exit, String output) {}

    private static Run tool(Function<KeysTool, Integer> command) throws Exception {
        return tool(arrayFile, command);
    }

    private static Run tool(Path file, Function<KeysTool, Integer> command) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        ArrayConfig array = ArrayFile.load(file);
        KeysTool tool = KeysToolFactory.forArray(array, RolloverFixture.mitAdapter(kdc, array.enctypes()),
                Clock.systemUTC(), new PrintStream(output, true, StandardCharsets.UTF_8));
        int exit = JdkKrb5.call(kdc.krb5Conf(), () -> command.apply(tool));
        return new Run(exit, output.toString(StandardCharsets.UTF_8));
    }

    private static KeysReport report() throws Exception {
        return KeysReport.fromJson(admin("GET", "/keys").body());
    }

    private static HttpResponse<String> admin(String method, String path) throws Exception {
        // A client per request: a pooled connection to a node restarted meanwhile would only be a stale socket.
        HttpClient https = AdminTransport.httpClient(ArrayFile.load(arrayFile));
        return https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + adminPort + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String plainAdmin(Kerbgate gw, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.adminPort()
                + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpResponse<String> front(String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontPort + "/"))
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<KeytabEntry> entries(String principal, int kvno) {
        return List.of(new KeytabEntry(principal, 1, 0, kvno, 18,
                KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96).bytes()));
    }
}
