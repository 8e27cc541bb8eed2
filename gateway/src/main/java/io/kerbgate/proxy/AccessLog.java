package io.kerbgate.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the logger {@value #LOGGER}, as {@code key=value} pairs (logfmt), for example
 *
 * <pre>
 * client=10.0.0.7:53122 principal=alice@EXAMPLE.COM method=GET path="/app?x=1" status=200 backend=10.0.1.5:8080
 * bytes_in=0 bytes_out=5120 auth=ok total_ms=3.412 upstream_ms=2.950 retries=0
 * </pre>
 *
 * <p>The time is the logging event's own (logback's {@code %d}). {@code auth} is {@code ok}, {@code anonymous}
 * (an anonymous route), {@code off} ({@code auth.required: false}) or the refusal's reason tag; {@code status} is {@code 0} when the exchange was cut
 * before a response; {@code upstream_ms} runs from the request head sent to the backend to its response head
 * ({@code -} when no backend answered). Values a client chose (the path) are quoted and escaped so that no request
 * can forge a line.
 *
 * <p>The line is built on the event loop (a few hundred nanoseconds); writing it is the appender's job, and the one
 * configured in {@code logback.xml} is asynchronous, with {@code neverBlock}: a slow disk drops lines rather than stall
 * the proxy.
 */
final class AccessLog {

    static final String LOGGER = "kerbgate.access";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final boolean enabled;

    AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    boolean enabled() {
        return enabled && log.isInfoEnabled();
    }

    /** The facts of one finished exchange. */
    record Entry(@Nullable SocketAddress client, @Nullable String principal, String method, String path, int status,
                 @Nullable String backend, long bytesIn, long bytesOut, String auth, long totalNanos,
                 long upstreamNanos, int retries) {}

    void log(Entry e) {
        if (enabled()) {
            log.info(line(e));
        }
    }

    /** The line of one exchange, without the time. */
    static String line(Entry e) {
        StringBuilder line = new StringBuilder(192);
        line.append("client=").append(address(e.client()))
                .append(" principal=").append(e.principal() == null ? "-" : quoteIfNeeded(e.principal()))
                .append(" method=").append(quoteIfNeeded(e.method()))
                .append(" path=");
        quote(line, e.path());
        line.append(" status=").append(e.status())
                .append(" backend=").append(e.backend() == null ? "-" : e.backend())
                .append(" bytes_in=").append(e.bytesIn())
                .append(" bytes_out=").append(e.bytesOut())
                .append(" auth=").append(e.auth())
                .append(" total_ms=");
        millis(line, e.totalNanos()).append(" upstream_ms=");
        if (e.upstreamNanos() < 0) {
            line.append('-');
        } else {
            millis(line, e.upstreamNanos());
        }
        return line.append(" retries=").append(e.retries()).toString();
    }

    private static String address(@Nullable SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return "-";
    }

    // By hand, not String.format: this runs for every request, and Formatter parses its pattern each time.
    private static StringBuilder millis(StringBuilder line, long nanos) {
        long micros = TimeUnit.NANOSECONDS.toMicros(nanos);
        long fraction = micros % 1000;
        line.append(micros / 1000).append('.');
        if (fraction < 100) {
            line.append(fraction < 10 ? "00" : "0");
        }
        return line.append(fraction);
    }

    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '=' || c == '\\') {
                StringBuilder quoted = new StringBuilder(value.length() + 8);
                quote(quoted, value);
                return quoted.toString();
            }
        }
        return value;
    }

    private static void quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
