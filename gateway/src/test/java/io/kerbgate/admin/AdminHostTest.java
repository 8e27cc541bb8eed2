package io.kerbgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.proxy.TlsContextReloader;
import io.kerbgate.testing.SecretFile;
import io.kerbgate.testing.TestCertificates;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DNS rebinding onto the admin listener, on raw sockets: a browser page on evil.example.test whose name resolves to
 * 127.0.0.1 sends {@code Host: evil.example.test:9090}; /config and /keys must not answer it.
 */
final class AdminHostTest {

    @TempDir
    Path dir;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private AdminServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        GatewayConfig config = ConfigLoader.parse("""
                listen: 127.0.0.1:8080
                keytab: http.keytab
                backends: [http://127.0.0.1:9001]
                admin:
                  listen: 127.0.0.1:0
                  allowed_hosts: [kerbgate-1.example.test]
                """, dir);
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), config.admin().allowedHosts(), registry,
                AdminEndpoints.starting(config), null);
        port = server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        registry.close();
    }

    /** The whole response to one raw request with this Host line ({@code null}: none). */
    private String get(String path, String hostLine) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            String request = "GET " + path + " HTTP/1.1\r\n" + (hostLine == null ? "" : "Host: " + hostLine + "\r\n")
                    + "Connection: close\r\n\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @ParameterizedTest(name = "Host: ''{0}''")
    @ValueSource(strings = {"evil.example.test", "evil.example.test:%d", "localhost.evil.example.test:%d",
        "127.0.0.1.evil.example.test", "kerbgate-1.example.test.evil.example.test", "[::1", "127.0.0.1:x",
        "localhost:%d:%d", ""})
    void aForeignHost_getsA421_beforeAnyEndpoint(String host) throws Exception {
        double before = registry.counter(AdminHandler.REFUSED, "reason", "host").count();
        for (String path : new String[] {"/config", "/keys", "/metrics"}) {
            String response = get(path, host.formatted(port, port));

            assertTrue(response.startsWith("HTTP/1.1 421 Misdirected Request\r\n"), response);
            assertTrue(response.contains("admin.allowed_hosts"), response);
            assertFalse(response.contains("\"listen\""), "no config in the answer: " + response);
        }
        assertEquals(before + 3, registry.counter(AdminHandler.REFUSED, "reason", "host").count());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1:%d", "127.0.0.1", "[::1]:%d", "localhost:%d", "LOCALHOST.", "localhost",
        "kerbgate-1.example.test:%d", "Kerbgate-1.Example.Test"})
    void itsOwnNames_areAnswered(String host) throws Exception {
        String response = get("/config", host.formatted(port));

        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(response.contains("\"listen\""), response);
    }

    @org.junit.jupiter.api.Test
    void noHost_isAnswered_aBrowserAlwaysSendsOne() throws Exception {
        assertTrue(get("/healthz", null).startsWith("HTTP/1.1 200 OK\r\n"));
    }

    @org.junit.jupiter.api.Test
    void overTls_everyHostIsAnswered_theBrowserCheckedTheCertificateNamesIt() throws Exception {
        TestCertificates.Ca ca = TestCertificates.ca(dir, "admin CA");
        TestCertificates.Pair pair = ca.issue("node1", 2, "DNS:node1.example.test", "IP:127.0.0.1");
        TlsContextReloader tls = TlsContextReloader.forAdmin(new GatewayConfig.AdminTls(pair.cert(), pair.key(), null),
                registry, Duration.ofSeconds(1), Clock.systemUTC());
        GatewayConfig config = ConfigLoader.parse("""
                listen: 127.0.0.1:8080
                keytab: http.keytab
                backends: [http://127.0.0.1:9001]
                """, dir);
        try (AdminServer overTls = new AdminServer(new InetSocketAddress("127.0.0.1", 0), List.of(),
                registry, AdminEndpoints.starting(config), tls)) {
            int tlsPort = overTls.start();
            SSLContext trusting = SSLContext.getInstance("TLS");
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            try (InputStream in = Files.newInputStream(ca.pair().cert())) {
                store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            trusting.init(null, tmf.getTrustManagers(), null);
            try (Socket s = trusting.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: node1.example.test:" + tlsPort
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
            }
        }
        // The same name on the plain listener is still refused: not one of its names.
        assertTrue(get("/healthz", "node1.example.test").startsWith("HTTP/1.1 421"));
    }
}
