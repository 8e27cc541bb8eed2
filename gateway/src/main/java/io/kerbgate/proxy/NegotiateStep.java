package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.Acceptance.Rejected;
import io.kerbgate.acceptor.ChannelBindings;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.acceptor.TokenFacts;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication step of one request (RFC 4559 §4): exactly one {@code Authorization} header, handed to the
 * acceptor; verdicts are counted, and refusals logged.
 *
 * <p>The acceptor is synchronous and CPU-only (microseconds), so this runs on the event loop. The caller reads nothing
 * more from the client until it has the verdict, so moving this call to an executor later only changes where the
 * caller resumes, not the state machine.
 */
final class NegotiateStep {

    private static final Logger log = LoggerFactory.getLogger(NegotiateStep.class);

    private final HttpAuthenticator authenticator;
    private final ProxyMetrics metrics;

    NegotiateStep(HttpAuthenticator authenticator, ProxyMetrics metrics) {
        this.authenticator = authenticator;
        this.metrics = metrics;
    }

    Acceptance authenticate(HttpHeaders headers, InetSocketAddress peer) {
        return authenticate(headers, peer, ChannelBindings.NONE);
    }

    /** @param bindings what the token must be bound to: the connection's TLS channel, or none */
    Acceptance authenticate(HttpHeaders headers, InetSocketAddress peer, ChannelBindings bindings) {
        List<String> values = headers.getAll(HttpHeaderNames.AUTHORIZATION);
        if (values.isEmpty()) {
            // The first leg of every browser's Negotiate exchange: routine, so not logged at INFO.
            metrics.rejected(RejectReason.NO_HEADER, -1);
            log.debug("auth challenge client={}", peer);
            return Rejected.of(RejectReason.NO_HEADER, "no Authorization header");
        }
        if (values.size() > 1) {
            Rejected rejected = Rejected.of(RejectReason.DUPLICATE_HEADER, values.size() + " Authorization headers");
            metrics.rejected(rejected.reason(), -1);
            logRefusal(rejected, peer);
            return rejected;
        }
        long start = System.nanoTime();
        Acceptance verdict;
        try {
            verdict = authenticator.authenticate(values.get(0), peer.getAddress(), bindings);
        } catch (RuntimeException e) {
            // The acceptor's contract is to never throw; if it does, fail closed with a challenge, not a 5xx.
            metrics.acceptorError(System.nanoTime() - start);
            log.error("auth acceptor threw; refusing client={}", peer, e);
            return Rejected.of(RejectReason.MALFORMED, "acceptor threw " + e.getClass().getName());
        }
        long nanos = System.nanoTime() - start;
        if (verdict instanceof Rejected rejected) {
            metrics.rejected(rejected.reason(), nanos);
            logRefusal(rejected, peer);
        } else {
            metrics.authenticated(nanos);
        }
        return verdict;
    }

    private static void logRefusal(Rejected rejected, InetSocketAddress peer) {
        TokenFacts facts = rejected.facts();
        log.info("auth rejected reason={} status={} client={} detail=\"{}\" mech={} sname={} kvno={} enctype={} principal={}",
                rejected.reason().tag(), rejected.reason().httpStatus(), peer, printable(rejected.detail()),
                facts.mech(), printable(facts.sname()), facts.kvno(), facts.enctype(), printable(facts.client()));
    }

    /** Names in a refused ticket are unauthenticated client input: keep them from forging log lines. */
    private static String printable(@Nullable String text) {
        if (text == null) {
            return "-";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"') {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(String.format("\\x%02x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
