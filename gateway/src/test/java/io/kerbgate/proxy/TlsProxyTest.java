package io.kerbgate.proxy;

import static io.kerbgate.proxy.FixedTokenAuthenticator.BAD;
import static io.kerbgate.proxy.FixedTokenAuthenticator.GOOD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.testing.SecretFile;
import io.kerbgate.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both sides of the proxy with real sockets and clients: the JDK's {@link HttpClient} (HTTP/1.1 and HTTP/2 by
 * ALPN), {@link SSLSocket} to see which certificate a new connection gets, and a Netty HTTPS backend. Kerberos is
 * stubbed ({@link FixedTokenAuthenticator}); {@code TlsEndToEndTest} has the real clients and KDC.
 */
final class TlsProxyTest {

    @TempDir
    static Path dir;

    private static TestCertificates.Ca ca;
    private static TestCertificates.Ca otherCa;
    private static TestCertificates.Pair server;
    private static SSLContext trustCa;
    private static EchoBackend backend;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final FixedTokenAuthenticator acceptor = new FixedTokenAuthenticator();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCertificates.ca(dir, "kerbgate test CA");
        otherCa = TestCertificates.ca(dir, "some other CA");
        server = ca.issue("server", 0x1001, "DNS:array.example.test", "IP:127.0.0.1");
        trustCa = trusting(ca.pair().cert());
        backend = EchoBackend.start("plain");
        SecretFile.write(dir.resolve("unused.keytab"), new byte[] {0x05, 0x02});
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    // --- the front: HTTPS and HTTP/2 ---

    @Test
    void https_http11_forwardsProtoHttps() throws Exception {
        int port = start(tls(server, "http2: true"), backend.port());
        HttpClient client = client(HttpClient.Version.HTTP_1_1);

        HttpResponse<String> response = client.send(get(port, "/one", GOOD), BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        assertEquals(List.of("https"), EchoBackend.headerValues(response.body(), "x-forwarded-proto"));
        assertEquals(List.of("alice@ARRAY.TEST"), EchoBackend.headerValues(response.body(), "x-remote-user"));
        // keep-alive over TLS: a second request on the same connection
        assertEquals(401, client.send(get(port, "/two", BAD), BodyHandlers.ofString()).statusCode());
    }

    @Test
    void h2_everyStreamIsAuthenticatedOnItsOwn() throws Exception {
        int port = start(tls(server, "http2: true"), backend.port());
        HttpClient client = client(HttpClient.Version.HTTP_2);
        // Warm up: the first request opens the connection, the next three are concurrent streams on it.
        assertEquals(HttpClient.Version.HTTP_2, client.send(get(port, "/", GOOD), BodyHandlers.ofString()).version());

        CompletableFuture<HttpResponse<String>> good = client.sendAsync(get(port, "/a", GOOD), BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> bad = client.sendAsync(get(port, "/b", BAD), BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> post = client.sendAsync(HttpRequest.newBuilder(uri(port, "/c"))
                .header("Authorization", GOOD).header("X-Remote-User", "mallory")
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))).build(), BodyHandlers.ofString());

        assertEquals(200, good.get().statusCode(), good.get().body());
        assertEquals(401, bad.get().statusCode());
        assertTrue(bad.get().headers().firstValue("www-authenticate").orElseThrow().startsWith("Negotiate"));
        HttpResponse<String> posted = post.get();
        assertEquals(200, posted.statusCode(), posted.body());
        for (HttpResponse<String> r : List.of(good.get(), bad.get(), posted)) {
            assertEquals(HttpClient.Version.HTTP_2, r.version());
        }
        assertEquals(List.of("alice@ARRAY.TEST"), EchoBackend.headerValues(posted.body(), "x-remote-user"));
        assertEquals(List.of("https"), EchoBackend.headerValues(posted.body(), "x-forwarded-proto"));
        assertFalse(posted.body().contains("x-http2-"), posted.body());
        assertEquals(4, acceptor.calls.get());
    }

    @Test
    void h2_refusalPages_byAccept_andHeadHasNoBody() throws Exception {
        int port = start(tls(server, "http2: true"), backend.port());
        HttpClient client = client(HttpClient.Version.HTTP_2);
        String browser = "text/html,application/xhtml+xml,*/*;q=0.8";

        HttpResponse<String> page = client.send(HttpRequest.newBuilder(uri(port, "/")).header("Accept", browser)
                .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(uri(port, "/")).header("Accept", browser)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                BodyHandlers.ofString());
        HttpResponse<String> after = client.send(get(port, "/", GOOD), BodyHandlers.ofString());

        assertEquals(HttpClient.Version.HTTP_2, page.version());
        assertEquals(401, page.statusCode());
        assertTrue(page.body().contains("<h1>Sign-in required</h1>"), page.body());
        assertEquals(401, head.statusCode());
        assertEquals("", head.body());
        assertEquals(200, after.statusCode(), "the connection is still in step: " + after.body());
    }

