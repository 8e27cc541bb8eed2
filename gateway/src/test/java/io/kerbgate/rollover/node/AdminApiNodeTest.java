package io.kerbgate.rollover.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeysReport;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.rollover.NodeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API client against a stand-in node: PUT /keys merges a keytab, GET /keys reports its key ring as
 * {@link KeysReport} JSON, DELETE /keys drops old kvnos, as the contract in {@link AdminApiNode} says.
 */
final class AdminApiNodeTest {

    private static final String SPN = "HTTP/array.example.test@ARRAY.TEST";

    private final List<KeytabEntry> keytab = new ArrayList<>();
    private final KeyRing ring = new KeyRing(List.of(SPN), Duration.ofHours(10), Clock.systemUTC());
    private final AtomicBoolean loads = new AtomicBoolean(true);
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private HttpServer server;
    private AdminApiNode node;

    @BeforeEach
    void startNode() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/keys", this::handle);
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        node = new AdminApiNode("node2", base, null, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                request -> request.header("Authorization", "Bearer t0ken"), Duration.ofSeconds(1));
    }

    @AfterEach
    void stopNode() {
        server.stop(0);
    }

    @Test
    void install_verify_retire_throughTheApi() throws Exception {
        List<KeytabEntry> one = entries(1);
        List<KeytabEntry> two = entries(2);
        node.install(one);
        node.install(two);
        node.verify(two);
        assertEquals("1,2", node.held(SPN).describe());
        assertEquals("Bearer t0ken", authorization.get(), "the auth hook adds its header");

        assertEquals(List.of(1), node.retireBelow(SPN, 2));
        assertEquals("2", node.held(SPN).describe());
        assertTrue(node.entries().isEmpty(), "an admin API never shows key bytes");
    }

    @Test
    void verify_failsNamingTheNode_whenTheGatewayNeverLoadsTheKey() throws Exception {
        node.install(entries(1));
        loads.set(false);
        node.install(entries(2));
        NodeException e = assertThrows(NodeException.class, () -> node.verify(entries(2)));
        assertTrue(e.getMessage().startsWith("node2: GET /keys still lacks " + SPN + " kvno 2"), e.getMessage());
    }

    @Test
    void keysReport_hasTheDocumentedShape_andReadsBack() throws Exception {
        ring.update(entries(3), Instant.parse("2026-11-25T08:00:00Z"));
        ring.update(entries(4), Instant.parse("2026-11-25T09:00:00Z"));
        String json = KeysReport.of(ring.current()).toJson();
        assertTrue(json.startsWith("{\"principals\":[{\"principal\":\"" + SPN + "\",\"versions\":[{\"kvno\":3,"
                + "\"enctypes\":[\"aes256-cts-hmac-sha1-96\"],\"first_seen\":\"2026-11-25T08:00:00Z\","
                + "\"last_seen\":\"2026-11-25T08:00:00Z\",\"in_grace\":true,\"retires_at\":\"2026-11-25T19:00:00Z\"}"),
                json);
        assertTrue(json.contains("\"kvno\":4,") && json.contains("\"in_grace\":false,\"retires_at\":null"), json);
        assertEquals(KeysReport.of(ring.current()), KeysReport.fromJson(json));
    }

    private static List<KeytabEntry> entries(int kvno) {
        return List.of(new KeytabEntry(SPN, 1, 0, kvno, 18,
                KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96).bytes()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
        try (exchange) {
            switch (exchange.getRequestMethod()) {
                case "PUT" -> {
                    List<KeytabEntry> added = KeytabFile.parse(exchange.getRequestBody().readAllBytes());
                    synchronized (keytab) {
                        keytab.addAll(added);
                        if (loads.get()) {
                            ring.update(List.copyOf(keytab));
                        }
                    }
                    exchange.sendResponseHeaders(204, -1);
                }
                case "DELETE" -> {
                    int below = Integer.parseInt(exchange.getRequestURI().getQuery().replaceAll(".*below_kvno=", ""));
                    synchronized (keytab) {
                        keytab.removeIf(e -> e.kvno() < below);
                        ring.update(List.copyOf(keytab));
                        ring.retireExpired(Instant.now().plus(Duration.ofDays(1)));
                    }
                    exchange.sendResponseHeaders(204, -1);
                }
                default -> {
                    byte[] body = KeysReport.of(ring.current()).toJson().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            }
        } catch (io.kerbgate.keys.KeytabException e) {
            exchange.sendResponseHeaders(400, -1);
        }
    }

    @Test
    void loopbackHosts_mayTakePlainHttp_othersMayNot() {
        assertTrue(AdminApiNode.isLoopback("127.0.0.2") && AdminApiNode.isLoopback("[::1]")
                && !AdminApiNode.isLoopback("node1.example.test"));
    }
}
