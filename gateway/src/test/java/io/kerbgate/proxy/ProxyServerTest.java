package io.kerbgate.proxy;

import static io.kerbgate.proxy.FixedTokenAuthenticator.BAD;
import static io.kerbgate.proxy.FixedTokenAuthenticator.GOOD;
import static io.kerbgate.proxy.FixedTokenAuthenticator.PRINCIPAL;
import static io.kerbgate.proxy.FixedTokenAuthenticator.REJECT_TOKEN;
import static io.kerbgate.proxy.FixedTokenAuthenticator.RESPONSE_TOKEN;
import static io.kerbgate.proxy.FixedTokenAuthenticator.SECRET_DETAIL;
import static io.kerbgate.proxy.FixedTokenAuthenticator.UNAVAILABLE;
import static io.kerbgate.proxy.FixedTokenAuthenticator.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.Timeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy end to end: real sockets, real Netty backends ({@link TestBackend}), {@link HttpClient} for ordinary
 * traffic and {@link RawHttp} for what no client library sends.
 */
final class ProxyServerTest {

    private static final String AUTH = "Authorization: " + GOOD + "\r\n";
    private static final int MIB = 1024 * 1024;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final FixedTokenAuthenticator acceptor = new FixedTokenAuthenticator();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private TestBackend a;
    private TestBackend b;
    private int port;

    @BeforeEach
    void setUp() {
        a = track(TestBackend.start("a"));
        b = track(TestBackend.start("b"));
        port = startProxy(List.of(a.uri(), b.uri()), Timeouts.DEFAULT, ProxySettings.DEFAULT);
    }

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    // --- authentication ---

    @Test
    void noAuthorization_challengesAndNeverCallsBackend() throws Exception {
        HttpResponse<String> response = http.send(request("/hello").build(), BodyHandlers.ofString());

        assertEquals(401, response.statusCode());
        assertEquals(List.of("Negotiate"), response.headers().allValues("WWW-Authenticate"));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("text/plain; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("401 Unauthorized: Negotiate authentication required\n", response.body());
        assertEquals(0, hits());
        assertEquals(0, acceptor.calls.get());
        assertEquals(1.0, authCount("rejected", "no_header"));
    }

    @Test
    void goodToken_forwardsIdentityWithoutTicketAndReturnsMutualToken() throws Exception {
        HttpResponse<String> response =
                http.send(request("/hello").header("Authorization", GOOD).build(), BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        RawHttp.Response echo = echoOf(response);
        assertEquals(PRINCIPAL, echo.echo("identity"));
        assertEquals("absent", echo.echo("authorization"));
        assertEquals("127.0.0.1", echo.echo("xff"));
        assertEquals("http", echo.echo("xfp"));
        assertEquals("127.0.0.1:" + port, echo.echo("xfh"));
        assertEquals(List.of("Negotiate " + b64(RESPONSE_TOKEN)), response.headers().allValues("WWW-Authenticate"));
        // The backend's hop-by-hop headers stay on its side.
        assertTrue(response.headers().allValues("Keep-Alive").isEmpty());
        assertTrue(response.headers().allValues(TestBackend.HOP_HEADER).isEmpty());
        assertEquals(1, hits());
    }

    @Test
    void spoofedIdentityHeaders_anyCaseAndCount_areReplaced() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response response = raw.send(get("/spoof", AUTH
                    + "x-remote-user: mallory\r\n"
                    + "X-REMOTE-USER: root\r\n"
                    + "X-REMOTE-USER: admin\r\n"
                    + "X_Remote_User: eve\r\n"
                    + "X-Forwarded-For: 10.9.9.9\r\n"
                    + "X-Forwarded-Host: evil.example\r\n")).read();

            assertEquals(200, response.status());
            assertEquals(PRINCIPAL, response.echo("identity"));
            long lookAlikes = Arrays.stream(response.echo("names").split(","))
                    .filter(n -> n.replace('_', '-').equalsIgnoreCase("x-remote-user"))
                    .count();
            assertEquals(1, lookAlikes);
            assertEquals("10.9.9.9, 127.0.0.1", response.echo("xff"));
            assertEquals("gw.test", response.echo("xfh"));
        }
    }

    @Test
    void twoAuthorizationHeaders_badRequestAndConnectionStaysUsable() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response refused = raw.send(get("/", AUTH + AUTH)).read();
            assertEquals(400, refused.status());
            assertEquals("400 Bad Request\n", refused.text());
            assertEquals(0, hits());
            assertEquals(0, acceptor.calls.get());

