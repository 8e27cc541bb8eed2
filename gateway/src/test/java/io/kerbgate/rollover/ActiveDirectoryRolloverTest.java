package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.Kerbgate;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.rollover.kdc.ActiveDirectoryKdcAdapter;
import io.kerbgate.rollover.node.Nodes;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.SambaDc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollover against a real Samba AD DC: AD's salts checked against the keys the DC itself exports, {@code keys
 * init} creating the ASA account over LDAPS, and {@code keys roll} while clients keep authenticating through two
 * running gateways.
 */
final class ActiveDirectoryRolloverTest {

    private static final List<Enctype> AES = List.of(Enctype.AES256_CTS_HMAC_SHA1_96, Enctype.AES128_CTS_HMAC_SHA1_96);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    private static SambaDc dc;
    private static Path adminPassword;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(SambaDc.isAvailable(), SambaDc.NOT_AVAILABLE);
        dc = SambaDc.shared();
        adminPassword = Files.writeString(shared.resolve("admin.pw"), SambaDc.ADMIN_PASSWORD + "\n");
    }

    private static ArrayConfig.AdKdc kdc(String ldap, String account) {
        return new ArrayConfig.AdKdc(URI.create(ldap), account, null, null, "Administrator@" + SambaDc.DNS_DOMAIN,
                adminPassword, dc.caFile(), null, null, null);
    }

    /** Sets a password through the adapter, then compares with what {@code samba-tool domain exportkeytab} exports. */
    private void assertSaltMatchesTheDc(String account, String expectedSalt) throws Exception {
        ActiveDirectoryKdcAdapter ad = ActiveDirectoryKdcAdapter.create(kdc("ldaps://127.0.0.1", account),
                SambaDc.REALM, AES);
        String principal = account + "@" + SambaDc.REALM;
        assertEquals(expectedSalt, ad.salt(principal));
        int before = ad.currentKvno(principal);
        NewKey key = new KeyGenerator(new SecureRandom()).generate(before + 1, AES, ad.salt(principal));
        ad.commit(principal, key);
        assertEquals(before + 1, ad.currentKvno(principal));

        Path export = dir.resolve(account.replace("$", "") + ".keytab");
        dc.exportKeytab(account, export);
        List<KeytabEntry> exported = ArrayFixture.entries(export);
        for (var k : key.keys()) {
            KeytabEntry dcKey = exported.stream().filter(e -> e.enctype() == k.enctype().id()).findFirst().orElseThrow();
            assertEquals(before + 1, dcKey.kvno());
            assertArrayEquals(dcKey.key(), k.bytes(), account + " " + k.enctype().kerberosName()
                    + ": the DC's key equals string-to-key with salt " + expectedSalt);
        }
    }

    @Test
    void userSalt_isRealmPlusSamAccountNameAsStored() throws Exception {
        dc.tool("user", "create", "Asa-Salt", "Salt-Pass-1234!x");
        assertSaltMatchesTheDc("Asa-Salt", "AD.KERBGATE.TESTAsa-Salt");
    }

    @Test
    void computerSalt_isRealmHostLowerNameDotDomain() throws Exception {
        dc.tool("computer", "create", "ASA-COMP");
        assertSaltMatchesTheDc("ASA-COMP$", "AD.KERBGATE.TESThostasa-comp.ad.kerbgate.test");
    }

    private Path arrayFile(String host, String account, String ldap, String node2Keytab) throws Exception {
        Files.createDirectories(dir.resolve("node1"));
        Files.createDirectories(dir.resolve("node2"));
        return Files.writeString(dir.resolve("array.yaml"), """
                principal: HTTP/%s@%s
                enctypes: [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96]
                kdc:
                  type: ad
                  ldap: %s
                  account: %s
                  bind: {dn: Administrator@%s, password_file: %s}
                  ca: %s
                nodes:
                  - {name: node1, keytab: node1/http.keytab}
                  - {name: node2, keytab: %s}
                """.formatted(host, SambaDc.REALM, ldap, account, SambaDc.DNS_DOMAIN, adminPassword, dc.caFile(),
                node2Keytab));
    }

    private static KeysTool tool(Path arrayFile, ByteArrayOutputStream out, RolloverHooks hooks) throws Exception {
        ArrayConfig array = ArrayFile.load(arrayFile);
        KdcAdapter adapter = ActiveDirectoryKdcAdapter.create((ArrayConfig.AdKdc) array.kdc(), array.realm(),
                array.enctypes());
        RolloverContext ctx = RolloverContext.of(array, adapter, Nodes.of(array), null, Clock.systemUTC(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return new KeysTool(ctx.withHooks(hooks));
    }

    @Test
    void init_createsTheAccount_thenRollUnderLoad_hasNoFailures_andOldTicketsKeepWorking() throws Exception {
        String host = "roll1.ad.kerbgate.test";
        String spn = "HTTP/" + host + "@" + SambaDc.REALM;
        Path array = arrayFile(host, "asa-roll1", "ldaps://127.0.0.1", "node2/http.keytab");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, tool(array, out, RolloverHooks.NONE).init(List.of()), out.toString());
        ActiveDirectoryKdcAdapter ad = ActiveDirectoryKdcAdapter.create(kdc("ldaps://127.0.0.1", "asa-roll1"),
                SambaDc.REALM, AES);
        assertEquals(2, ad.currentKvno(spn), out.toString());
        List<KeytabEntry> node1 = ArrayFixture.entries(dir.resolve("node1/http.keytab"));
        assertTrue(node1.stream().anyMatch(e -> e.principal().equals("asa-roll1@" + SambaDc.REALM)),
                "the account's own name is distributed too");
        assertFalse(out.toString().contains(new String(Files.readAllBytes(adminPassword)).strip()));

        try (EchoBackend backend = EchoBackend.start("b");
                Kerbgate gw1 = Kerbgate.start(gatewayConfig(dir.resolve("node1/http.keytab"), backend));
                Kerbgate gw2 = Kerbgate.start(gatewayConfig(dir.resolve("node2/http.keytab"), backend));
                GssClient before = GssClient.withPassword(dc.krb5Conf(), "alice@" + SambaDc.REALM,
                        SambaDc.ALICE_PASSWORD)) {
            List<Kerbgate> gateways = List.of(gw1, gw2);
            for (Kerbgate gw : gateways) {
                assertEquals(200, get(gw, before.negotiate(spn, GssMech.SPNEGO, false).headerValue()));
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger ok = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread loop = new Thread(() -> {
                while (!stop.get()) {
                    try (GssClient fresh = GssClient.withPassword(dc.krb5Conf(), "alice@" + SambaDc.REALM,
                            SambaDc.ALICE_PASSWORD)) {
                        for (Kerbgate gw : gateways) {
                            int status = get(gw, fresh.negotiate(spn, GssMech.SPNEGO, false).headerValue());
                            if (status == 200) {
                                ok.incrementAndGet();
                            } else {
                                failures.add("status " + status);
                            }
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }, "ad-auth-loop");
            loop.start();
            out.reset();
            // The gateways must have loaded kvno 3 before AD issues it: wait for their watchers at the commit.
            RolloverHooks waitForLoad = new RolloverHooks() {
                @Override
                public void beforeStep(Step step) {
                    if (step == Step.COMMIT) {
                        for (Kerbgate gw : gateways) {
                            awaitKvno(gw, 3);
                        }
                    }
                }
            };
            int exit = tool(array, out, waitForLoad).roll();
            Thread.sleep(1500);
            stop.set(true);
            loop.join(30_000);
            assertEquals(0, exit, out.toString());
            assertEquals(3, ad.currentKvno(spn));
            assertEquals(List.of(), failures, "no client failed during the roll; " + ok.get() + " succeeded");
            assertTrue(ok.get() >= 4, "the loop authenticated: " + ok.get());
            // The ticket alice got before the roll (kvno 2) still works on both nodes: the grace period.
            for (Kerbgate gw : gateways) {
                assertEquals(200, get(gw, before.negotiate(spn, GssMech.SPNEGO, false).headerValue()));
            }
            assertFalse(out.toString().contains(SambaDc.ADMIN_PASSWORD), out.toString());
        }
        String journal = Files.readString(dir.resolve("array.yaml.journal.json"));
        assertFalse(journal.contains(SambaDc.ADMIN_PASSWORD));
        assertFalse(Files.exists(dir.resolve("array.yaml.pending.keytab")), "the pending key is gone once done");
    }

    @Test
    void aRollThatCannotReachANode_leavesAdsKvnoUnchanged_overStartTls() throws Exception {
        String host = "roll2.ad.kerbgate.test";
        String spn = "HTTP/" + host + "@" + SambaDc.REALM;
        Path array = arrayFile(host, "asa-roll2", "ldap://127.0.0.1", "node2/http.keytab");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, tool(array, out, RolloverHooks.NONE).init(List.of()), out.toString());
        ActiveDirectoryKdcAdapter ad = ActiveDirectoryKdcAdapter.create(kdc("ldap://127.0.0.1", "asa-roll2"),
                SambaDc.REALM, AES);
        assertEquals(2, ad.currentKvno(spn));

        Files.move(dir.resolve("node2"), dir.resolve("node2-unmounted"));
        out.reset();
        assertEquals(1, tool(array, out, RolloverHooks.NONE).roll(), out.toString());
        assertTrue(out.toString().contains("node2"), out.toString());
        assertEquals(2, ad.currentKvno(spn), "nothing was committed to AD");
    }

    @Test
    void status_showsTheDcsKvnoBesideEveryNode() throws Exception {
        String host = "roll3.ad.kerbgate.test";
        Path array = arrayFile(host, "asa-roll3", "ldaps://127.0.0.1", "node2/http.keytab");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, tool(array, out, RolloverHooks.NONE).init(List.of("node1")), out.toString());
        out.reset();
        assertEquals(1, tool(array, out, RolloverHooks.NONE).status(), out.toString());
        String status = out.toString();
        assertTrue(status.contains("kvno 2 (active directory ldaps://127.0.0.1 account asa-roll3)"), status);
        assertTrue(status.contains("node2") && status.contains("lacks kvno 2"), status);
    }

    @Test
    void arrayFile_adSection_isReadStrictly() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                principal: HTTP/x.ad.kerbgate.test@AD.KERBGATE.TEST
                enctypes: [aes256-cts-hmac-sha1-96]
                kdc: {type: ad, ldap: ldaps://dc1, account: asa, bind: {dn: x, principal: y, password_file: p}}
                nodes: [{name: n, keytab: k}]
                """);
        io.kerbgate.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.kerbgate.config.ConfigException.class, () -> ArrayFile.load(file));
        assertTrue(e.getMessage().contains("kdc.bind"), e.getMessage());
    }

    private static void awaitKvno(Kerbgate gw, int kvno) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                String keys = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.adminPort()
                        + "/keys")).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (keys.replace(" ", "").contains("\"kvno\":" + kvno)) {
                    return;
                }
                Thread.sleep(100);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("gateway did not load kvno " + kvno);
    }

    private static io.kerbgate.config.GatewayConfig gatewayConfig(Path keytab, EchoBackend backend) throws Exception {
        return ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  pac: verify
                  replay_cache_file: replay-%s.cache
                """.formatted(keytab, backend.port(), java.util.UUID.randomUUID()), keytab.getParent());
    }

    private static int get(Kerbgate gw, String authorization) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.frontPort() + "/"))
                .header("Authorization", authorization).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
