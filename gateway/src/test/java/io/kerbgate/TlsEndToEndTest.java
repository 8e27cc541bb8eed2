package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.SecretFile;
import io.kerbgate.testing.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.ietf.jgss.ChannelBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway over TLS with real Kerberos clients: a MIT KDC, {@code kinit} + {@code curl --negotiate} over HTTPS
 * (HTTP/1.1 and HTTP/2), python-gssapi and the JDK's GSS initiator binding their tokens to the TLS channel (RFC 5929
 * {@code tls-server-end-point}), and a test CA made by {@code openssl} at test time.
 *
 * <p>Two gateways share the KDC and keytab: {@code optional} (channel bindings checked when sent, HTTP/2 on, the
 * principal forwarded as it is) and {@code required} (bindings must be sent, HTTP/1.1 only, realm stripped and a
 * signed identity assertion added).
 */
final class TlsEndToEndTest {
    private static final String HOST = "array.example.test";
    private static final String SERVICE = "HTTP/" + HOST + "@MIT.TEST";

    @TempDir
    static Path dir;

    private static MitKdc mit;
    private static EchoBackend backend;
    private static TestCertificates.Ca ca;
    private static Kerbgate optional;
    private static Kerbgate required;
    private static Path ccache;
    private static byte[] assertionKey;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        backend = EchoBackend.start("node-1");
        mit = MitKdc.start("MIT.TEST");
        mit.createPrincipal("alice@MIT.TEST", "alice-pw");
        Path keytab = dir.resolve("http.keytab");
        mit.createServicePrincipalWithKeytab(SERVICE, keytab, 18, 17);
        ccache = dir.resolve("alice.ccache");
        mit.kinit("alice@MIT.TEST", "alice-pw", ccache);

        ca = TestCertificates.ca(dir, "kerbgate e2e CA");
        TestCertificates.Pair server = ca.issue("array", 0x5eed, "DNS:" + HOST, "IP:127.0.0.1");
        Processes.command("openssl", "rand", "-out", dir.resolve("assertion.key").toString(), "32").run();
        SecretFile.chmod600(dir.resolve("assertion.key"));
        assertionKey = Files.readAllBytes(dir.resolve("assertion.key"));