    @Test
    void h2_streamsGetTheSamePathAndHostRulesAsHttp11() throws Exception {
        int port = start(tls(server, "http2: true"), backend.port());
        HttpClient client = client(HttpClient.Version.HTTP_2);

        for (String ambiguous : List.of("/static/..;/admin/secret", "/a%2fb", "/ADMINI~1/x", "/a%00b")) {
            HttpResponse<String> refused = client.send(get(port, ambiguous, GOOD), BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, refused.version());
            assertEquals(400, refused.statusCode(), ambiguous + ": " + refused.body());
        }
        HttpResponse<String> ok = client.send(get(port, "/app;jsessionid=1?q=1", GOOD), BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        // :authority is the stream's Host, forwarded as the backend's Host and X-Forwarded-Host.
        assertEquals(List.of("127.0.0.1:" + port), EchoBackend.headerValues(ok.body(), "host"));
        assertEquals(List.of("127.0.0.1:" + port), EchoBackend.headerValues(ok.body(), "x-forwarded-host"));
        assertEquals(0, acceptor.calls.get() - 1, "refused targets never reached the acceptor");
    }

    @Test
    void http2Off_offersHttp11Only() throws Exception {
        int port = start(tls(server, "http2: false"), backend.port());

        HttpResponse<String> response = client(HttpClient.Version.HTTP_2).send(get(port, "/", GOOD),
                BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
    }

    @Test
    void plainHttpClient_onTheTlsPort_isRefusedByTheHandshake() throws Exception {
        int port = start(tls(server, "http2: true"), backend.port());

        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET / HTTP/1.1\r\nHost: x\r\nAuthorization: " + GOOD + "\r\n\r\n");
            assertThrows(Exception.class, raw::read);
        }
        assertEquals(0, acceptor.calls.get());
    }

    // --- reloading the certificate ---

    @Test
    void reload_newConnectionsGetTheNewPair_openOnesKeepTheirs_badPairsKeepTheOld() throws Exception {
        Path tlsDir = Files.createDirectories(dir.resolve("reload"));
        TestCertificates.Pair first = ca.issue("first", 0x1111, "IP:127.0.0.1");
        TestCertificates.Pair second = ca.issue("second", 0x2222, "IP:127.0.0.1");
        TestCertificates.Pair third = ca.issue("third", 0x3333, "IP:127.0.0.1");
        TestCertificates.Pair live = new TestCertificates.Pair(tlsDir.resolve("fullchain.pem"), tlsDir.resolve("privkey.pem"));
        install(first, live);
        int port = start(tls(live, "http2: false"), backend.port());
        assertEquals(BigInteger.valueOf(0x1111), serialOfNewConnection(port));

        try (SSLSocket open = handshake(port)) {
            install(second, live);
            await(() -> reloads("success") == 2, "the second pair was loaded");
            assertEquals(BigInteger.valueOf(0x2222), serialOfNewConnection(port));

            // The connection opened before the reload keeps its certificate and still serves requests.
            assertEquals(BigInteger.valueOf(0x1111), serial(open));
            assertTrue(requestOn(open).startsWith("HTTP/1.1 200"));
        }

        // The third certificate with the second's key: refused, the second pair stays. (Counts are relative: a poll
        // that falls between the two renames of install() sees a mismatched pair too, and rightly refuses it.)
        double rejected = reloads("rejected");
        Files.copy(third.cert(), live.cert(), StandardCopyOption.REPLACE_EXISTING);
        await(() -> reloads("rejected") > rejected, "the mismatched pair was refused");
        assertEquals(BigInteger.valueOf(0x2222), serialOfNewConnection(port));
        // A key file that is no key: refused as well.
        double rejectedAgain = reloads("rejected");
        Files.writeString(live.key(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        await(() -> reloads("rejected") > rejectedAgain, "the broken key was refused");
        assertEquals(BigInteger.valueOf(0x2222), serialOfNewConnection(port));
        // Repaired: the third pair loads.
        Files.copy(third.key(), live.key(), StandardCopyOption.REPLACE_EXISTING);
        await(() -> reloads("success") == 3, "the third pair was loaded");
        assertEquals(BigInteger.valueOf(0x3333), serialOfNewConnection(port));
    }

    // --- https:// backends ---

    @Test
    void httpsBackend_signedByTheConfiguredCa_isReached() throws Exception {
        TlsEchoBackend secure = track(new TlsEchoBackend(ca.issue("backend", 7, "IP:127.0.0.1")));
        int port = startPlain(secure.uri("127.0.0.1"), "ca: " + ca.pair().cert());

        HttpResponse<String> response = client(HttpClient.Version.HTTP_1_1).send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).header("Authorization", GOOD)
                        .build(), BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().startsWith("backend: https\n"), response.body());
        assertEquals(List.of("alice@ARRAY.TEST"), EchoBackend.headerValues(response.body(), "x-remote-user"));
    }

    @Test
    void httpsBackend_signedByAnotherCa_is502() throws Exception {
        TlsEchoBackend untrusted = track(new TlsEchoBackend(otherCa.issue("rogue", 8, "IP:127.0.0.1")));
        int port = startPlain(untrusted.uri("127.0.0.1"), "ca: " + ca.pair().cert());

        assertEquals(502, statusThroughPlainFront(port));
        assertEquals(0, untrusted.hits.get());
    }

    @Test
    void httpsBackend_whoseCertificateNamesAnotherHost_is502_unlessHostnameVerificationIsOff() throws Exception {
        TlsEchoBackend misnamed = track(new TlsEchoBackend(ca.issue("misnamed", 9, "DNS:other.example.test")));

        assertEquals(502, statusThroughPlainFront(startPlain(misnamed.uri("127.0.0.1"),
                "ca: " + ca.pair().cert())));
        assertEquals(200, statusThroughPlainFront(startPlain(misnamed.uri("127.0.0.1"),
                "ca: " + ca.pair().cert() + "\n  verify_hostname: false")));
        assertEquals(1, misnamed.hits.get());
    }

    // --- helpers ---

    @Test
    void forwardAuth_overTlsAndHttp2_answers200_andChecksTokensWithoutTheListenersChannelBindings() throws Exception {
        List<io.kerbgate.acceptor.ChannelBindings> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.kerbgate.acceptor.HttpAuthenticator recording = (token, peer, bindings) -> {
            seen.add(bindings);
            return acceptor.authenticate(token, peer, bindings);
        };
        GatewayConfig config = ConfigLoader.parse("listen: 127.0.0.1:0\nkeytab: unused.keytab\n"
                + tls(server, "http2: true") + "forward_auth:\n  trusted_from: [127.0.0.1]\n", dir);
        ProxyServer proxy = track(new ProxyServer(config, recording, registry,
                new ProxySettings(1, 64, Duration.ofSeconds(30), Duration.ofMillis(50))));
        int port = proxy.start();

        HttpResponse<String> r = client(HttpClient.Version.HTTP_2).send(HttpRequest.newBuilder(uri(port, "/auth"))
                .header("Authorization", GOOD).header("X-Forwarded-Method", "GET").header("X-Forwarded-Uri", "/app")
                .header("X-Forwarded-Host", "app.example.test").timeout(Duration.ofSeconds(10)).build(),
                BodyHandlers.ofString());

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals(List.of(FixedTokenAuthenticator.PRINCIPAL), r.headers().allValues("X-Remote-User"));
        assertEquals(List.of(io.kerbgate.acceptor.ChannelBindings.NONE), seen,
                "the client bound its token to the front proxy's TLS, not to this listener's");
    }

    private static String tls(TestCertificates.Pair pair, String more) {
        return "tls:\n  cert: " + pair.cert() + "\n  key: " + pair.key() + "\n  " + more + "\n";
    }

    private int start(String tls, int backendPort) throws Exception {
        return start(tls + "backends: [http://127.0.0.1:" + backendPort + "]\n");
    }

    private int startPlain(URI backendUri, String backendTls) throws Exception {
        return start("backends: [" + backendUri + "]\nbackend_tls:\n  " + backendTls + "\n");
    }

    private int start(String yaml) throws Exception {
        GatewayConfig config = ConfigLoader.parse("listen: 127.0.0.1:0\nkeytab: unused.keytab\n" + yaml, dir);
        ProxySettings settings = new ProxySettings(1, 64, Duration.ofSeconds(30), Duration.ofMillis(50));
        ProxyServer proxy = track(new ProxyServer(config, acceptor, registry, settings));
        return proxy.start();
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(0, resource);
        return resource;
    }

    private double reloads(String result) {
        return registry.get(TlsContextReloader.RELOADS).tag("result", result).counter().count();
    }

    private int statusThroughPlainFront(int port) throws Exception {
        return client(HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/")).header("Authorization", GOOD).build(), BodyHandlers.ofString()).statusCode();
    }

    private static URI uri(int port, String path) {
        return URI.create("https://127.0.0.1:" + port + path);
    }

    private static HttpRequest get(int port, String path, String authorization) {
        return HttpRequest.newBuilder(uri(port, path)).header("Authorization", authorization)
                .timeout(Duration.ofSeconds(10)).build();
    }

    private static HttpClient client(HttpClient.Version version) {
        return HttpClient.newBuilder().version(version).sslContext(trustCa).connectTimeout(Duration.ofSeconds(5))
                .build();
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

    private static void install(TestCertificates.Pair pair, TestCertificates.Pair live) throws Exception {
        // As a deploy tool should: write beside, then rename over, so no reader sees half a file.
        Files.copy(pair.key(), live.key().resolveSibling("key.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(pair.cert(), live.cert().resolveSibling("cert.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(live.key().resolveSibling("key.tmp"), live.key(), StandardCopyOption.ATOMIC_MOVE);
        Files.move(live.cert().resolveSibling("cert.tmp"), live.cert(), StandardCopyOption.ATOMIC_MOVE);
    }

    private static SSLSocket handshake(int port) throws Exception {
        SSLSocket socket = (SSLSocket) trustCa.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private static BigInteger serial(SSLSocket socket) throws Exception {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    private static BigInteger serialOfNewConnection(int port) throws Exception {
        try (SSLSocket socket = handshake(port)) {
            return serial(socket);
        }
    }

    /** One GET with the good token on an open TLS socket; returns the status line. */
    private static String requestOn(SSLSocket socket) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + GOOD + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
