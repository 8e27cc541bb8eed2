package io.kerbgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.testing.SecretFile;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class AdminServerTest {

    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    @TempDir
    Path dir;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicBoolean ready = new AtomicBoolean();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;
    private int port;

    record KeyView(String principal, int kvno, Instant firstSeen) {}

    @BeforeEach
    void start() throws Exception {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        GatewayConfig config = ConfigLoader.parse("""
                listen: 127.0.0.1:8080
                keytab: http.keytab
                backends: [http://127.0.0.1:9001]
                """, dir);
        AdminEndpoints endpoints = AdminEndpoints.starting(config)
                .withReadiness(ready::get, () -> "no keys loaded")
                .withKeys(() -> Map.of("keys",
                        List.of(new KeyView("HTTP/array.example.test@ARRAY.TEST", 3, Instant.parse("2026-01-02T03:04:05Z")))));
        server = new AdminServer(LOOPBACK_ANY_PORT, registry, endpoints);
        port = server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        registry.close();
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("content-type").orElse("");
    }

    @Test
    void start_returnsAnEphemeralPort() {
        assertTrue(port > 0);
    }

    @Test
    void healthz_ok() throws Exception {
        HttpResponse<String> response = send("GET", "/healthz");

        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body());
        assertEquals("text/plain; charset=utf-8", contentType(response));
    }

    @Test
    void readyz_followsTheSupplier() throws Exception {
        HttpResponse<String> notReady = send("GET", "/readyz");
        ready.set(true);
        HttpResponse<String> isReady = send("GET", "/readyz");

        assertEquals(503, notReady.statusCode());
        assertEquals("not ready: no keys loaded", notReady.body());
        assertEquals(200, isReady.statusCode());
        assertEquals("ready", isReady.body());
    }

    @Test
    void metrics_prometheusTextByDefault_withKerbgateCounter() throws Exception {
        registry.counter("kerbgate.auth.requests", "result", "accepted").increment();

        HttpResponse<String> response = send("GET", "/metrics");

        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", contentType(response));
        assertTrue(response.body().contains("# TYPE kerbgate_auth_requests_total counter"), response.body());
        assertTrue(response.body().contains("kerbgate_auth_requests_total{result=\"accepted\",} 1.0"), response.body());
    }

    @Test
    void metrics_openMetricsWhenAccepted() throws Exception {
        registry.counter("kerbgate.auth.requests", "result", "accepted").increment();

        HttpResponse<String> response = send("GET", "/metrics",
                "Accept", "application/openmetrics-text; version=1.0.0, text/plain; q=0.5");

        assertEquals(200, response.statusCode());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", contentType(response));
        assertTrue(response.body().contains("# TYPE kerbgate_auth_requests counter"), response.body());
        assertTrue(response.body().strip().endsWith("# EOF"), response.body());
    }

    @Test
    void keys_isJsonWithIsoTimes() throws Exception {
        HttpResponse<String> response = send("GET", "/keys");

        assertEquals(200, response.statusCode());
        assertEquals("application/json", contentType(response));
        String body = response.body().replaceAll("\\s", "");
        assertTrue(body.contains("\"principal\":\"HTTP/array.example.test@ARRAY.TEST\""), body);
        assertTrue(body.contains("\"kvno\":3"), body);
        assertTrue(body.contains("\"firstSeen\":\"2026-01-02T03:04:05Z\""), body);
    }

    @Test
    void config_isJsonInTheFileKeys() throws Exception {
        HttpResponse<String> response = send("GET", "/config");

        assertEquals(200, response.statusCode());
        assertEquals("application/json", contentType(response));
        String body = response.body().replaceAll("\\s", "");
        assertTrue(body.contains("\"clock_skew\":\"5m\""), body);
        assertTrue(body.contains("\"backends\":[\"http://127.0.0.1:9001\"]"), body);
    }

    @Test
    void config_yamlOnRequest_readsBackAsAConfig() throws Exception {
        HttpResponse<String> byQuery = send("GET", "/config?format=yaml");
        HttpResponse<String> byAccept = send("GET", "/config", "Accept", "application/yaml");

        assertEquals("application/yaml; charset=utf-8", contentType(byQuery));
        assertEquals(byQuery.body(), byAccept.body());
        assertEquals(8080, ConfigLoader.parse(byQuery.body(), dir).listen().getPort());
    }

    @Test
    void head_hasTheHeadersOfGet_andNoBody() throws Exception {
        HttpResponse<String> get = send("GET", "/healthz");
        HttpResponse<String> head = send("HEAD", "/healthz");

        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(get.headers().firstValue("content-length"), head.headers().firstValue("content-length"));
        assertEquals(contentType(get), contentType(head));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/metric", "/healthz/x", "/admin/keys"})
    void unknownPath_404(String path) throws Exception {
        assertEquals(404, send("GET", path).statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE"})
    void otherMethods_405WithAllow(String method) throws Exception {
        HttpResponse<String> response = send(method, "/metrics");

        assertEquals(405, response.statusCode());
        assertEquals("GET, HEAD", response.headers().firstValue("allow").orElse(""));
    }

    @Test
    void keys_writesAreRefusedUnlessConfigured_andPostIs405() throws Exception {
        HttpResponse<String> put = send("PUT", "/keys");
        HttpResponse<String> delete = send("DELETE", "/keys?principal=HTTP/a@R&below_kvno=2");
        HttpResponse<String> post = send("POST", "/keys");

        assertEquals(403, put.statusCode());
        assertEquals("key writes are disabled: configure admin.key_writers\n", put.body());
        assertEquals(403, delete.statusCode());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD, PUT, DELETE", post.headers().firstValue("allow").orElse(""));
    }

    @Test
    void supplierThatThrows_500_andTheServerKeepsServing() throws Exception {
        server.close();
        AdminEndpoints broken = new AdminEndpoints(() -> true, () -> "", () -> {
            throw new IllegalStateException("key ring not wired");
        }, () -> {
            throw new IllegalStateException("config not wired");
        });
        server = new AdminServer(LOOPBACK_ANY_PORT, registry, broken);
        port = server.start();

        HttpResponse<String> keys = send("GET", "/keys");

        assertEquals(500, keys.statusCode());
        assertEquals("internal error: IllegalStateException", keys.body());
        assertEquals(200, send("GET", "/healthz").statusCode());
    }

    @Test
    void keepAlive_servesSeveralRequestsOnOneConnection() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, send("GET", "/healthz").statusCode());
        }
    }

    @Test
    void start_onAPortInUse_failsWithTheAddress() {
        AdminServer second = new AdminServer(new InetSocketAddress("127.0.0.1", port), registry,
                new AdminEndpoints(() -> true, () -> "", Map::of, () -> {
                    throw new AssertionError();
                }));

        IOException e = assertThrows(IOException.class, second::start);

        assertTrue(e.getMessage().startsWith("admin listener cannot bind 127.0.0.1:" + port), e.getMessage());
        second.close();
    }

    @Test
    void close_isIdempotent_andFreesThePort() throws Exception {
        server.close();
        server.close();

        AdminServer again = new AdminServer(new InetSocketAddress("127.0.0.1", port), registry,
                AdminEndpoints.starting(ConfigLoader.parse("""
                        listen: 127.0.0.1:8080
                        keytab: http.keytab
                        backends: [http://127.0.0.1:9001]
                        """, dir)));
        try {
            assertEquals(port, again.start());
        } finally {
            again.close();
        }
    }
}
