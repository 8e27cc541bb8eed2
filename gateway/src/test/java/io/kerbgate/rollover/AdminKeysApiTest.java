package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.Kerbgate;
import io.kerbgate.cli.KeysToolFactory;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.keys.KeysReport;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.JdkKrb5;
import io.kerbgate.testing.MitKdc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's side of the admin API's key writes ({@code PUT} and {@code DELETE /keys}) on a real MIT KDC: never
 * open, Negotiate-authenticated against the node's own keys, allowed for {@code admin.key_writers} only; and the
 * rollover tool distributing a new key to a node through it, end to end.
 */
final class AdminKeysApiTest {

    private static final String REALM = "ARRAY.TEST";
    private static final String SPN = "HTTP/adminapi.example.test@" + REALM;
    private static final String KEYADMIN = "keyadmin@" + REALM;
    private static final String MALLORY = "mallory@" + REALM;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

    private static MitKdc kdc;
    private static EchoBackend backend;
    private static Path nodeKeytab;
    private static Path keyadminKeytab;
    private static Path malloryKeytab;
    private static Path checkKeytab;
    private static Kerbgate node;
    private static Kerbgate closedNode;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        kdc = MitKdc.start(REALM);
        kdc.createPrincipal("alice@" + REALM, "alice-pw");
        keyadminKeytab = clientKeytab(KEYADMIN, "keyadmin.keytab");
        malloryKeytab = clientKeytab(MALLORY, "mallory.keytab");
        checkKeytab = clientKeytab(ArrayFixture.CHECK_CLIENT, "rollcheck.keytab");
        nodeKeytab = dir.resolve("node1/http.keytab");
        Files.createDirectories(nodeKeytab.getParent());
        kdc.createServicePrincipalWithKeytab(SPN, nodeKeytab, 18, 17);
        Path closedKeytab = Files.copy(nodeKeytab, dir.resolve("closed.keytab"));
        backend = EchoBackend.start("backend");
        node = Kerbgate.start(ConfigLoader.parse(config(nodeKeytab, "admin:\n  listen: 127.0.0.1:0\n"
                + "  key_writers: [" + KEYADMIN + "]\n"), dir));
        closedNode = Kerbgate.start(ConfigLoader.parse(config(closedKeytab, "admin:\n  listen: 127.0.0.1:0\n"), dir));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {node, closedNode, backend, kdc}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String config(Path keytab, String admin) {
        return "listen: 127.0.0.1:0\nkeytab: " + keytab + "\nprincipals: [" + SPN + "]\n"
                + "backends: [http://127.0.0.1:" + backend.port() + "]\nkeys:\n  poll_interval: 200ms\n" + admin
                + "acceptor:\n  replay_cache_file: replay-" + java.util.UUID.randomUUID() + ".cache\n";
    }

    private static Path clientKeytab(String principal, String file) {
        kdc.createPrincipal(principal, principal.replace('@', '-') + "-pw");
        Path keytab = dir.resolve(file);
        kdc.exportKeytab(principal, keytab);
        return keytab;
    }