            assertEquals(200, raw.send(get("/", AUTH)).read().status());
        }
        assertEquals(1.0, authCount("rejected", "duplicate_header"));
    }

    @Test
    void refusedToken_challengesWithRejectTokenAndNoDetail() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response refused = raw.send(get("/", "Authorization: " + BAD + "\r\n")).read();

            assertEquals(401, refused.status());
            assertEquals(List.of("Negotiate " + b64(REJECT_TOKEN)), refused.all("WWW-Authenticate"));
            assertFalse(refused.text().contains(SECRET_DETAIL));
            assertEquals(0, hits());
        }
        assertEquals(1.0, authCount("rejected", "integrity"));
    }

    @Test
    void acceptorUnavailable_mapsToItsStatus() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response refused = raw.send(get("/", "Authorization: " + UNAVAILABLE + "\r\n")).read();

            assertEquals(503, refused.status());
            assertEquals("503 Service Unavailable\n", refused.text());
            assertNull(refused.header("WWW-Authenticate"));
            assertEquals(0, hits());
        }
    }

    @Test
    void unauthorizedThenGood_onTheSameConnection() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response challenge = raw.send(get("/", "")).read();
            assertEquals(401, challenge.status());
            assertNull(challenge.header("Connection"));

            RawHttp.Response ok = raw.send(get("/", AUTH)).read();
            assertEquals(200, ok.status());
            assertEquals(PRINCIPAL, ok.echo("identity"));
        }
        assertEquals(1, a.accepts.get() + b.accepts.get());
    }

    @Test
    void refusedRequestWithBody_bodyIsDroppedAndConnectionStaysUsable() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("POST /upload HTTP/1.1\r\nHost: gw.test\r\nAuthorization: " + BAD + "\r\n"
                    + "Content-Length: 11\r\n\r\nhello world");
            assertEquals(401, raw.read().status());

            RawHttp.Response ok = raw.send(get("/", AUTH)).read();
            assertEquals(200, ok.status());
            assertEquals("GET", ok.echo("method"));
        }
        assertEquals(1, hits());
    }

    @Test
    void refusedRequestWithLargeBody_closesAfterChallenge() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("POST /upload HTTP/1.1\r\nHost: gw.test\r\nContent-Length: " + 8 * MIB + "\r\n\r\n");
            CompletableFuture<Void> body = sendInBackground(raw, new byte[8 * MIB]);

            RawHttp.Response refused = raw.read();
            assertEquals(401, refused.status());
            assertEquals("close", refused.header("Connection"));
            assertTrue(raw.closedByPeer());
            body.join();
        }
        assertEquals(0, hits());
    }

    @Test
    void expectContinue_refusedTokenGets401Without100() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("POST /upload HTTP/1.1\r\nHost: gw.test\r\nAuthorization: " + BAD + "\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 1000\r\n\r\n");

            RawHttp.Response refused = raw.read();
            assertEquals(401, refused.status());
            assertEquals("close", refused.header("Connection"));
            assertTrue(raw.closedByPeer());
        }
        assertEquals(0, hits());
    }

    @Test
    void expectContinue_goodTokenGets100ThenTheBackendsAnswer() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("POST /upload HTTP/1.1\r\nHost: gw.test\r\n" + AUTH
                    + "Expect: 100-continue\r\nContent-Length: 1000\r\n\r\n");
            assertEquals(100, raw.read().status());

            RawHttp.Response ok = raw.send(new byte[1000]).read();
            assertEquals(200, ok.status());
            assertEquals("1000", ok.echo("bytes"));
            assertFalse(ok.echo("names").toLowerCase(Locale.ROOT).contains("expect"));
        }
    }

    @Test
    void unsupportedExpectation_417() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            assertEquals(417, raw.send(get("/", AUTH + "Expect: teapot\r\n")).read().status());
        }
        assertEquals(0, hits());
    }

    // --- framing and hostile input ---

    @Test
    void oneMegabyteHeader_431ThenANewConnectionWorks() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            byte[] header = ("GET / HTTP/1.1\r\nHost: gw.test\r\nX-Big: " + "x".repeat(MIB) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            CompletableFuture<Void> sent = sendInBackground(raw, header);

            RawHttp.Response refused = raw.read();
            assertEquals(431, refused.status());
            assertEquals("close", refused.header("Connection"));
            assertTrue(raw.closedByPeer());
            sent.join();
        }
        try (RawHttp raw = new RawHttp(port)) {
            assertEquals(200, raw.send(get("/", AUTH)).read().status());
        }
        assertEquals(1, hits());
    }

    @Test
    void tokenOfActiveDirectorySize_fitsTheDefaultHeaderLimit() throws Exception {
        // 64 KiB of base64, as a ticket with a large PAC: refused by the acceptor (401), not by the codec (431).
        try (RawHttp raw = new RawHttp(port)) {
            String token = "Negotiate " + "A".repeat(64 * 1024);
            assertEquals(401, raw.send(get("/", "Authorization: " + token + "\r\n")).read().status());
        }
    }

    @Test
    void garbageRequestLine_400AndClose() throws Exception {
        for (String garbage : List.of("GARBAGE\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n", "\u0001\u0002 / HTTP/1.1\r\n\r\n",
                "GET / HTTP/1.1\r\nBad Header\r\n\r\n")) {
            try (RawHttp raw = new RawHttp(port)) {
                RawHttp.Response refused = raw.send(garbage).read();
                assertEquals(400, refused.status(), garbage);
                assertTrue(raw.closedByPeer(), garbage);
            }
        }
        assertEquals(0, hits());
    }

    @Test
    void unknownHttpVersion_505AndClose() throws Exception {
        for (String request : List.of("GET / HTTP/9.9\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) {
            try (RawHttp raw = new RawHttp(port)) {
                assertEquals(505, raw.send(request).read().status(), request);
                assertTrue(raw.closedByPeer(), request);
            }
        }
        assertEquals(0, hits());
    }

    @Test
    void connectionHeaderNamingContentLength_cannotSmuggleARequest() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response first = raw.send("POST /echo HTTP/1.1\r\nHost: gw.test\r\n" + AUTH
                    + "Connection: content-length, X-Secret\r\nX-Secret: 1\r\nProxy-Authorization: Basic YTpi\r\n"
                    + "Content-Length: 5\r\n\r\nhello").read();
            assertEquals(200, first.status());
            assertEquals("5", first.echo("bytes"));
            String names = first.echo("names").toLowerCase(Locale.ROOT);
            assertFalse(names.contains("x-secret"), names);
            assertFalse(names.contains("proxy-authorization"), names);
            assertFalse(names.contains("connection"), names);

            assertEquals(200, raw.send(get("/", AUTH)).read().status());
        }
        assertEquals(2, hits());
    }

    @Test
    void pipelinedRequests_answeredInOrder() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send(get("/one", AUTH) + get("/two", AUTH) + get("/three", ""));
            RawHttp.Response one = raw.read();
            RawHttp.Response two = raw.read();
            RawHttp.Response three = raw.read();
            assertEquals(200, one.status());
            assertEquals(200, two.status());
            assertNotEquals(one.echo("backend"), two.echo("backend"));
            assertEquals(401, three.status());
        }
        assertEquals(2, hits());
    }

    @Test
    void headRequest_noBodyAndConnectionStaysUsable() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response head = raw.send("HEAD / HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "\r\n").read(true);
            assertEquals(200, head.status());
            assertTrue(Integer.parseInt(head.header("Content-Length")) > 0);

            assertEquals(200, raw.send(get("/", AUTH)).read().status());
        }
    }

    @Test
    void http10Client_servedThenClosed() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response ok = raw.send("GET / HTTP/1.0\r\n" + AUTH + "\r\n").read();
            assertEquals(200, ok.status());
            assertEquals("127.0.0.1:" + a.port(), ok.echo("host"));
            assertTrue(raw.closedByPeer());
        }
    }

    @Test
    void idleClient_isClosed() throws Exception {
        int idlePort = startProxy(List.of(a.uri()),
                new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(300)),
                ProxySettings.DEFAULT);
        try (RawHttp raw = new RawHttp(idlePort)) {
            assertEquals(200, raw.send(get("/", AUTH)).read().status());
            long start = System.nanoTime();
            assertTrue(raw.closedByPeer());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5_000);
        }
    }

    // --- backends ---

    @Test
    void roundRobin_acrossBackends() throws Exception {
        List<String> answered = new ArrayList<>();
        try (RawHttp raw = new RawHttp(port)) {
            for (int i = 0; i < 10; i++) {
                answered.add(raw.send(get("/rr", AUTH)).read().echo("backend"));
            }
        }
        for (int i = 1; i < answered.size(); i++) {
            assertNotEquals(answered.get(i - 1), answered.get(i), answered.toString());
        }
        assertEquals(5, a.hits.get());
        assertEquals(5, b.hits.get());
    }

    @Test
    void keepAlive_fiftyRequestsReuseOneConnectionPerBackend() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            for (int i = 0; i < 50; i++) {
                RawHttp.Response ok = raw.send(get("/n" + i, AUTH)).read();
                assertEquals(200, ok.status());
                assertEquals(PRINCIPAL, ok.echo("identity"));
            }
        }
        assertEquals(50, hits());
        assertEquals(1, a.accepts.get());
        assertEquals(1, b.accepts.get());
    }

    @Test
    void backendAskingToClose_isNotReused() throws Exception {
        int single = startProxy(List.of(a.uri()), Timeouts.DEFAULT, ProxySettings.DEFAULT);
        try (RawHttp raw = new RawHttp(single)) {
            RawHttp.Response first = raw.send(get("/close", AUTH)).read();
            assertEquals(200, first.status());
            assertNull(first.header("Connection"), "the client connection stays open");
            assertEquals(200, raw.send(get("/close", AUTH)).read().status());
        }
        assertEquals(2, a.accepts.get());
    }

    @Test
    void backendDown_502Quickly_thenBackendUp_200() throws Exception {
        int deadPort;
        try (ServerSocket reserve = new ServerSocket(0)) {
            deadPort = reserve.getLocalPort();
        }
        int single = startProxy(List.of(URI.create("http://127.0.0.1:" + deadPort)), Timeouts.DEFAULT,
                ProxySettings.DEFAULT);
        try (RawHttp raw = new RawHttp(single)) {
            long start = System.nanoTime();
            RawHttp.Response down = raw.send(get("/", AUTH)).read();
            assertEquals(502, down.status());
            assertEquals("502 Bad Gateway\n", down.text());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5_000);

            TestBackend revived = track(TestBackend.start("revived", deadPort));
            RawHttp.Response up = raw.send(get("/", AUTH)).read();
            assertEquals(200, up.status());
            assertEquals("revived", up.echo("backend"));
        }
        assertEquals(1.0, requestCount("5xx", "127.0.0.1:" + deadPort));
        assertEquals(1.0, requestCount("2xx", "127.0.0.1:" + deadPort));
    }

    @Test
    void backendStalls_504AfterResponseTimeout_connectionStaysUsable() throws Exception {
        int single = startProxy(List.of(a.uri()),
                new Timeouts(Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(120)),
                ProxySettings.DEFAULT);
        try (RawHttp raw = new RawHttp(single)) {
            long start = System.nanoTime();
            RawHttp.Response timedOut = raw.send(get("/stall", AUTH)).read();
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals(504, timedOut.status());
            assertTrue(millis >= 250 && millis < 5_000, millis + " ms");

            assertEquals(200, raw.send(get("/", AUTH)).read().status());
        }
        // The stalled connection was not reused for the second request.
        assertEquals(2, a.accepts.get());
    }

    @Test
    void backendResetMidResponse_closesTheClientConnection() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send(get("/reset", AUTH));
            assertThrows(IOException.class, raw::read);
        }
        try (RawHttp raw = new RawHttp(port)) {
            assertEquals(200, raw.send(get("/", AUTH)).read().status());
        }
    }

    @Test
    void connectionLimitReached_503() throws Exception {
        int limited = startProxy(List.of(a.uri()),
                new Timeouts(Duration.ofSeconds(5), Duration.ofMillis(1_500), Duration.ofSeconds(120)),
                new ProxySettings(1, 1, Duration.ofSeconds(30)));
        try (RawHttp stalled = new RawHttp(limited); RawHttp other = new RawHttp(limited)) {
            stalled.send(get("/stall", AUTH));
            waitFor(() -> a.hits.get() == 1);

            assertEquals(503, other.send(get("/", AUTH)).read().status());
            assertEquals(504, stalled.read().status());
            // The stalled connection was closed, so the limit no longer bites.
            assertEquals(200, other.send(get("/", AUTH)).read().status());
        }
    }

    // --- streaming ---

    @Test
    void upload20MB_withContentLengthAndChunked_streamsThrough() throws Exception {
        byte[] data = new byte[20 * MIB];
        new Random(42).nextBytes(data);
        CRC32 crc = new CRC32();
        crc.update(data);

        HttpResponse<String> fixed = http.send(request("/upload").header("Authorization", GOOD)
                .POST(BodyPublishers.ofByteArray(data)).build(), BodyHandlers.ofString());
        assertEquals(200, fixed.statusCode());
        assertEquals(String.valueOf(data.length), echoOf(fixed).echo("bytes"));
        assertEquals(String.valueOf(crc.getValue()), echoOf(fixed).echo("crc"));

        HttpResponse<String> chunked = http.send(request("/upload").header("Authorization", GOOD)
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))).build(),
                BodyHandlers.ofString());
        assertEquals(200, chunked.statusCode());
        assertEquals(String.valueOf(data.length), echoOf(chunked).echo("bytes"));
        assertEquals(String.valueOf(crc.getValue()), echoOf(chunked).echo("crc"));
    }

    @Test
    void download20MB_withContentLengthAndChunked_streamsThrough() throws Exception {
        long size = 20L * MIB + 7;
        for (String chunked : List.of("0", "1")) {
            HttpResponse<InputStream> response = http.send(
                    request("/download?bytes=" + size + "&chunked=" + chunked).header("Authorization", GOOD).build(),
                    BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertEquals(List.of("Negotiate " + b64(RESPONSE_TOKEN)), response.headers().allValues("WWW-Authenticate"));
            long position = 0;
            try (InputStream body = response.body()) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = body.read(buffer)) != -1) {
                    for (int i = 0; i < n; i++, position++) {
                        if (buffer[i] != TestBackend.patternByte(position)) {
                            throw new AssertionError("corrupt byte at " + position + " (chunked=" + chunked + ")");
                        }
                    }
                }
            }
            assertEquals(size, position, "chunked=" + chunked);
        }
    }

    // --- metrics ---

    @Test
    void metrics_countVerdictsResponsesAndLatency() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            assertEquals(401, raw.send(get("/", "")).read().status());
            assertEquals(200, raw.send(get("/", AUTH)).read().status());
            assertEquals(401, raw.send(get("/", "Authorization: " + BAD + "\r\n")).read().status());
        }
        assertEquals(1.0, authCount("ok", "ok"));
        assertEquals(1.0, authCount("rejected", "no_header"));
        assertEquals(1.0, authCount("rejected", "integrity"));
        assertEquals(2.0, requestCount("4xx", ProxyMetrics.NO_BACKEND));
        assertEquals(1.0, requestCount("2xx", "127.0.0.1:" + a.port()) + requestCount("2xx", "127.0.0.1:" + b.port()));
        long upstream = registry.get(ProxyMetrics.UPSTREAM_LATENCY).timers().stream().mapToLong(t -> t.count()).sum();
        assertEquals(1, upstream);
        assertEquals(1, registry.get(ProxyMetrics.AUTH_LATENCY).tag("result", "ok").tag("ticket", "cold").timer().count());
        assertEquals(1, registry.get(ProxyMetrics.AUTH_LATENCY).tag("result", "rejected").timer().count());
    }

    // --- helpers ---

    private int startProxy(List<URI> backends, Timeouts timeouts, ProxySettings settings) {
        GatewayConfig config = new GatewayConfig(
                new InetSocketAddress("127.0.0.1", 0),
                Path.of("unused.keytab"),
                List.of(),
                backends,
                Duration.ofMinutes(5),
                GatewayConfig.Identity.DEFAULT,
                new GatewayConfig.Admin(new InetSocketAddress("127.0.0.1", 0)),
                GatewayConfig.Acceptor.DEFAULT,
                GatewayConfig.Limits.DEFAULT,
                timeouts);
        ProxyServer proxy = track(new ProxyServer(config, acceptor, registry, settings));
        return proxy.start();
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
    }

    private static String get(String path, String headerLines) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n" + headerLines + "\r\n";
    }

    private static RawHttp.Response echoOf(HttpResponse<String> response) {
        return new RawHttp.Response(response.statusCode(), List.of(), response.body().getBytes(StandardCharsets.UTF_8));
    }

    private static CompletableFuture<Void> sendInBackground(RawHttp raw, byte[] bytes) {
        return CompletableFuture.runAsync(() -> {
            try {
                raw.send(bytes);
            } catch (IOException expected) {
                // The proxy may close before everything is sent; the response is what the test checks.
            }
        });
    }

    private int hits() {
        return a.hits.get() + b.hits.get();
    }

    private double authCount(String result, String reason) {
        return registry.get(ProxyMetrics.AUTH_REQUESTS).tag("result", result).tag("reason", reason).counter().count();
    }

    private double requestCount(String statusClass, String backend) {
        return registry.get(ProxyMetrics.PROXY_REQUESTS).tag("status_class", statusClass).tag("backend", backend)
                .counter().count();
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(10);
        }
    }
}
