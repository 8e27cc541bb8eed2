package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.testing.HaProxy;
import io.kerbgate.testing.KerbyKdc;
import io.kerbgate.testing.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kerbgate behind Debian's HAProxy in TCP mode (an L4 balancer), with {@code proxy_protocol.from} naming the balancer
 * (127.0.0.1). The client connects from another loopback address (127.0.0.2) with curl, so that what the backend
 * and the logs see tells the balancer and the client apart.
 */
final class ProxyProtocolEndToEndTest {

    @TempDir
    static Path dir;

    private static KerbyKdc kdc;
    private static EchoBackend backend;
    private static Kerbgate gateway;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(HaProxy.isAvailable(), HaProxy.NOT_INSTALLED);
        backend = EchoBackend.start("node-1");
        kdc = KerbyKdc.start("KERBY.TEST");
        Path keytab = dir.resolve("array.keytab");
        kdc.createServicePrincipalWithKeytab("HTTP/array.example.test@KERBY.TEST", keytab, 18);
        gateway = Kerbgate.start(ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                routes:
                  - {name: public, path: /, anonymous: true}
                proxy_protocol:
                  from: [127.0.0.1/32]
                """.formatted(keytab, backend.port()), dir));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {gateway, kdc, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static Processes.Result curl(int port, String... extra) {
        List<String> argv = new ArrayList<>(List.of("curl", "-sS", "--interface", "127.0.0.2",
                "--max-time", "10", "-H", "X-Forwarded-For: 203.0.113.9"));
        argv.addAll(List.of(extra));
        argv.add("http://127.0.0.1:" + port + "/whoami");
        return Processes.command(argv).timeout(Duration.ofSeconds(20)).exec();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"send-proxy-v2", "send-proxy"})
    void behindTheBalancer_theBackendSeesTheClient_theClientsOwnChainIsKeptAndAppendedTo(String sendProxy) {
        try (HaProxy balancer = HaProxy.start("127.0.0.1:" + gateway.frontPort(), sendProxy)) {
            Processes.Result r = curl(balancer.port());

            assertEquals(0, r.exitCode(), r.stderr());
            // Only the element kerbgate appends is its word; the client's own chain stays in front of it.
            assertEquals(List.of("203.0.113.9, 127.0.0.2"), EchoBackend.headerValues(r.stdout(), "x-forwarded-for"),
                    r.stdout());
            assertTrue(EchoBackend.headerValues(r.stdout(), "forwarded").get(0).contains("for=127.0.0.2"),
                    r.stdout());
        }
    }

    @Test
    void straightToTheGateway_fromOutsideTheBalancersNetwork_closedWithoutAnAnswer() {
        Processes.Result r = curl(gateway.frontPort());

        assertNotEquals(0, r.exitCode(), "no HTTP answer: " + r.stdout());
        assertTrue(r.stdout().isEmpty(), r.stdout());
    }
}
