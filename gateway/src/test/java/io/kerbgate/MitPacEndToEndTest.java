package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MIT krb5 1.20 and later (Debian 12 ships 1.20.1) put a PAC in every ticket: client info, the server and KDC
 * signatures and the full-PAC/ticket signatures, but no logon info. {@code acceptor.pac: verify} and {@code require}
 * must accept it (its server signature verified with the service key), with no groups.
 */
final class MitPacEndToEndTest {
    private static final String HOST = "array.example.test";

    @TempDir
    static Path dir;

    private static MitKdc mit;
    private static EchoBackend backend;
    private static Path keytab;

    @BeforeAll
    static void start() throws Exception {
        if (!MitKdc.isAvailable()) {
            return;
        }
        backend = EchoBackend.start("node-1");
        mit = MitKdc.start("MIT.TEST");
        mit.createPrincipal("alice@MIT.TEST", "alice-pw");
        keytab = dir.resolve("http.keytab");
        mit.createServicePrincipalWithKeytab("HTTP/" + HOST + "@MIT.TEST", keytab, 18, 17);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {mit, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @ParameterizedTest(name = "acceptor.pac: {0}")
    @ValueSource(strings = {"verify", "require"})
    void a_pac_without_logon_info_is_verified_and_accepted_without_groups(String mode) throws Exception {
        assumeTrue(mit != null, MitKdc.NOT_INSTALLED);
        try (Kerbgate gateway = Kerbgate.start(ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                acceptor: {pac: %s, replay_cache_file: replay-%s.cache}
                identity: {groups_header: X-Remote-Groups}
                """.formatted(keytab, backend.port(), mode, mode), dir))) {
            Path ccache = dir.resolve("cc-" + mode);
            mit.kinit("alice@MIT.TEST", "alice-pw", ccache);
            int port = gateway.frontPort();
            String out = Processes.command("curl", "-sS", "--negotiate", "-u", ":", "-D", "-",
                            "--resolve", HOST + ":" + port + ":127.0.0.1", "http://" + HOST + ":" + port + "/")
                    .env(mit.clientEnv(ccache)).timeout(Duration.ofSeconds(20)).run().stdout();
            assertTrue(out.contains("HTTP/1.1 200"), out);
            String body = out.substring(out.lastIndexOf("\r\n\r\n") + 4);
            assertEquals(List.of("alice@MIT.TEST"), EchoBackend.headerValues(body, "x-remote-user"));
            assertEquals(List.of(), EchoBackend.headerValues(body, "x-remote-groups"));
        }
    }
}
