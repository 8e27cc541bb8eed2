package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.identity.GroupNames;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.SambaDc;
import io.kerbgate.testing.SecretFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in front of an Active Directory realm (a real Samba AD DC): MIT kinit as a domain user, curl
 * --negotiate through the gateway with the ASA keytab, the PAC verified and its groups forwarded; the route
 * {@code /web/} admits members of {@code web-users} by the group's SID (alice is one, bob is not); the groups' names
 * are looked up over LDAPS and forwarded once cached.
 */
final class ActiveDirectoryEndToEndTest {

    @TempDir
    static Path dir;
    private static SambaDc dc;
    private static EchoBackend backend;
    private static Kerbgate gateway;
    private static GatewayConfig config;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(SambaDc.isAvailable(), SambaDc.NOT_AVAILABLE);
        dc = SambaDc.shared();
        backend = EchoBackend.start("ad-backend");
        SecretFile.writeString(dir.resolve("ldap.password"), SambaDc.ADMIN_PASSWORD + "\n");
        Path keytab = dc.exportKeytabAs(SambaDc.ASA, SambaDc.ARRAY_SPN + "@" + SambaDc.REALM,
                dir.resolve("asa.keytab"));
        config = ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                identity:
                  groups_header: X-Remote-Groups
                  group_names_header: X-Remote-Group-Names
                  group_names:
                    ldap: ldaps://127.0.0.1
                    bind: {dn: Administrator@%s, password_file: ldap.password}
                    ca: %s
                    base_dn: %s
                    cache_ttl: 10m
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  pac: verify
                  replay_cache_file: replay.cache
                routes:
                  - {name: web, path: /web/, allow: {groups: [%s]}}
                """.formatted(keytab, backend.port(), SambaDc.DNS_DOMAIN, dc.caFile(), SambaDc.BASE_DN,
                dc.sid("web-users", true)), dir);
        gateway = Kerbgate.start(config);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {gateway, backend}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static String curl(String user, String password) {
        return curl(user, password, "/");
    }

    private static String curl(String user, String password, String path) {
        Path ccache = dir.resolve(user + ".ccache");
        dc.kinit(user + "@" + SambaDc.REALM, password, ccache);
        int port = gateway.frontPort();
        return Processes.command("curl", "-sS", "--negotiate", "-u", ":", "-D", "-",
                        "-H", "X-Remote-Groups: S-1-5-32-544",
                        "--resolve", SambaDc.ARRAY_HOST + ":" + port + ":127.0.0.1",
                        "http://" + SambaDc.ARRAY_HOST + ":" + port + path)
                .env(dc.clientEnv(ccache)).timeout(Duration.ofSeconds(30)).run().stdout();
    }

    @Test
    void alice_kinitAndCurl_getsThrough_withHerGroups() {
        String out = curl("alice", SambaDc.ALICE_PASSWORD);
        assertTrue(out.contains("HTTP/1.1 200"), out);
        String body = out.substring(out.indexOf("\r\n\r\n") + 4);
        assertEquals(List.of("alice@" + SambaDc.REALM), EchoBackend.headerValues(body, "x-remote-user"), out);
        List<String> groups = EchoBackend.headerValues(body, "x-remote-groups");
        assertEquals(1, groups.size(), out);
        List<String> sids = List.of(groups.get(0).split(","));
        assertTrue(sids.contains(dc.sid("web-users", true)), out);
        assertFalse(sids.contains("S-1-5-32-544"), "a client's own groups header is dropped: " + out);
    }

    @Test
    void bob_isNotInWebUsers() {
        String out = curl("bob", SambaDc.BOB_PASSWORD);
        assertTrue(out.contains("HTTP/1.1 200"), out);
        String body = out.substring(out.indexOf("\r\n\r\n") + 4);
        assertEquals(List.of("bob@" + SambaDc.REALM), EchoBackend.headerValues(body, "x-remote-user"), out);
        assertFalse(EchoBackend.headerValues(body, "x-remote-groups").get(0).contains(dc.sid("web-users", true)),
                out);
    }

    @Test
    void groupsRoute_admitsAlice_aMemberOfWebUsers() {
        String out = curl("alice", SambaDc.ALICE_PASSWORD, "/web/report");
        assertTrue(out.contains("HTTP/1.1 200"), out);
        String body = out.substring(out.indexOf("\r\n\r\n") + 4);
        assertEquals(List.of("alice@" + SambaDc.REALM), EchoBackend.headerValues(body, "x-remote-user"), out);
    }

    @Test
    void groupsRoute_refusesBob_whoIsNot() {
        String out = curl("bob", SambaDc.BOB_PASSWORD, "/web/report");
        assertTrue(out.contains("HTTP/1.1 403"), out);
        assertFalse(out.contains("x-remote-user"), "the backend never saw the request: " + out);
    }

    private static List<String> alicesGroups() {
        String out = curl("alice", SambaDc.ALICE_PASSWORD);
        String body = out.substring(out.indexOf("\r\n\r\n") + 4);
        return List.of(EchoBackend.headerValues(body, "x-remote-groups").get(0).split(","));
    }

    @Test
    void groupNames_resolveAlicesGroups_overLdaps() throws Exception {
        List<String> sids = alicesGroups();
        try (GroupNames names = GroupNames.of(config.identity().groupNames())) {
            List<String> resolved = names.names(sids).get(60, TimeUnit.SECONDS);

            assertTrue(resolved.contains("web-users"), sids + " -> " + resolved);
            assertTrue(resolved.contains("Domain Users"), sids + " -> " + resolved);
            assertEquals(resolved, names.cachedNames(sids), "the second ask is answered from the cache");
        }
    }

    @Test
    void groupNamesHeader_carriesWebUsers_onceTheNamesAreCached() throws Exception {
        // The first request misses the cache and goes on with SIDs only; its lookup fills the cache.
        String out = "";
        for (int i = 0; i < 20; i++) {
            out = curl("alice", SambaDc.ALICE_PASSWORD);
            assertTrue(out.contains("HTTP/1.1 200"), out);
            String body = out.substring(out.indexOf("\r\n\r\n") + 4);
            List<String> names = EchoBackend.headerValues(body, "x-remote-group-names");
            if (!names.isEmpty()) {
                assertTrue(List.of(names.get(0).split(",")).contains("web-users"), out);
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no x-remote-group-names after 20 requests: " + out);
    }
}