        optional = Kerbgate.start(ConfigLoader.parse(common(keytab, server) + """
                  http2: true
                  channel_bindings: optional
                """, dir));
        required = Kerbgate.start(ConfigLoader.parse(common(keytab, server) + """
                  http2: false
                  channel_bindings: required
                identity:
                  strip_realm: true
                  assertion:
                    type: hmac
                    key_file: assertion.key
                """, dir));
    }

    private static String common(Path keytab, TestCertificates.Pair server) {
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
                """.formatted(keytab, backend.port(), java.util.UUID.randomUUID(), server.cert(), server.key());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {optional, required, mit, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    // --- curl --negotiate over HTTPS ---

    @Test
    void curl_negotiate_overHttps_http11() {
        String out = curl(optional, "--http1.1");

        assertTrue(out.startsWith("HTTP/1.1 200"), out);
        assertTrue(out.contains("x-remote-user: alice@MIT.TEST"), out);
        assertTrue(out.contains("x-forwarded-proto: https"), out);
        assertTrue(out.toLowerCase().contains("www-authenticate: negotiate "), "mutual-auth token sent: " + out);
    }

    @Test
    void curl_negotiate_overHttp2() {
        String out = curl(optional, "--http2");

        assertTrue(out.startsWith("HTTP/2 200"), out);
        assertTrue(out.contains("x-remote-user: alice@MIT.TEST"), out);
        assertTrue(out.toLowerCase().contains("www-authenticate: negotiate "), "mutual-auth token sent: " + out);
    }

    // --- channel bindings ---

    @Test
    void curl_sendsNoBindings_soRequiredRefusesIt() throws Exception {
        // curl 7.88 with MIT 1.20 binds nothing (curl computes tls-server-end-point only from 8.x, with OpenSSL).
        double before = channelBindingRefusals(required);

        String out = curl(required, "--http1.1");

        assertTrue(out.startsWith("HTTP/1.1 401"), out);
        assertEquals(before + 1, channelBindingRefusals(required));
    }

    @Test
    void python_boundToThisCertificate_isAccepted_evenWhereRequired() throws Exception {
        String optionalOut = python(optional, "tls-server-end-point");
        assertTrue(optionalOut.startsWith("200\n"), optionalOut);
        assertEquals(List.of("alice@MIT.TEST"), EchoBackend.headerValues(optionalOut, "x-remote-user"));

        String requiredOut = python(required, "tls-server-end-point");
        assertTrue(requiredOut.startsWith("200\n"), requiredOut);
        // identity mapping and the signed assertion, seen by the backend
        assertEquals(List.of("alice"), EchoBackend.headerValues(requiredOut, "x-remote-user"));
        List<String> assertions = EchoBackend.headerValues(requiredOut, "x-kerbgate-assertion");
        assertEquals(1, assertions.size(), requiredOut);
        assertEquals("alice", verifiedIdentity(assertions.get(0)));
    }

    @Test
    void python_boundToAnotherCertificate_isRefused_withReasonChannelBinding() throws Exception {
        double before = channelBindingRefusals(optional);

        String out = python(optional, "other");

        assertTrue(out.startsWith("401\n"), out);
        assertEquals(before + 1, channelBindingRefusals(optional));
    }

    @Test
    void python_withoutBindings_isAcceptedWhereOptional_andRefusedWhereRequired() throws Exception {
        assertTrue(python(optional, "none").startsWith("200\n"));
        assertTrue(python(required, "none").startsWith("401\n"));
    }

    @Test
    void jdkInitiator_boundAsTheJdkHttpsClientBindsIt_isAccepted() throws Exception {
        X509Certificate certificate;
        try (var in = Files.newInputStream(dir.resolve("array.pem"))) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        // What the JDK's HttpURLConnection does with -Djdk.https.negotiate.cbt: the JDK's own RFC 5929 hash of the
        // certificate, bound with address types 0. Reflection: both classes are JDK internals (exported by the pom).
        byte[] data = (byte[]) Class.forName("sun.security.util.TlsChannelBinding")
                .getMethod("getData").invoke(Class.forName("sun.security.util.TlsChannelBinding")
                        .getMethod("create", X509Certificate.class).invoke(null, certificate));
        byte[] otherData = data.clone();
        otherData[otherData.length - 1] ^= 1;
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(ca.pair().cert())).build();
        try (GssClient client = GssClient.withPassword(mit.krb5Conf(), "alice@MIT.TEST", "alice-pw")) {
            for (Kerbgate gateway : List.of(optional, required)) {
                assertEquals(200, get(http, gateway, header(client, jdkTlsBinding(data))).statusCode());
                assertEquals(401, get(http, gateway, header(client, jdkTlsBinding(otherData))).statusCode());
                // The public API's new ChannelBinding(data) hashes address types 255 (GSS_C_AF_NULLADDR): not what
                // MIT, Windows or the JDK's HTTPS client send for TLS, and refused like any other mismatch.
                assertEquals(401, get(http, gateway, header(client, new ChannelBinding(data))).statusCode());
            }
        }
    }

    private static ChannelBinding jdkTlsBinding(byte[] data) throws Exception {
        return (ChannelBinding) Class.forName("sun.security.jgss.krb5.internal.TlsChannelBindingImpl")
                .getConstructor(byte[].class).newInstance((Object) data);
    }

    private static String header(GssClient client, ChannelBinding bindings) throws Exception {
        return client.negotiate(SERVICE, GssMech.SPNEGO, true, bindings).headerValue();
    }

    // --- helpers ---

    private static String curl(Kerbgate gateway, String version) {
        int port = gateway.frontPort();
        return Processes.command("curl", "-sS", version, "--negotiate", "-u", ":", "-D", "-",
                        "--cacert", ca.pair().cert().toString(), "--resolve", HOST + ":" + port + ":127.0.0.1",
                        "https://" + HOST + ":" + port + "/")
                .env(mit.clientEnv(ccache)).timeout(Duration.ofSeconds(20)).run().stdout();
    }

    private static String python(Kerbgate gateway, String bindings) {
        Path script = Path.of("src/test/resources/python/tls_negotiate_client.py").toAbsolutePath();
        int port = gateway.frontPort();
        List<String> argv = new ArrayList<>(List.of("/usr/bin/python3", script.toString(),
                "--url", "https://" + HOST + ":" + port + "/", "--connect", "127.0.0.1:" + port,
                "--cafile", ca.pair().cert().toString(), "--bindings", bindings));
        return Processes.command(argv).env(mit.clientEnv(ccache)).timeout(Duration.ofSeconds(30)).run().stdout();
    }

    private static HttpResponse<String> get(HttpClient http, Kerbgate gateway, String authorization)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.frontPort() + "/"))
                .header("Authorization", authorization).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double channelBindingRefusals(Kerbgate gateway) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("kerbgate_auth_requests_total\\{[^}]*reason=\"channel_binding\"[^}]*} (\\S+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** The HMAC form of docs/tls-and-identity.md, checked with the gateway's key. */
    private static String verifiedIdentity(String assertion) throws Exception {
        int cut = assertion.lastIndexOf(';');
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(assertionKey, "HmacSHA256"));
        byte[] expected = mac.doFinal(assertion.substring(0, cut).getBytes(StandardCharsets.UTF_8));
        assertTrue(MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(assertion.substring(cut + 1))),
                assertion);
        String[] fields = assertion.split(";");
        assertEquals("v1", fields[0]);
        assertTrue(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(fields[2])) < 60, assertion);
        return fields[1];
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (var in = Files.newInputStream(caPem)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

}
