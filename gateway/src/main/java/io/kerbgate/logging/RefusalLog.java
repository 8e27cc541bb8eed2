package io.kerbgate.logging;

import io.kerbgate.acceptor.RefusalHints;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.acceptor.TokenFacts;
import io.kerbgate.access.AccessDecision.Refused;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.access.AccessDecision.TokenRefused;
import io.kerbgate.access.RequestReason;
import io.kerbgate.config.GatewayConfig.Logging;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.keys.KeySet;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes the one log line of a refused request: what was refused, what the token carried against what this node's
 * keytab holds, and a hint in plain words ({@link RefusalHints}). Fields, in order:
 *
 * <table>
 *   <caption>Fields of {@code auth refused}</caption>
 *   <tr><td>{@code reason}</td><td>the {@link RejectReason#tag()} or {@link RequestReason#tag()}, as in the
 *       metrics</td></tr>
 *   <tr><td>{@code status}</td><td>the HTTP status the client got</td></tr>
 *   <tr><td>{@code client}</td><td>the peer address on the socket</td></tr>
 *   <tr><td>{@code principal}</td><td>the client principal when the ticket decrypted, else {@code -}</td></tr>
 *   <tr><td>{@code service}</td><td>the service principal the ticket names (unauthenticated for early refusals)</td></tr>
 *   <tr><td>{@code kvno}, {@code enctype}</td><td>what the ticket carried</td></tr>
 *   <tr><td>{@code keytab_kvnos}, {@code keytab_enctypes}</td><td>what this node holds for that service (or for
 *       every principal when the service is unknown); {@code -} when the token never got to a ticket</td></tr>
 *   <tr><td>{@code route}</td><td>the access route, for {@code access_denied}</td></tr>
 *   <tr><td>{@code mech}</td><td>the client's first mechanism OID</td></tr>
 *   <tr><td>{@code detail}</td><td>the acceptor's explanation</td></tr>
 *   <tr><td>{@code hint}</td><td>what usually causes this and where to look</td></tr>
 * </table>
 *
 * Plain: {@code auth refused reason=skew status=401 client=10.0.0.7:51234 principal=alice@EXAMPLE.COM ...
 * hint="..."}, with client-controlled text escaped so it cannot forge a line. JSON: the message {@code auth refused:
 * skew} and the same fields as key-value pairs. {@code no_header} (the first leg of every Negotiate exchange) is
 * logged at DEBUG, a full replay cache at WARN, everything else at INFO.
 */
public final class RefusalLog {

    private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);

    private final Supplier<KeySet> keys;
    private final Logging.Format format;
    private final ToIntFunction<Refused> httpStatus;

    /**
     * @param keys       this node's current keys, read once per refusal
     * @param format     the configured format: decides whether fields go in the message or in key-value pairs
     * @param httpStatus the status the edge answers each refusal with, for the {@code status} field
     */
    public RefusalLog(Supplier<KeySet> keys, Logging.Format format, ToIntFunction<Refused> httpStatus) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.format = Objects.requireNonNull(format, "format");
        this.httpStatus = Objects.requireNonNull(httpStatus, "httpStatus");
    }

    /** Logs {@code refused} for the client at {@code peer}; {@code route} is the access route, or {@code null}. */
    public void refused(Refused refused, InetSocketAddress peer, @Nullable String route) {
        Level level = level(refused);
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        Map<String, String> fields = fields(refused, peer, route);
        if (format == Logging.Format.JSON) {
            LoggingEventBuilder event = log.atLevel(level).setMessage("auth refused: " + refused.tag());
            fields.forEach(event::addKeyValue);
            event.log();
        } else {
            log.atLevel(level).log(plainLine(fields));
        }
    }

    /** The fields of the line, in order, values as the plain line shows them (before escaping). */
    Map<String, String> fields(Refused refused, InetSocketAddress peer, @Nullable String route) {
        TokenFacts facts = refused.facts();
        KeySet keySet = keys.get();
        boolean reachedTicket = facts.sname() != null || facts.kvno() >= 0;
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("reason", refused.tag());
        fields.put("status", Integer.toString(httpStatus.applyAsInt(refused)));
        fields.put("client", peer.getAddress() == null ? peer.getHostString() + ":" + peer.getPort()
                : peer.getAddress().getHostAddress() + ":" + peer.getPort());
        fields.put("principal", orDash(facts.client()));
        fields.put("service", orDash(facts.sname()));
        fields.put("kvno", facts.kvno() < 0 ? "-" : Integer.toString(facts.kvno()));
        fields.put("enctype", facts.enctype() < 0 ? "-" : Enctype.describe(facts.enctype()));
        fields.put("keytab_kvnos", reachedTicket ? RefusalHints.keytabKvnos(keySet, facts.sname()) : "-");
        fields.put("keytab_enctypes", reachedTicket ? RefusalHints.keytabEnctypes(keySet, facts.sname()) : "-");
        fields.put("route", orDash(route));
        fields.put("mech", orDash(facts.mech()));
        fields.put("detail", refused.detail());
        fields.put("hint", hint(refused, keySet));
        return fields;
    }

    /** The acceptor's hints compare the token with the keys; the gateway's own refusals have one fixed hint each. */
    private static String hint(Refused refused, KeySet keys) {
        if (refused instanceof TokenRefused token) {
            return RefusalHints.hint(token.rejected().reason(), refused.facts(), keys);
        }
        return ((RequestRefused) refused).reason().hint();
    }

    private static Level level(Refused refused) {
        if (refused instanceof RequestRefused request && request.reason() == RequestReason.NO_HEADER) {
            return Level.DEBUG;
        }
        if (refused instanceof RequestRefused request && (request.reason() == RequestReason.KDC_UNAVAILABLE
                || request.reason() == RequestReason.BASIC_NEEDS_TLS)) {
            return Level.WARN;
        }
        if (refused instanceof TokenRefused token
                && token.rejected().reason() == RejectReason.REPLAY_CACHE_UNAVAILABLE) {
            return Level.WARN;
        }
        if (refused instanceof RequestRefused request && request.reason() == RequestReason.DELEGATION_UNAVAILABLE) {
            return Level.WARN;
        }
        return Level.INFO;
    }

    private static String plainLine(Map<String, String> fields) {
        StringBuilder line = new StringBuilder(256).append("auth refused");
        fields.forEach((name, value) -> {
            line.append(' ').append(name).append('=');
            boolean quote = name.equals("detail") || name.equals("hint") || value.isEmpty()
                    || value.indexOf(' ') >= 0;
            if (quote) {
                line.append('"');
            }
            appendPrintable(line, value);
            if (quote) {
                line.append('"');
            }
        });
        return line.toString();
    }

    /** Names in a refused ticket are unauthenticated client input: keep them from forging log lines or fields. */
    static void appendPrintable(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
    }

    private static String orDash(@Nullable String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
