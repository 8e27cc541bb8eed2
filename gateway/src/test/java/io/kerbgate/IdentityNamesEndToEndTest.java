package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client can choose in its principal name, against the name the backend gets: real MIT KDCs (a local realm and
 * a partner realm that it trusts), real tickets from kinit, curl --negotiate, the whole gateway with
 * {@code identity.strip_realm} on and the local realms left to their default (the keytab's realm).
 *
 * <p>MIT lets an administrator (or a partner realm's administrator) create names with {@code @} or {@code /} inside a
 * component ({@code kadmin.local addprinc 'alice\@MIT.TEST'}); the gateway must forward them so that no two
 * principals ever share a forwarded name.
 */
final class IdentityNamesEndToEndTest {
    private static final String HOST = "array.example.test";
    private static final String LOCAL = "MIT.TEST";
    private static final String PARTNER = "PARTNER.TEST";

    @TempDir
    static Path dir;

    private static MitKdc local;
    private static MitKdc partner;
    private static EchoBackend backend;
    private static Kerbgate gateway;
    private static Path krb5Conf;

    @BeforeAll
    static void start() throws Exception {
        if (!MitKdc.isAvailable()) {
            return;
        }
        backend = EchoBackend.start("node-1");
        local = MitKdc.start(LOCAL);
        partner = MitKdc.start(PARTNER);
        // A one-way trust: PARTNER.TEST users get tickets for MIT.TEST services. Same password, same salt (the
        // principal's name), so both databases hold the same key.
        for (MitKdc kdc : List.of(local, partner)) {
            kdc.kadmin("addprinc -pw trust-pw-1 krbtgt/" + LOCAL + "@" + PARTNER);
        }
        // MIT 1.20 puts the client's name in the TGT's PAC as unparsed text and refuses a TGS request when it reads
        // back as another name (a\/b parses as a/b): tickets without a PAC, as from a KDC before 1.20.
        local.kadmin("modprinc +no_auth_data_required krbtgt/" + LOCAL + "@" + LOCAL);
        for (String p : List.of("alice", "a/b", "a\\/b", "alice\\@" + PARTNER, "eve\\nalice")) {
            local.kadmin("addprinc -pw pw " + p + "@" + LOCAL);
        }
        for (String p : List.of("alice", "alice\\@" + LOCAL)) {
            partner.kadmin("addprinc -pw pw " + p + "@" + PARTNER);
        }
        Path keytab = dir.resolve("http.keytab");
        local.createServicePrincipalWithKeytab("HTTP/" + HOST + "@" + LOCAL, keytab, 18, 17);
        krb5Conf = Files.writeString(dir.resolve("krb5.conf"), String.join("\n",
                "[libdefaults]",
                "  default_realm = " + LOCAL,
                "  dns_lookup_kdc = false",
                "  dns_lookup_realm = false",
                "  dns_canonicalize_hostname = false",
                "  rdns = false",
                "  udp_preference_limit = 1",
                "[realms]",
                "  " + LOCAL + " = {",
                "    kdc = 127.0.0.1:" + local.port(),
                "  }",
                "  " + PARTNER + " = {",
                "    kdc = 127.0.0.1:" + partner.port(),
                "  }",
                "[domain_realm]",
                "  " + HOST + " = " + LOCAL,
                "[capaths]",
                "  " + PARTNER + " = {",
                "    " + LOCAL + " = .",
                "  }",
                ""));
        gateway = Kerbgate.start(ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  replay_cache_file: replay.cache
                identity:
                  strip_realm: true
                routes:
                  - {name: ab, path: /ab/, allow: {principals: [a/b@MIT.TEST]}}
                """.formatted(keytab, backend.port()), dir));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {gateway, local, partner, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** kinit as {@code principal} (MIT's parser, escapes and all), then curl --negotiate {@code path}. */
    private static String curl(String principal, String path) {
        Path ccache = dir.resolve("cc-" + Integer.toHexString(principal.hashCode()) + "-" + System.nanoTime());
        Map<String, String> env = Map.of("KRB5_CONFIG", krb5Conf.toString(),
                "KRB5CCNAME", "FILE:" + ccache.toAbsolutePath());
        Processes.command("/usr/bin/kinit", principal).env(env).stdin("pw\n").timeout(Duration.ofSeconds(20)).run();
        int port = gateway.frontPort();
        return Processes.command("curl", "-sS", "--negotiate", "-u", ":", "-D", "-",
                        "--resolve", HOST + ":" + port + ":127.0.0.1", "http://" + HOST + ":" + port + path)
                .env(env).timeout(Duration.ofSeconds(20)).run().stdout();
    }

    private static String forwarded(String principal) {
        String out = curl(principal, "/hello");
        assertTrue(out.startsWith("HTTP/1.1 200"), principal + ": " + out);
        List<String> names = EchoBackend.headerValues(out.substring(out.indexOf("\r\n\r\n") + 4), "x-remote-user");
        assertEquals(1, names.size(), out);
        return names.get(0);
    }

    @Test
    void strip_realm_strips_the_local_realm_only() {
        assumeTrue(gateway != null, MitKdc.NOT_INSTALLED);
        assertEquals("alice", forwarded("alice@" + LOCAL));
        // A cross-realm ticket: the partner's alice is not the local alice.
        assertEquals("alice@" + PARTNER, forwarded("alice@" + PARTNER));
    }

    @Test
    void an_at_sign_inside_a_component_is_escaped_never_read_as_the_realm() {
        assumeTrue(gateway != null, MitKdc.NOT_INSTALLED);
        // The partner's principal "alice@MIT.TEST" (one component) must not reach the backend as the local alice.
        assertEquals("alice\\@" + LOCAL + "@" + PARTNER, forwarded("alice\\@" + LOCAL + "@" + PARTNER));
        assertEquals("alice\\@" + PARTNER, forwarded("alice\\@" + PARTNER + "@" + LOCAL));
    }

    @Test
    void a_slash_inside_a_component_is_escaped_and_differs_from_two_components() {
        assumeTrue(gateway != null, MitKdc.NOT_INSTALLED);
        String two = forwarded("a/b@" + LOCAL);
        String one = forwarded("a\\/b@" + LOCAL);
        assertEquals("a/b", two);
        assertEquals("a\\/b", one);
        assertNotEquals(one, two);
    }

    @Test
    void access_rules_match_the_unambiguous_name() {
        assumeTrue(gateway != null, MitKdc.NOT_INSTALLED);
        assertTrue(curl("a/b@" + LOCAL, "/ab/x").startsWith("HTTP/1.1 200"));
        // One component "a/b" is not the principal a/b@MIT.TEST that the route allows.
        String out = curl("a\\/b@" + LOCAL, "/ab/x");
        assertTrue(out.startsWith("HTTP/1.1 403"), out);
    }

    @Test
    void a_control_character_in_the_name_is_a_403_never_a_header() {
        assumeTrue(gateway != null, MitKdc.NOT_INSTALLED);
        int before = backend.hits();
        // kinit parses \n as a line feed: the component is "eve", LF, "alice".
        String out = curl("eve\\nalice@" + LOCAL, "/hello");
        assertTrue(out.startsWith("HTTP/1.1 403"), out);
        assertFalse(out.contains("alice"), out);
        assertEquals(before, backend.hits());
    }
}
