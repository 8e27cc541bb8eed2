package io.kerbgate.rollover;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.AcceptorPolicy;
import io.kerbgate.acceptor.SpnegoAcceptor;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Step 5, check: a fresh ticket from the KDC must be accepted with each node's keys. With the node's keytab at hand
 * the gateway's own acceptor ({@link SpnegoAcceptor}) decides, here; otherwise the token goes to the node's front
 * URL, and anything but 401 counts as accepted.
 */
final class NodeCheck {

    private final String principal;
    private final Duration grace;
    private final Clock clock;
    private final HttpClient http;

    NodeCheck(String principal, Duration grace, Clock clock, HttpClient http) {
        this.principal = principal;
        this.grace = grace;
        this.clock = clock;
        this.http = http;
    }

    /** Whether this node can be checked at all. */
    static boolean checkable(NodeTarget node) throws NodeException {
        return node.entries().isPresent() || node.front().isPresent();
    }

    /** @return what was accepted, e.g. {@code kvno 2 aes256-cts-hmac-sha384-192} */
    String check(NodeTarget node, String header, int expectedKvno) throws NodeException {
        Optional<List<KeytabEntry>> entries = node.entries();
        if (entries.isPresent()) {
            return local(node.name(), entries.get(), header, expectedKvno);
        }
        return throughFront(node, header);
    }

    private String local(String name, List<KeytabEntry> entries, String header, int expectedKvno)
            throws NodeException {
        KeyRing ring = new KeyRing(List.of(principal), grace, clock);
        try {
            ring.update(entries);
        } catch (KeytabException e) {
            throw new NodeException(name, "its keytab cannot be loaded as the gateway would: " + e.getMessage(), e);
        }
        KeySet keys = ring.current();
        // A gateway's replay cache refuses authenticators older than its own start for one skew interval, since it
        // cannot know what it saw before. This acceptor lives for one token made for it alone: nothing to replay.
        Acceptance verdict = SpnegoAcceptor.forTools(keys, AcceptorPolicy.defaults(Instant.EPOCH), clock)
                .authenticate(header, InetAddress.getLoopbackAddress());
        if (verdict instanceof Acceptance.Rejected rejected) {
            throw new NodeException(name, "its keys refused a fresh ticket: " + rejected.reason() + " ("
                    + rejected.detail() + ")");
        }
        Acceptance.Accepted accepted = (Acceptance.Accepted) verdict;
        if (accepted.kvno() != expectedKvno) {
            throw new NodeException(name, "the KDC issued the fresh ticket under kvno " + accepted.kvno()
                    + ", not " + expectedKvno);
        }
        return "accepted a fresh ticket (kvno " + accepted.kvno() + ", " + Enctype.describe(accepted.enctype()) + ")";
    }

    private String throughFront(NodeTarget node, String header) throws NodeException {
        URI front = node.front().orElseThrow();
        HttpRequest request = HttpRequest.newBuilder(front).timeout(Duration.ofSeconds(10))
                .header("Authorization", header).GET().build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 401) {
                throw new NodeException(node.name(), "its front " + front + " refused a fresh ticket (401)");
            }
            return "front " + front + " answered " + status + " to a fresh ticket";
        } catch (IOException e) {
            throw new NodeException(node.name(), "cannot reach its front " + front + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException(node.name(), "interrupted while checking " + front, e);
        }
    }
}
