package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.SambaDc;
import io.kerbgate.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basic} against a real Samba AD DC: curl {@code -u} over HTTPS logs a domain user in through the DC, and the
 * backend gets the same identity and PAC groups a Negotiate request would carry; a wrong password repeated by the
 * client raises the account's {@code badPwdCount} once, as the DC counts it.
 */
final class BasicActiveDirectoryEndToEndTest {
    private static final String CAROL = "carol-basic";
    private static final String CAROL_PASSWORD = "Carol-Pass-1234!x";

    /** basic.krb5_conf sets it for the process: put back what the JVM had once this class is done. */
    private static final String KRB5_CONF = System.getProperty("java.security.krb5.conf");

    @TempDir
    static Path dir;
    private static SambaDc dc;
    private static EchoBackend backend;
    private static TestCertificates.Ca ca;
    private static Kerbgate gateway;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(SambaDc.isAvailable(), SambaDc.NOT_AVAILABLE);
        dc = SambaDc.shared();
        dc.tool("user", "create", CAROL, CAROL_PASSWORD);
        // Carol alone gets a lockout policy (a fine-grained PSO): the DC counts her bad passwords and locks her at 3.
        dc.tool("domain", "passwordsettings", "pso", "create", "basic-lockout", "1", "--account-lockout-threshold=3",
                "--account-lockout-duration=10", "--reset-account-lockout-after=10");
        dc.tool("domain", "passwordsettings", "pso", "apply", "basic-lockout", CAROL);
        Path krb5Conf = dc.krb5Conf();
        backend = EchoBackend.start("ad-backend");
        Path keytab = dc.exportKeytabAs(SambaDc.ASA, SambaDc.ARRAY_SPN + "@" + SambaDc.REALM,
                dir.resolve("asa.keytab"));
        ca = TestCertificates.ca(dir, "kerbgate basic AD CA");
        TestCertificates.Pair server = ca.issue("array", 0xad, "DNS:" + SambaDc.ARRAY_HOST, "IP:127.0.0.1");
        gateway = Kerbgate.start(ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                principals: [%s]
                backends: [http://127.0.0.1:%d]
                identity:
                  groups_header: X-Remote-Groups
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  pac: verify
                  replay_cache_file: replay-basic.cache
                tls:
                  cert: %s
                  key: %s
                basic:
                  enabled: true
                  realm: %s
                  krb5_conf: %s
                """.formatted(keytab, SambaDc.ARRAY_SPN + "@" + SambaDc.REALM, backend.port(), server.cert(),
                server.key(), SambaDc.REALM, krb5Conf), dir));
    }

    @AfterAll
    static void stop() throws Exception {
        if (KRB5_CONF == null) {
            System.clearProperty("java.security.krb5.conf");
        } else {
            System.setProperty("java.security.krb5.conf", KRB5_CONF);
        }
        for (AutoCloseable c : new AutoCloseable[] {gateway, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String curl(String userPassword) {
        int port = gateway.frontPort();
        return Processes.command("curl", "-sS", "--http1.1", "-D", "-", "-u", userPassword,
                        "--cacert", ca.pair().cert().toString(),
                        "--resolve", SambaDc.ARRAY_HOST + ":" + port + ":127.0.0.1",
                        "https://" + SambaDc.ARRAY_HOST + ":" + port + "/")
                .timeout(Duration.ofSeconds(30)).run().stdout();
    }

    private static String body(String out) {
        return out.substring(out.lastIndexOf("\r\n\r\n") + 4);
    }

    private static int badPwdCount(String user) {
        String shown = dc.tool("user", "show", user, "--attributes=badPwdCount").stdout();
        Matcher m = Pattern.compile("badPwdCount: (\\d+)").matcher(shown);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Test
    void domainUser_getsThrough_withHerPacGroups() {
        String out = curl("alice:" + SambaDc.ALICE_PASSWORD);

        assertTrue(out.startsWith("HTTP/1.1 200"), out);
        assertEquals(List.of("alice@" + SambaDc.REALM), EchoBackend.headerValues(body(out), "x-remote-user"), out);
        List<String> groups = EchoBackend.headerValues(body(out), "x-remote-groups");
        assertEquals(1, groups.size(), out);
        assertTrue(List.of(groups.get(0).split(",")).contains(dc.sid("web-users", true)), out);
    }

    @Test
    void repeatedWrongPassword_raisesBadPwdCountOnce_andDoesNotLockTheAccount() {
        assertEquals(0, badPwdCount(CAROL));
        for (int i = 0; i < 5; i++) {
            assertTrue(curl(CAROL + ":Not-Her-Pass-1").startsWith("HTTP/1.1 401"));
        }
        assertEquals(1, badPwdCount(CAROL));
        String out = curl(CAROL + ":" + CAROL_PASSWORD);
        assertTrue(out.startsWith("HTTP/1.1 200"), out);
    }

    @Test
    void unknownUser_andWrongPassword_lookTheSame() {
        String unknown = curl("nobody-here:Whatever-1");
        String wrong = curl("bob:Whatever-2");

        assertTrue(unknown.startsWith("HTTP/1.1 401"), unknown);
        assertEquals(unknown.lines().findFirst(), wrong.lines().findFirst());
        assertEquals(body(unknown), body(wrong));
        assertTrue(unknown.contains("Basic realm=\"" + SambaDc.REALM + "\""), unknown);
    }

    /**
     * The DC compares names without case and, unasked to canonicalize, names the ticket's client as the user typed it.
     * Asking ({@code canonicalize = true}) would give the account's own name, but the JDK then retries each failed
     * login without it and the DC counts every wrong password twice; kerbgate refuses such a krb5.conf (README,
     * Basic). With the PAC verified, the acceptor spells the name as the account's logon info does, so a user cannot
     * choose the case of the name the routes and the backend see.
     */
    @Test
    void userNameInAnotherCase_isForwardedAsTheDirectorySpellsIt() {
        String out = curl("ALICE:" + SambaDc.ALICE_PASSWORD);

        assertTrue(out.startsWith("HTTP/1.1 200"), out);
        assertEquals(List.of("alice@" + SambaDc.REALM), EchoBackend.headerValues(body(out), "x-remote-user"), out);
    }
}
