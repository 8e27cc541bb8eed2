package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.cli.KeysToolFactory;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.rollover.kdc.KerbyKdcAdapter;
import io.kerbgate.testing.FreePorts;
import io.kerbgate.testing.JdkKrb5;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.kerby.kerberos.kerb.server.KdcConfigKey;
import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded Kerby KDC behind the same interface: init and roll with no MIT installed, checked end to end. */
final class KerbyKdcAdapterTest {

    private static final String REALM = "KERBY.TEST";
    private static final String SPN = "HTTP/array.example.test@" + REALM;

    @TempDir
    Path dir;

    private SimpleKdcServer server;
    private Path krb5Conf;

    @BeforeEach
    void startKdc() throws Exception {
        String previous = System.getProperty("java.security.krb5.conf");
        server = new SimpleKdcServer();
        Files.createDirectories(dir.resolve("kerby"));
        server.setWorkDir(dir.resolve("kerby").toFile());
        server.setKdcRealm(REALM);
        server.setKdcHost("127.0.0.1");
        server.setAllowUdp(false);
        int port = FreePorts.tcp();
        server.setKdcTcpPort(port);
        server.getKdcConfig().setString(KdcConfigKey.ENCRYPTION_TYPES, "aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96");
        server.init();
        server.start();
        // init() points the JDK at a krb5.conf of Kerby's; JdkKrb5 decides which one the JDK reads.
        if (previous == null) {
            System.clearProperty("java.security.krb5.conf");
        } else {
            System.setProperty("java.security.krb5.conf", previous);
        }
        krb5Conf = Files.writeString(dir.resolve("krb5.conf"), String.join("\n", "[libdefaults]",
                "  default_realm = " + REALM, "  dns_lookup_kdc = false", "  udp_preference_limit = 1",
                "  default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96",
                "  default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96",
                "[realms]", "  " + REALM + " = {", "    kdc = 127.0.0.1:" + port, "  }", ""));
        server.createPrincipal("rollcheck@" + REALM, "rollcheck-password");
        server.exportPrincipal("rollcheck@" + REALM, dir.resolve("rollcheck.keytab").toFile());
    }

    @AfterEach
    void stopKdc() throws Exception {
        server.stop();
    }

    @Test
    void initThenRoll_nodesHoldTheKeysTheEmbeddedKdcIssuesTicketsUnder() throws Exception {
        Files.createDirectories(dir.resolve("node1"));
        Files.createDirectories(dir.resolve("node2"));
        Path arrayFile = Files.writeString(dir.resolve("array.yaml"), String.join("\n",
                "principal: " + SPN,
                "enctypes: [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96]",
                "kdc: {type: kerby}",
                "nodes: [{name: node1, keytab: node1/http.keytab}, {name: node2, keytab: node2/http.keytab}]",
                "check: {client: rollcheck@" + REALM + ", keytab: rollcheck.keytab, krb5_conf: krb5.conf}", ""));
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        KeysTool tool = KeysToolFactory.forArray(ArrayFile.load(arrayFile), new KerbyKdcAdapter(server.getKadmin()),
                Clock.systemUTC(), new PrintStream(output, true, StandardCharsets.UTF_8));

        assertEquals(0, JdkKrb5.call(krb5Conf, () -> tool.init(List.of())), output.toString(StandardCharsets.UTF_8));
        assertEquals(0, JdkKrb5.call(krb5Conf, tool::roll), output.toString(StandardCharsets.UTF_8));

        KerbyKdcAdapter adapter = new KerbyKdcAdapter(server.getKadmin());
        assertEquals(2, adapter.currentKvno(SPN));
        Path export = dir.resolve("export.keytab");
        server.exportPrincipal(SPN, export.toFile());
        List<KeytabEntry> fromKdc = ArrayFixture.entries(export);
        for (String node : List.of("node1", "node2")) {
            List<KeytabEntry> held = ArrayFixture.entries(dir.resolve(node).resolve("http.keytab"));
            assertEquals(List.of(1, 2), held.stream().map(KeytabEntry::kvno).distinct().sorted().toList());
            for (KeytabEntry k : fromKdc) {
                KeytabEntry same = held.stream().filter(e -> e.kvno() == 2 && e.enctype() == k.enctype())
                        .findFirst().orElseThrow();
                assertArrayEquals(k.key(), same.key());
            }
        }
        String out = output.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("check      node2      ok      accepted a fresh ticket (kvno 2"), out);
    }
}