    @Test
    void put_withoutAuthorization_is401_andTheKeytabIsUnchanged() throws Exception {
        byte[] before = Files.readAllBytes(nodeKeytab);

        HttpResponse<String> r = put(node, keytab(SPN, 7), Map.of());

        assertEquals(401, r.statusCode(), r.body());
        assertEquals("Negotiate", r.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertArrayEquals(before, Files.readAllBytes(nodeKeytab));
    }

    @Test
    void put_withATokenTheAcceptorRefuses_is401() throws Exception {
        byte[] before = Files.readAllBytes(nodeKeytab);

        HttpResponse<String> r = put(node, keytab(SPN, 7), Map.of("Authorization", "Negotiate TlRMTVNTUAABAAAA"));

        assertEquals(401, r.statusCode(), r.body());
        assertArrayEquals(before, Files.readAllBytes(nodeKeytab));
    }

    @Test
    void put_byAnAuthenticatedPrincipalNotInKeyWriters_is403() throws Exception {
        byte[] before = Files.readAllBytes(nodeKeytab);

        HttpResponse<String> r = put(node, keytab(SPN, 7), Map.of("Authorization", header(MALLORY, malloryKeytab)));
        HttpResponse<String> delete = send(node, "DELETE", "/keys?principal=" + SPN + "&below_kvno=99", null,
                Map.of("Authorization", header(MALLORY, malloryKeytab)));

        assertEquals(403, r.statusCode(), r.body());
        assertEquals(MALLORY + " is not in admin.key_writers\n", r.body());
        assertEquals(403, delete.statusCode(), delete.body());
        assertArrayEquals(before, Files.readAllBytes(nodeKeytab));
    }

    @Test
    void put_andDelete_withKeyWritesDisabled_are403_evenForAGoodTicket() throws Exception {
        HttpResponse<String> r = put(closedNode, keytab(SPN, 7), Map.of("Authorization", header(KEYADMIN,
                keyadminKeytab)));
        HttpResponse<String> delete = send(closedNode, "DELETE", "/keys?principal=" + SPN + "&below_kvno=2", null,
                Map.of());

        assertEquals(403, r.statusCode());
        assertEquals("key writes are disabled: configure admin.key_writers\n", r.body());
        assertEquals(403, delete.statusCode());
    }

    @Test
    void put_aBodyThatIsNotAKeytab_orOfAnotherPrincipal_is400WithTheReason() throws Exception {
        byte[] before = Files.readAllBytes(nodeKeytab);

        HttpResponse<String> garbage = put(node, "not a keytab".getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", header(KEYADMIN, keyadminKeytab)));
        byte[] truncated = keytab(SPN, 7);
        HttpResponse<String> half = put(node, Arrays.copyOf(truncated, truncated.length - 5),
                Map.of("Authorization", header(KEYADMIN, keyadminKeytab)));
        HttpResponse<String> other = put(node, keytab("HTTP/other.example.test@" + REALM, 7),
                Map.of("Authorization", header(KEYADMIN, keyadminKeytab)));
        HttpResponse<String> badQuery = send(node, "DELETE", "/keys?principal=" + SPN + "&below_kvno=two", null,
                Map.of("Authorization", header(KEYADMIN, keyadminKeytab)));

        assertEquals(400, garbage.statusCode());
        assertTrue(garbage.body().startsWith("the body is not a keytab: not a keytab: first byte at offset 0 is 0x6e"),
                garbage.body());
        assertEquals(400, half.statusCode());
        assertTrue(half.body().contains("declares"), half.body());
        assertEquals(400, other.statusCode());
        assertTrue(other.body().startsWith("HTTP/other.example.test@ARRAY.TEST is not one of this gateway's principals"),
                other.body());
        assertEquals(400, badQuery.statusCode());
        assertArrayEquals(before, Files.readAllBytes(nodeKeytab));
    }

    @Test
    void aReplayedAdminToken_isRefused() throws Exception {
        String header = header(KEYADMIN, keyadminKeytab);
        String query = "/keys?principal=" + SPN + "&below_kvno=0";

        assertEquals(200, send(node, "DELETE", query, null, Map.of("Authorization", header)).statusCode());
        assertEquals(401, send(node, "DELETE", query, null, Map.of("Authorization", header)).statusCode());
    }

    @Test
    void roll_throughTheAdminApi_theNodeServesTheNewKvno_andRetireDeletesTheOldOne() throws Exception {
        Path arrayFile = Files.writeString(dir.resolve("array.yaml"), "principal: " + SPN + "\n"
                + "enctypes: [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96]\n"
                + "kdc: {type: mit, kadmin: local}\n"
                + "nodes:\n  - {name: node1, admin: \"http://127.0.0.1:" + node.adminPort() + "\", front: "
                + "\"http://127.0.0.1:" + node.frontPort() + "/\"}\n"
                + "grace: 1s\nverify_timeout: 10s\n"
                + "check: {client: " + ArrayFixture.CHECK_CLIENT + ", keytab: " + checkKeytab + "}\n"
                + "admin_client: {client: " + KEYADMIN + ", keytab: " + keyadminKeytab + "}\n");
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        ArrayConfig array = ArrayFile.load(arrayFile);
        KeysTool tool = KeysToolFactory.forArray(array, RolloverFixture.mitAdapter(kdc, array.enctypes()), Clock.systemUTC(),
                new PrintStream(output, true, StandardCharsets.UTF_8));
        int from = kdc.kvno(SPN);

        int exit = JdkKrb5.call(kdc.krb5Conf(), tool::roll);

        String out = output.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out);
        assertEquals(from + 1, kdc.kvno(SPN));
        assertTrue(out.contains("front http://127.0.0.1:" + node.frontPort() + "/ answered 200"), out);
        assertEquals(List.of(from, from + 1), kvnosInFile(), "PUT /keys wrote the node's own keytab");
        // A fresh ticket, under the new kvno, through the node's front.
        try (GssClient alice = GssClient.withPassword(kdc.krb5Conf(), "alice@" + REALM, "alice-pw")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + node.frontPort() + "/")).header("Authorization", alice.header(SPN)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
        }
        KeysReport.Version current = report(node).version(SPN, from + 1).orElseThrow();
        assertFalse(current.inGrace());
        assertTrue(current.accepted().last5m() >= 2, "the check's ticket and alice's: " + current);

        Thread.sleep(1_100); // the array file's grace
        exit = JdkKrb5.call(kdc.krb5Conf(), tool::retire);

        out = output.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out);
        assertEquals(List.of(from + 1), kvnosInFile(), "DELETE /keys removed the old kvno from the file");
        // DELETE /keys puts the old kvno in the node's own grace at once (no wait for the watcher).
        KeysReport.Version old = report(node).version(SPN, from).orElseThrow();
        assertTrue(old.inGrace(), "the gateway still accepts it for its own grace: " + old);
        assertTrue(old.secondsUntilRetire() > 10 * 3600, old.toString());
    }

    private static List<Integer> kvnosInFile() throws Exception {
        return KeytabFile.parse(Files.readAllBytes(nodeKeytab)).stream().map(KeytabEntry::kvno).distinct().sorted()
                .toList();
    }

    private static KeysReport report(Kerbgate gw) throws Exception {
        return KeysReport.fromJson(send(gw, "GET", "/keys", null, Map.of()).body());
    }

    private static String header(String client, Path keytab) throws Exception {
        try (GssClient c = GssClient.withKeytab(kdc.krb5Conf(), client, keytab)) {
            return c.negotiate(SPN, GssMech.SPNEGO, false).headerValue();
        }
    }

    private static byte[] keytab(String principal, int kvno) {
        return KeytabFile.write(List.of(new KeytabEntry(principal, 1, 0, kvno, 18,
                KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96).bytes())));
    }

    private static HttpResponse<String> put(Kerbgate gw, byte[] body, Map<String, String> headers) throws Exception {
        return send(gw, "PUT", "/keys", body, headers);
    }

    private static HttpResponse<String> send(Kerbgate gw, String method, String path, byte[] body,
            Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.adminPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
