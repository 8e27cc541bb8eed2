package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.logging.LogCapture;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.testing.FreePorts;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.SecretFile;
import io.kerbgate.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basic} with a real MIT KDC and curl {@code -u user:password} over HTTPS: the identity comes from a ticket the
 * gateway's keytab decrypted; a wrong password is 401 with both challenges and reaches the KDC once however often it is
 * repeated (read from the KDC's own log), so an account with a lockout policy is not locked by a client that keeps
 * retrying; the rate limits answer 429 with {@code Retry-After}; plain HTTP gets nothing; a second KDC for the same
 * realm, which knows its own password for alice but not the gateway's key, cannot get anyone in; no KDC is 503; a
 * login earns the session cookie; no password is logged.
 */
final class BasicEndToEndTest {
    private static final String HOST = "array.example.test";
    private static final String REALM = "MIT.TEST";
    private static final String SERVICE = "HTTP/" + HOST + "@" + REALM;
    private static final int PER_PRINCIPAL = 3;

    /** basic.krb5_conf sets it for the process: put back what the JVM had once this class is done. */
    private static final String KRB5_CONF = System.getProperty("java.security.krb5.conf");

    @TempDir
    static Path dir;

    private static MitKdc mit;
    private static EchoBackend backend;
    private static TestCertificates.Ca ca;
    private static TestCertificates.Pair server;
    private static Path keytab;
    private static Kerbgate gateway;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        backend = EchoBackend.start("node-1");
        mit = MitKdc.start(REALM);
        // Pre-authentication required, as in Active Directory: only then does the KDC see (and count) a bad password.
        mit.kadmin("addpol -maxfailure 3 -failurecountinterval 10m -lockoutduration 10m lockout");
        for (String user : List.of("alice", "bob", "carol", "dave", "erin")) {
            mit.kadmin("addprinc +requires_preauth -policy lockout -pw " + user + "-Pw-1 " + user + "@" + REALM);
        }
        // Without pre-authentication (MIT's default): the KDC answers any AS-REQ, and a wrong password shows only when
        // the JDK cannot decrypt the reply.
        mit.createPrincipal("frank@" + REALM, "frank-Pw-1");
        keytab = dir.resolve("http.keytab");
        mit.createServicePrincipalWithKeytab(SERVICE, keytab, 18, 17);
        ca = TestCertificates.ca(dir, "kerbgate basic CA");
        server = ca.issue("array", 0xba51c, "DNS:" + HOST, "IP:127.0.0.1");
        SecretFile.writeString(dir.resolve("session.key"), "ab".repeat(32) + "\n");
        gateway = Kerbgate.start(ConfigLoader.parse(config(mit.krb5Conf(), 1000), dir));
    }

    private static String config(Path krb5Conf, int perSource) {
        return """
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  replay_cache_file: replay-%s.cache
                tls:
                  cert: %s
                  key: %s
                  http2: true
                basic:
                  enabled: true
                  realm: %s
                  service: %s
                  krb5_conf: %s
                  per_principal: {attempts: %d, per: 10m}
                  per_source: {attempts: %d, per: 10m}
                  failure_cache: 10m
                sessions:
                  cookie: {key_file: session.key}
                """.formatted(keytab, backend.port(), java.util.UUID.randomUUID(), server.cert(), server.key(), REALM,
                SERVICE, krb5Conf, PER_PRINCIPAL, perSource);
    }

    @AfterAll
    static void stop() throws Exception {
        if (KRB5_CONF == null) {
            System.clearProperty("java.security.krb5.conf");
        } else {
            System.setProperty("java.security.krb5.conf", KRB5_CONF);
        }
        for (AutoCloseable c : new AutoCloseable[] {gateway, mit, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String curl(Kerbgate gateway, String userPassword, String... options) {
        int port = gateway.frontPort();
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-D", "-", "-u", userPassword,
                "--cacert", ca.pair().cert().toString(), "--resolve", HOST + ":" + port + ":127.0.0.1"));
        command.addAll(List.of(options));
        command.add("https://" + HOST + ":" + port + "/");
        return Processes.command(command.toArray(String[]::new)).timeout(Duration.ofSeconds(30)).run().stdout();
    }

    private static String body(String out) {
        return out.substring(out.lastIndexOf("\r\n\r\n") + 4);
    }

    /** How many requests of {@code principal} the KDC logged with {@code outcome} (ISSUE, PREAUTH_FAILED, ...). */
    private static long kdcSaw(String outcome, String principal) {
        return mit.log().lines().filter(l -> l.contains(" " + outcome + ": ") && l.contains(" " + principal + " for "))
                .count();
    }

    @Test
    void rightPassword_reachesTheBackend_asThePrincipal_withoutThePassword() {
        String out = curl(gateway, "alice:alice-Pw-1", "--http1.1");

        assertTrue(out.startsWith("HTTP/1.1 200"), out);
        assertEquals(List.of("alice@" + REALM), EchoBackend.headerValues(body(out), "x-remote-user"), out);
        assertFalse(body(out).contains("authorization"), "the Basic header is not forwarded: " + out);
        assertFalse(out.toLowerCase().contains("www-authenticate: negotiate "), "no token of ours goes back: " + out);
    }

    @Test
    void aBasicLogin_earnsTheSessionCookie_whichThenCarriesTheIdentityAlone() {
        String out = curl(gateway, "alice:alice-Pw-1", "--http1.1");
        Matcher cookie = Pattern.compile("(?i)set-cookie: (kerbgate_session=[^;]+)").matcher(out);
        assertTrue(cookie.find(), out);

        int port = gateway.frontPort();
        String again = Processes.command("curl", "-sS", "-D", "-", "--http1.1", "-b", cookie.group(1),
                "--cacert", ca.pair().cert().toString(), "--resolve", HOST + ":" + port + ":127.0.0.1",
                "https://" + HOST + ":" + port + "/").timeout(Duration.ofSeconds(30)).run().stdout();
        assertTrue(again.startsWith("HTTP/1.1 200"), again);
        assertEquals(List.of("alice@" + REALM), EchoBackend.headerValues(body(again), "x-remote-user"), again);
    }

    @Test
    void overHttp2_andWithTheRealmWritten_too() {
        String out = curl(gateway, "alice@mit.test:alice-Pw-1", "--http2");

        assertTrue(out.startsWith("HTTP/2 200"), out);
        assertEquals(List.of("alice@" + REALM), EchoBackend.headerValues(body(out), "x-remote-user"), out);
    }

    @Test
    void successIsReused_oneAsExchangeForManyRequests() {
        long before = kdcSaw("ISSUE", "dave@" + REALM);
        for (int i = 0; i < 5; i++) {
            assertTrue(curl(gateway, "dave:dave-Pw-1").contains(" 200"));
        }
        // The first request logged in (AS, then TGS: two ISSUE lines); the others were answered from the cache.
        assertEquals(2L, kdcSaw("ISSUE", "dave@" + REALM) - before, mit.log());
    }

    @Test
    void wrongPassword_is401_withBothChallenges() {
        String out = curl(gateway, "erin:not-her-password", "--http1.1");

        assertTrue(out.startsWith("HTTP/1.1 401"), out);
        String lower = out.toLowerCase();
        assertTrue(lower.contains("www-authenticate: negotiate"), out);
        assertTrue(out.contains("Basic realm=\"" + REALM + "\", charset=\"UTF-8\""), out);
    }

    @Test
    void wrongPassword_withoutPreauthentication_isA401_too() {
        assertTrue(curl(gateway, "frank:not-his-password", "--http1.1").startsWith("HTTP/1.1 401"));
        assertTrue(curl(gateway, "frank:frank-Pw-1", "--http1.1").startsWith("HTTP/1.1 200"));
    }

    @Test
    void unknownUser_getsTheSame401_asAWrongPassword() {
        String unknown = curl(gateway, "mallory:whatever-1", "--http1.1");
        String wrong = curl(gateway, "erin:whatever-2", "--http1.1");

        assertEquals(unknown.lines().findFirst(), wrong.lines().findFirst());
        assertEquals(body(unknown), body(wrong));
    }

    @Test
    void repeatedWrongPassword_reachesTheKdcOnce_andDoesNotLockTheAccount() {
        // The lockout policy locks carol after 3 bad passwords; a client retrying one wrong password 10 times must not.
        for (int i = 0; i < 10; i++) {
            assertTrue(curl(gateway, "carol:an-old-password").contains(" 401"));
        }
        assertEquals(1L, kdcSaw("PREAUTH_FAILED", "carol@" + REALM), mit.log());

        String out = curl(gateway, "carol:carol-Pw-1");
        assertTrue(out.contains(" 200"), out);
        assertEquals(List.of("carol@" + REALM), EchoBackend.headerValues(body(out), "x-remote-user"), out);
    }

    @Test
    void perPrincipalLimit_is429_withRetryAfter_andStopsTheKdcSeeingMore() {
        List<String> statuses = new ArrayList<>();
        String last = "";
        for (int i = 0; i < PER_PRINCIPAL + 2; i++) {
            last = curl(gateway, "bob:guess-" + i, "--http1.1");
            statuses.add(last.lines().findFirst().orElse(""));
        }
        for (int i = 0; i < PER_PRINCIPAL; i++) {
            assertTrue(statuses.get(i).startsWith("HTTP/1.1 401"), statuses.toString());
        }
        assertTrue(statuses.get(PER_PRINCIPAL).startsWith("HTTP/1.1 429"), statuses.toString());
        assertTrue(last.toLowerCase().contains("retry-after: 200"), "10m / 3 attempts: " + last);
        assertEquals((long) PER_PRINCIPAL, kdcSaw("PREAUTH_FAILED", "bob@" + REALM), mit.log());
        // Another spelling of the same name shares the budget.
        assertTrue(curl(gateway, "BOB:guess-x", "--http1.1").startsWith("HTTP/1.1 429"));
    }

    @Test
    void plainHttp_getsNoAnswer_andTheKdcIsNotAsked() {
        String before = mit.log();
        int port = gateway.frontPort();
        Processes.Result result = Processes.command("curl", "-sS", "-D", "-", "-u", "alice:alice-Pw-1",
                "http://127.0.0.1:" + port + "/").timeout(Duration.ofSeconds(30)).exec();

        assertFalse(result.stdout().contains(" 200"), result.stdout());
        assertFalse(result.stdout().contains("x-remote-user"), result.stdout());
        assertEquals(before, mit.log());
    }

    @Test
    void passwordsAreNeverLogged() {
        List<String> written;
        try (LogCapture logs = LogCapture.everything()) {
            curl(gateway, "alice:alice-Pw-1");
            curl(gateway, "erin:Wr0ng-S3cret-Pw");
            curl(gateway, "nobody@OTHER.REALM:Other-S3cret-Pw");
            written = logs.everythingWritten();
        }
        String all = String.join("\n", written);
        assertTrue(all.contains("erin@" + REALM), "the refusal was logged: " + all);
        for (String secret : List.of("alice-Pw-1", "Wr0ng-S3cret-Pw", "Other-S3cret-Pw")) {
            assertFalse(all.contains(secret), secret + " logged:\n" + all);
        }
    }

    @Test
    void noKdcAnswering_is503_notA401() throws Exception {
        Path dead = dir.resolve("dead-kdc.conf");
        Files.writeString(dead, Files.readString(mit.krb5Conf())
                .replace("127.0.0.1:" + mit.port(), "127.0.0.1:" + FreePorts.tcp()));
        try (Kerbgate stranded = Kerbgate.start(ConfigLoader.parse(config(dead, 1000), dir))) {
            String out = curl(stranded, "alice:alice-Pw-1", "--http1.1");

            assertTrue(out.startsWith("HTTP/1.1 503"), out);
            assertFalse(out.toLowerCase().contains("exception"), out);
        } finally {
            System.setProperty("java.security.krb5.conf", mit.krb5Conf().toString());
        }
    }

    @Test
    void aKdcWithoutOurKey_cannotLetAnyoneIn() throws Exception {
        // An impostor KDC for the same realm: it knows a password for alice (its own), not the gateway's key.
        try (MitKdc spoof = MitKdc.start(REALM)) {
            spoof.createPrincipal("alice@" + REALM, "spoofed-Pw-1");
            spoof.createServicePrincipalWithKeytab(SERVICE, dir.resolve("spoof.keytab"), 18, 17);
            int hits = backend.hits();
            // krb5_conf is one per process (the JDK's): this gateway points it at the impostor until it is put back.
            try (Kerbgate fooled = Kerbgate.start(ConfigLoader.parse(config(spoof.krb5Conf(), 1000), dir));
                 LogCapture logs = LogCapture.everything()) {
                String out = curl(fooled, "alice:spoofed-Pw-1", "--http1.1");

                assertTrue(out.startsWith("HTTP/1.1 401"), out);
                assertEquals(hits, backend.hits(), "the backend saw nothing");
                assertTrue(spoof.log().contains("ISSUE: authtime"), "the impostor did answer: " + spoof.log());
                assertTrue(String.join("\n", logs.everythingWritten()).contains("spoofed?"), "and it was noticed");
            } finally {
                System.setProperty("java.security.krb5.conf", mit.krb5Conf().toString());
            }
        }
    }
}
