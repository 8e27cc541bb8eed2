package io.kerbgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The non-Java clients kerbgate is tested with, on MIT krb5: python-gssapi and curl, against the JDK acceptor. */
final class ExternalClientsTest {

    private static final String REALM = "CLIENTS.TEST";
    private static final String HOST = "array.example.test";
    private static final String SERVICE = "HTTP/" + HOST + "@" + REALM;
    private static final String PYTHON = "/usr/bin/python3";
    private static final String CURL = "/usr/bin/curl";
    private static final Duration STEP = Duration.ofSeconds(10);
    private static final String NEGOTIATE = "Negotiate ";

    @TempDir
    static Path tmp;
    private static MitKdc kdc;
    private static Path ccache;
    private static GssAcceptorOracle oracle;

    @BeforeAll
    static void startKdcAndKinit() {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        kdc = MitKdc.start(REALM);
        kdc.createPrincipal("alice", "alice-password");
        Path keytab = tmp.resolve("http.keytab");
        kdc.createServicePrincipalWithKeytab(SERVICE, keytab, 20);
        ccache = tmp.resolve("alice.ccache");
        kdc.kinit("alice", "alice-password", ccache);
        oracle = new GssAcceptorOracle(kdc.krb5Conf(), keytab, SERVICE);
    }

    @AfterAll
    static void stopKdc() {
        if (kdc != null) {
            kdc.close();
        }
    }

    @Test
    void pythonGssapi_isInstalledForTheSystemPython() {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "no " + PYTHON);
        Processes.command(PYTHON, "-c", "import gssapi").timeout(STEP).run();
    }

    @ParameterizedTest
    @ValueSource(strings = {"spnego", "krb5"})
    void pythonClient_withMutualAuth_completesWithTheJdkAcceptorsAnswer(String mech) throws Exception {
        try (RunningProcess python = negotiateClient("--mech", mech)) {
            byte[] token = Base64.getDecoder().decode(python.readLine(STEP));
            GssAcceptorOracle.Accepted accepted = assertInstanceOf(GssAcceptorOracle.Accepted.class, oracle.verdict(token));
            assertEquals("alice@" + REALM, accepted.client());
            assertTrue(accepted.mutual());

            python.writeLine(NEGOTIATE + Base64.getEncoder().encodeToString(accepted.responseToken()));
            assertEquals("complete", python.readLine(STEP), python.stderr());
            assertEquals(0, python.await(STEP).exitCode());
        }
    }

    @Test
    void pythonClient_withMutualAuth_isIncompleteWithoutTheServersToken() throws Exception {
        try (RunningProcess python = negotiateClient()) {
            assertInstanceOf(GssAcceptorOracle.Accepted.class,
                    oracle.verdict(Base64.getDecoder().decode(python.readLine(STEP))));
            python.writeLine("");
            assertEquals("incomplete", python.readLine(STEP));
            assertEquals(3, python.await(STEP).exitCode());
        }
    }

    @Test
    void pythonClient_refusesAForgedServerToken() {
        try (RunningProcess python = negotiateClient("--mech", "krb5")) {
            python.readLine(STEP);
            python.writeLine(NEGOTIATE + Base64.getEncoder().encodeToString(new byte[] {0x6f, 0x03, 0x30, 0x01, 0x00}));
            Processes.Result result = python.await(STEP);
            assertEquals(4, result.exitCode(), result.describe());
            assertTrue(result.stderr().startsWith("error: "), result.stderr());
        }
    }

    @Test
    void curl_hasGssApiAndSpnego() {
        String features = Processes.command(CURL, "-V").timeout(STEP).run().stdout();
        assertTrue(features.matches("(?s).*Features:.* GSS-API .*"), features);
        assertTrue(features.matches("(?s).*Features:.* SPNEGO.*"), features);
    }

    @Test
    void curlNegotiate_authenticatesToAServerThatAsksTheJdkAcceptor() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ExternalClientsTest::negotiate);
        server.start();
        try {
            int port = server.getAddress().getPort();
            Processes.Result result = Processes.command(CURL, "--silent", "--show-error", "--fail", "--negotiate",
                            "--user", ":", "--resolve", HOST + ":" + port + ":127.0.0.1", "http://" + HOST + ":" + port + "/")
                    .env(kdc.clientEnv(ccache)).timeout(STEP).run();
            assertEquals("hello alice@" + REALM, result.stdout().strip());
        } finally {
            server.stop(0);
        }
    }

    /** The smallest Negotiate server: 401 with a challenge, or 200 with the acceptor's token when the oracle accepts. */
    private static void negotiate(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith(NEGOTIATE)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Negotiate");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            GssAcceptorOracle.Verdict verdict = oracle.verdict(Base64.getDecoder().decode(authorization.substring(NEGOTIATE.length())));
            if (!(verdict instanceof GssAcceptorOracle.Accepted accepted)) {
                exchange.sendResponseHeaders(403, -1);
                return;
            }
            exchange.getResponseHeaders().add("WWW-Authenticate",
                    NEGOTIATE + Base64.getEncoder().encodeToString(accepted.responseToken()));
            byte[] body = ("hello " + accepted.client() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private static RunningProcess negotiateClient(String... args) {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "no " + PYTHON);
        Path script;
        try {
            script = Path.of(ExternalClientsTest.class.getResource("/python/negotiate_client.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> argv = new ArrayList<>(List.of(PYTHON, script.toString()));
        argv.addAll(List.of(args));
        return Processes.command(argv).env(kdc.clientEnv(ccache)).start();
    }
}
