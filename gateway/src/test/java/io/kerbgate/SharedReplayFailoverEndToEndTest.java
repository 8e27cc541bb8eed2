package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.KerbyKdc;
import io.kerbgate.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways sharing one real Redis as their replay cache ({@code fail: closed}, {@code failover_wait}), a real
 * Kerby KDC and JDK initiator. While Redis hangs, a request with a token is held, not refused, and is answered once
 * Redis is back; its entry is then in the store, so the same token sent to the other node is a replay. Meanwhile the
 * gateway keeps serving other requests: the wait is on the acceptor's own threads, never on an event loop.
 */
final class SharedReplayFailoverEndToEndTest {

    private static final String HOST = "array.example.test";
    private static final String SPN = "HTTP/" + HOST + "@KERBY.TEST";
    private static final Duration FROZEN = Duration.ofMillis(1500);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

    private static RedisServer redis;
    private static KerbyKdc kdc;
    private static EchoBackend backend;
    private static Kerbgate nodeA;
    private static Kerbgate nodeB;
    private static GssClient alice;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RedisServer.isAvailable(), RedisServer.NOT_INSTALLED);
        redis = RedisServer.start();
        backend = EchoBackend.start("node-1");
        kdc = KerbyKdc.start("KERBY.TEST");
        kdc.createPrincipal("alice@KERBY.TEST", "alice-pw");
        Path keytab = dir.resolve("array.keytab");
        kdc.createServicePrincipalWithKeytab(SPN, keytab, 18);
        nodeA = Kerbgate.start(config(keytab));
        nodeB = Kerbgate.start(config(keytab));
        alice = GssClient.withPassword(kdc.krb5Conf(18), "alice@KERBY.TEST", "alice-pw");
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.thaw();
        }
        for (AutoCloseable c : new AutoCloseable[] {alice, nodeA, nodeB, kdc, backend, redis}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static io.kerbgate.config.GatewayConfig config(Path keytab) throws Exception {
        // A timeout above the default: a stall of a loaded test machine is not what this test is about.
        return ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                routes:
                  - {name: public, path: /public/, anonymous: true}
                replay:
                  shared:
                    uri: %s
                    fail: closed
                    timeout: 200ms
                    failover_wait: 10s
                """.formatted(keytab, backend.port(), redis.uri()), keytab.getParent());
    }

    @Test
    void redisHangs_tokenHeldThenAccepted_othersServedMeanwhile_entryStillShared() throws Exception {
        assertEquals(200, get(nodeA, "/warm-up", alice.header(SPN)).join().statusCode());
        String token = alice.header(SPN);

        redis.freeze();
        long frozenAt = System.nanoTime();
        CompletableFuture<HttpResponse<String>> held;
        try {
            held = get(nodeA, "/held", token);
            Thread.sleep(300);
            // Both of the node's event loops are free: an anonymous request is answered while the token waits.
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> anonymous = get(nodeA, "/public/page", null).get(2, TimeUnit.SECONDS);
                assertEquals(200, anonymous.statusCode(), anonymous.body());
            }
            assertFalse(held.isDone(), "the token waits for the replay cache");
            Thread.sleep(FROZEN.toMillis() - 300);
        } finally {
            redis.thaw();
        }

        HttpResponse<String> answer = held.get(15, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
        assertEquals(200, answer.statusCode(), "held, not refused: " + answer.body());
        assertTrue(tookMillis >= FROZEN.toMillis() - 100, "answered after Redis came back: " + tookMillis + " ms");
        assertTrue(metric(nodeA, "kerbgate_replay_shared_held_total{result=\"answered\"") >= 1);
        assertEquals(0, metric(nodeA, "kerbgate_replay_shared_held_total{result=\"unavailable\""));

        HttpResponse<String> replayed = get(nodeB, "/replayed", token).join();
        assertEquals(401, replayed.statusCode(), "the held request's entry reached the shared store");
    }

    private static CompletableFuture<HttpResponse<String>> get(Kerbgate node, String path, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.frontPort() + path))
                .timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the first series that starts with {@code series} (labels open, as the exposition may add more). */
    private static double metric(Kerbgate node, String series) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "[^ ]* (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
