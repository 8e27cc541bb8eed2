package io.kerbgate.proxy;

import static io.kerbgate.proxy.FixedTokenAuthenticator.GOOD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One client request is one backend request: what one client sends never becomes part of another client's request
 * on a pooled backend connection, and a backend connection goes back to the pool only on a message boundary in both
 * directions. One I/O thread, so that every client shares the one pool of idle backend connections.
 */
final class PooledFramingTest {

    private static final String AUTH = "Authorization: " + GOOD + "\r\n";

    private RecordingBackend backend;
    private ProxyHarness proxy;

    @BeforeEach
    void start() {
        backend = RecordingBackend.start();
        proxy = ProxyHarness.builder().backend(backend.uri())
                .settings(new ProxySettings(1, 512, Duration.ofSeconds(30))).retries(0).start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    /**
     * Issue #11: a header block of tiny lines under Netty's limit (which does not count CRLFs) but over the framing
     * guard's byte budget (which did) switched the guard off; the Hixie-76 handshake behind it then got an implied
     * 8-byte body, forwarded without a length, which became the start of the next user's request on the pooled
     * connection ({@code DELETE /GET /victim}, with alice's identity).
     */
    @Test
    void tinyHeaderLinesThenHixie76_neverPrefixAnotherClientsRequest() throws Exception {
        StringBuilder attack = new StringBuilder("GET /attack HTTP/1.1\r\nHost: gw.test\r\n").append(AUTH);
        while (attack.length() < 150 * 1024) {
            attack.append("a:1\r\n");
        }
        attack.append("Upgrade: WebSocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n")
                .append("DELETE /");
        RawHttp.Response attacked;
        boolean attackerClosed;
        try (RawHttp attacker = new RawHttp(proxy.port)) {
            attacked = attacker.send(attack.toString()).read();
            attackerClosed = attacker.closedByPeer();
        }
        RawHttp.Response victim;
        try (RawHttp alice = new RawHttp(proxy.port)) {
            victim = alice.send("GET /victim HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "\r\n").read();
        }

        for (RecordingBackend.Connection c : backend.connections) {
            assertNull(c.malformed, "backend connection " + c.id + " got bytes that are no request: " + c.malformed);
            for (StrictRequestParser.Request r : c.requests()) {
                assertEquals("GET /victim", r.method() + " " + r.target(), "backend connection " + c.id);
            }
        }
        // The head is under the header limit as Netty counts it, so the guard, which now counts the same way and never
        // stops looking, refuses the Hixie-76 handshake itself.
        assertEquals(400, attacked.status());
        assertEquals(1.0, proxy.counter(ProxyMetrics.REFUSED, "reason", "framing"));
        assertTrue(attackerClosed, "the attacker's connection is closed");
        assertEquals(200, victim.status());
        List<StrictRequestParser.Request> seen = backend.allRequests();
        assertEquals(1, seen.size());
        assertEquals(FixedTokenAuthenticator.PRINCIPAL, seen.get(0).header("X-Remote-User"));
        assertEquals(0, seen.get(0).body().length);
    }

    @Test
    void backendAnswersTwice_theSecondAnswerNeverReachesTheNextClient() throws Exception {
        backend.afterResponse = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Target: /stray\r\n\r\nstray"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        RawHttp.Response first = get("/first");
        RawHttp.Response second = get("/second");
        assertEquals("/first", first.header("X-Target"));
        assertEquals("/second", second.header("X-Target"));
        assertEquals("ok", second.text());
        assertTrue(!first.header("X-Conn").equals(second.header("X-Conn")), "a new backend connection");
        // Counted when the stray answer is already in hand at the end of the first; one that comes later closes the
        // idle connection (or fails the check at the next lease) without a count.
        assertTrue(proxy.counter(ProxyMetrics.REFUSED, "reason", "backend_extra_bytes") >= 1);
    }

    @Test
    void bodyAfterAHeadResponse_connectionClosedNotPooled() throws Exception {
        backend.bodyOnHead = true;
        try (RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response head = raw.send("HEAD /h HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "\r\n").read(true);
            assertEquals("/h", head.header("X-Target"));
        }
        RawHttp.Response next = get("/next");
        assertEquals("/next", next.header("X-Target"));
        assertEquals("ok", next.text());
        assertEquals("2", next.header("X-Conn"));
    }

    @Test
    void cleanExchanges_reuseOneBackendConnection() throws Exception {
        for (String path : new String[] {"/a", "/b", "/c"}) {
            assertEquals("1", get(path).header("X-Conn"), path);
        }
        try (RawHttp raw = new RawHttp(proxy.port)) {
            raw.send("HEAD /h HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "\r\n");
            assertEquals("1", raw.read(true).header("X-Conn"));
        }
        assertEquals("1", get("/d").header("X-Conn"));
    }

    @Test
    void clientClosesMidBody_backendConnectionClosedNotPooled() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port)) {
            raw.send("POST /cut HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "Content-Length: 10\r\n\r\nhello");
            ProxyHarness.waitFor("the head at the backend", () -> !backend.connections.isEmpty()
                    && backend.connections.peek().pending() >= 10);
        }
        ProxyHarness.waitFor("the backend connection closed", () -> backend.connections.peek().closed);
        RawHttp.Response next = get("/next");
        assertEquals("2", next.header("X-Conn"));
        assertEquals(List.of("GET /next"), backend.allRequests().stream().map(r -> r.method() + " " + r.target())
                .toList());
    }

    @Test
    void expectContinue_clientNeverSendsTheBody_backendConnectionClosed() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port)) {
            raw.send("POST /wait HTTP/1.1\r\nHost: gw.test\r\n" + AUTH
                    + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertEquals(100, raw.read().status());
        }
        ProxyHarness.waitFor("the backend connection closed",
                () -> !backend.connections.isEmpty() && backend.connections.peek().closed);
        assertEquals("2", get("/next").header("X-Conn"));
        assertEquals(1, backend.allRequests().size());
    }

    private RawHttp.Response get(String path) throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port)) {
            return raw.send("GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "\r\n").read();
        }
    }
}
