package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.testing.ApacheGssapi;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.SambaDc;
import io.kerbgate.testing.SecretFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * Constrained delegation (S4U2Proxy) against a real Active Directory (Samba AD DC) and a real Kerberized backend
 * (Apache httpd + mod_auth_gssapi with the backend's own keytab): users kinit with MIT's kinit and curl --negotiate
 * to the gateway; the gateway gets, with its own TGT and the user's ticket as evidence, a ticket to the backend's SPN
 * and sends it as {@code Authorization: Negotiate}. Apache's access log says whom it authenticated.
 *
 * <p>The gateway's account {@value #GATEWAY_ACCOUNT} (SPN and UPN {@code HTTP/}{@value #GATEWAY_HOST}, as
 * {@code ktpass -mapuser} sets them) may delegate to {@code HTTP/}{@value #BACKEND_HOST} only
 * ({@code samba-tool delegation add-service}); {@code HTTP/}{@value #OTHER_HOST} is another account's, not in the list.
 */
final class ConstrainedDelegationEndToEndTest {

    static final String GATEWAY_ACCOUNT = "asa-deleg";
    static final String GATEWAY_HOST = "deleg.ad.kerbgate.test";
    static final String GATEWAY_PRINCIPAL = "HTTP/" + GATEWAY_HOST + "@" + SambaDc.REALM;
    static final String BACKEND_HOST = "backend.ad.kerbgate.test";
    static final String BACKEND_PRINCIPAL = "HTTP/" + BACKEND_HOST + "@" + SambaDc.REALM;
    static final String OTHER_HOST = "other.ad.kerbgate.test";
    static final String CAROL_PASSWORD = "Carol-Pass-1234!x";
    static final String DAVE_PASSWORD = "Dave-Pass-1234!x";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String KRB5_CONF = "java.security.krb5.conf";
    private static String previousKrb5Conf;

    @TempDir
    static Path dir;
    private static SambaDc dc;
    private static ApacheGssapi apache;
    private static Kerbgate gateway;
    private static Kerbgate notDelegated;
    private static Path gatewayKeytab;

    @BeforeAll
    static void start() throws Exception {
        // delegation.krb5_conf sets the JDK's process-wide krb5.conf; put it back for the tests after this one.
        previousKrb5Conf = System.getProperty(KRB5_CONF);
        assumeTrue(SambaDc.isAvailable(), SambaDc.NOT_AVAILABLE);
        assumeTrue(ApacheGssapi.isAvailable(), ApacheGssapi.NOT_INSTALLED);
        dc = SambaDc.shared();
        account(GATEWAY_ACCOUNT, "Deleg-Gateway-Pass-1234!", "HTTP/" + GATEWAY_HOST);
        // As ktpass -mapuser does: the SPN is also the UPN, so the gateway can log in (AS-REQ) under that name.
        dc.modify("CN=" + GATEWAY_ACCOUNT + ",CN=Users," + SambaDc.BASE_DN, "userPrincipalName", GATEWAY_PRINCIPAL);
        account("backend-svc", "Backend-Svc-Pass-1234!", "HTTP/" + BACKEND_HOST);
        account("other-svc", "Other-Svc-Pass-1234!", "HTTP/" + OTHER_HOST);
        dc.tool("delegation", "add-service", GATEWAY_ACCOUNT, "HTTP/" + BACKEND_HOST);
        dc.tool("user", "create", "carol", CAROL_PASSWORD);
        dc.tool("user", "create", "dave", DAVE_PASSWORD);

        gatewayKeytab = dc.exportKeytabAs(GATEWAY_ACCOUNT, GATEWAY_PRINCIPAL, dir.resolve("gateway.keytab"));
        Path backendKeytab = dc.exportKeytabAs("backend-svc", BACKEND_PRINCIPAL, dir.resolve("backend.keytab"));
        apache = ApacheGssapi.start(backendKeytab, dc.krb5Conf());
        SecretFile.writeString(dir.resolve("session.key"), "0123456789abcdef".repeat(4) + "\n");
        gateway = Kerbgate.start(ConfigLoader.parse(config(gatewayKeytab, BACKEND_PRINCIPAL), dir));
        notDelegated = Kerbgate.start(ConfigLoader.parse(config(gatewayKeytab,
                "HTTP/" + OTHER_HOST + "@" + SambaDc.REALM), dir));
    }

    private static String config(Path keytab, String spn) {
        return """
                listen: 127.0.0.1:0
                keytab: %s
                principals: [%s]
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                sessions:
                  cookie: {key_file: session.key, secure: false}
                keys:
                  poll_interval: 200ms
                acceptor:
                  pac: verify
                  replay_cache_file: %s
                delegation:
                  spn: %s
                  krb5_conf: %s
                """.formatted(keytab, GATEWAY_PRINCIPAL, apache.port(), "replay-" + spn.hashCode() + ".cache", spn,
                dc.krb5Conf());
    }

    private static void account(String name, String password, String spn) {
        dc.tool("user", "create", name, password);
        dc.tool("user", "setexpiry", name, "--noexpiry");
        dc.tool("spn", "add", spn, name);
        dc.modify("CN=" + name + ",CN=Users," + SambaDc.BASE_DN, "msDS-SupportedEncryptionTypes", "24");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {gateway, notDelegated, apache}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
        if (previousKrb5Conf == null) {
            System.clearProperty(KRB5_CONF);
        } else {
            System.setProperty(KRB5_CONF, previousKrb5Conf);
        }
    }

    /** kinit (-f when {@code forwardable}) as {@code user}, then curl --negotiate to {@code node}: headers and body. */
    private static String curl(Kerbgate node, String user, String password, boolean forwardable) {
        Path ccache = dir.resolve(user + (forwardable ? "-f" : "") + ".ccache");
        List<String> kinit = forwardable ? List.of("kinit", "-f", user + "@" + SambaDc.REALM)
                : List.of("kinit", user + "@" + SambaDc.REALM);
        Processes.command(kinit).env(dc.clientEnv(ccache)).stdin(password + "\n").run();
        int port = node.frontPort();
        return Processes.command("curl", "-sS", "--negotiate", "-u", ":", "-D", "-",
                        "--resolve", GATEWAY_HOST + ":" + port + ":127.0.0.1",
                        "http://" + GATEWAY_HOST + ":" + port + "/hello.txt")
                .env(dc.clientEnv(ccache)).timeout(Duration.ofSeconds(60)).run().stdout();
    }

    /** The users Apache authenticated, in order, from its access log ({@code %u}). */
    private static List<String> apacheUsers() {
        return apache.accessLog().stream().map(line -> line.split(" ", 2)[0]).toList();
    }

    private static double metric(Kerbgate node, String series) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "[^ ]* (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void alice_reachesTheKerberizedBackend_asHerself() {
        String out = curl(gateway, "alice", SambaDc.ALICE_PASSWORD, true);

        assertTrue(out.contains("HTTP/1.1 200"), out + apache.errorLog());
        assertTrue(out.endsWith(ApacheGssapi.HELLO), out);
        List<String> users = apacheUsers();
        assertEquals("alice@" + SambaDc.REALM, users.get(users.size() - 1),
                "Apache authenticated the user, not the gateway: " + apache.accessLog());
        assertFalse(users.contains(GATEWAY_PRINCIPAL), users.toString());
    }

    @Test
    void eachUser_getsTheirOwnTicket_andTheSecondRequestIsServedFromTheCache() throws Exception {
        curl(gateway, "alice", SambaDc.ALICE_PASSWORD, true);
        double obtained = metric(gateway, "kerbgate_delegation_requests_total{result=\"obtained\"");
        double cached = metric(gateway, "kerbgate_delegation_requests_total{result=\"cached\"");

        String bob = curl(gateway, "bob", SambaDc.BOB_PASSWORD, true);
        String alice = curl(gateway, "alice", SambaDc.ALICE_PASSWORD, true);
        String bobAgain = curl(gateway, "bob", SambaDc.BOB_PASSWORD, true);

        for (String out : List.of(bob, alice, bobAgain)) {
            assertTrue(out.contains("HTTP/1.1 200"), out + apache.errorLog());
        }
        List<String> users = apacheUsers();
        assertEquals(List.of("bob@" + SambaDc.REALM, "alice@" + SambaDc.REALM, "bob@" + SambaDc.REALM),
                users.subList(users.size() - 3, users.size()), apache.accessLog().toString());
        // bob's first request asked the KDC; alice's (ticket cached by the first call) and bob's second did not.
        assertEquals(obtained + 1, metric(gateway, "kerbgate_delegation_requests_total{result=\"obtained\""));
        assertEquals(cached + 2, metric(gateway, "kerbgate_delegation_requests_total{result=\"cached\""));
    }

    @Test
    void aSessionCookie_reachesTheBackendWithTheKeptTicket_withoutAToken() throws Exception {
        Path jar = dir.resolve("alice.cookies");
        Path ccache = dir.resolve("alice-cookie.ccache");
        Processes.command("kinit", "-f", "alice@" + SambaDc.REALM).env(dc.clientEnv(ccache))
                .stdin(SambaDc.ALICE_PASSWORD + "\n").run();
        int port = gateway.frontPort();
        String url = "http://" + GATEWAY_HOST + ":" + port + "/hello.txt";
        String resolve = GATEWAY_HOST + ":" + port + ":127.0.0.1";
        String first = Processes.command("curl", "-sS", "--negotiate", "-u", ":", "-c", jar.toString(), "-D", "-",
                "--resolve", resolve, url).env(dc.clientEnv(ccache)).timeout(Duration.ofSeconds(60)).run().stdout();
        assertTrue(first.contains("HTTP/1.1 200"), first);
        double cached = metric(gateway, "kerbgate_delegation_requests_total{result=\"cached\"");

        // No Negotiate now: only the cookie, and the backend ticket the gateway kept for alice.
        String second = Processes.command("curl", "-sS", "-b", jar.toString(), "-D", "-", "--resolve", resolve, url)
                .timeout(Duration.ofSeconds(60)).run().stdout();

        assertTrue(second.contains("HTTP/1.1 200"), second + apache.errorLog());
        List<String> users = apacheUsers();
        assertEquals("alice@" + SambaDc.REALM, users.get(users.size() - 1));
        assertEquals(cached + 1, metric(gateway, "kerbgate_delegation_requests_total{result=\"cached\""));
    }

    @Test
    void aTicketThatIsNotForwardable_isRefused_403_andNeverReachesTheBackend() throws Exception {
        int before = apache.accessLog().size();
        double refused = metric(gateway, "kerbgate_delegation_requests_total{result=\"refused\"");

        String out = curl(gateway, "carol", CAROL_PASSWORD, false);

        assertTrue(out.contains("HTTP/1.1 403"), out);
        assertEquals(before, apache.accessLog().size(), apache.accessLog().toString());
        assertEquals(refused + 1, metric(gateway, "kerbgate_delegation_requests_total{result=\"refused\""));
    }

    @Test
    void aBackendNotInTheDelegationList_isRefusedByTheKdc_403() throws Exception {
        int before = apache.accessLog().size();

        String out = curl(notDelegated, "alice", SambaDc.ALICE_PASSWORD, true);

        assertTrue(out.contains("HTTP/1.1 403"), out);
        assertEquals(before, apache.accessLog().size(), apache.accessLog().toString());
        assertEquals(1, metric(notDelegated, "kerbgate_delegation_requests_total{result=\"refused\""));
    }

    @Test
    void aRolloverOfTheGatewaysKey_keepsTheCachedTickets_andNewUsersStillGetOne() throws Exception {
        assertTrue(curl(gateway, "alice", SambaDc.ALICE_PASSWORD, true).contains("HTTP/1.1 200"));
        double obtained = metric(gateway, "kerbgate_delegation_requests_total{result=\"obtained\"");
        double cached = metric(gateway, "kerbgate_delegation_requests_total{result=\"cached\"");
        List<KeytabEntry> before = KeytabFile.parse(Files.readAllBytes(gatewayKeytab));
        int oldKvno = before.get(0).kvno();

        // The account's key changes (kvno + 1); the nodes get a keytab with the old and the new key, as a rollover
        // installs it.
        dc.tool("user", "setpassword", GATEWAY_ACCOUNT, "--newpassword=Deleg-Gateway-Pass-5678!");
        Path fresh = dc.exportKeytabAs(GATEWAY_ACCOUNT, GATEWAY_PRINCIPAL, dir.resolve("fresh.keytab"));
        List<KeytabEntry> both = new ArrayList<>(before);
        both.addAll(KeytabFile.parse(Files.readAllBytes(fresh)));
        assertTrue(both.stream().anyMatch(e -> e.kvno() > oldKvno), both.toString());
        SecretFile.write(gatewayKeytab, KeytabFile.write(both));

        // dave's ticket is under the new kvno: once the gateway has read the new keytab, the KDC gives it his
        // backend ticket with evidence sealed in the new key.
        String dave = "";
        for (int i = 0; i < 50 && !dave.contains("HTTP/1.1 200"); i++) {
            Thread.sleep(200);
            dave = curl(gateway, "dave", DAVE_PASSWORD, true);
        }
        assertTrue(dave.contains("HTTP/1.1 200"), dave + apache.errorLog());
        List<String> users = apacheUsers();
        assertEquals("dave@" + SambaDc.REALM, users.get(users.size() - 1));
        assertEquals(obtained + 1, metric(gateway, "kerbgate_delegation_requests_total{result=\"obtained\""));
        // alice's new ticket is under the new kvno too; her backend ticket, kept from before, still serves.
        String alice = curl(gateway, "alice", SambaDc.ALICE_PASSWORD, true);
        assertTrue(alice.contains("HTTP/1.1 200"), alice + apache.errorLog());
        assertEquals(cached + 1, metric(gateway, "kerbgate_delegation_requests_total{result=\"cached\""));
        assertEquals("alice@" + SambaDc.REALM, apacheUsers().get(apacheUsers().size() - 1));
    }
}
