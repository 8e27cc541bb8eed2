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
}
