package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.testing.EchoBackend;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.SambaDc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in front of an Active Directory realm (a real Samba AD DC): MIT kinit as a domain user, curl
 * --negotiate through the gateway with the ASA keytab, the PAC verified and its groups forwarded; the route
 * {@code /web/} admits members of {@code web-users} by the group's SID (alice is one, bob is not).
 */
final class ActiveDirectoryEndToEndTest {

    @TempDir
    static Path dir;
    private static SambaDc dc;
    private static EchoBackend backend;
    private static Kerbgate gateway;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(SambaDc.isAvailable(), SambaDc.NOT_AVAILABLE);
        dc = SambaDc.shared();
        backend = EchoBackend.start("ad-backend");
        Path keytab = dc.exportKeytabAs(SambaDc.ASA, SambaDc.ARRAY_SPN + "@" + SambaDc.REALM,
                dir.resolve("asa.keytab"));
        gateway = Kerbgate.start(ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                identity:
                  groups_header: X-Remote-Groups
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  pac: verify
                routes:
                  - {name: web, path: /web/, allow: {groups: [%s]}}
                """.formatted(keytab, backend.port(), dc.sid("web-users", true)), dir));
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
}
