package io.kerbgate.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.Inet6Address;
import java.util.List;

/**
 * The headers that say a message went through this proxy:
 * <ul>
 *   <li>{@code Forwarded} (RFC 7239): {@code for=<client>;proto=<scheme>;host=<Host>} appended to the chain the
 *       client sent, IPv6 addresses as {@code "[...]"} and values quoted where they are not tokens (§4, §6);
 *   <li>{@code Via: 1.1 kerbgate} (RFC 9110 §7.6.3) appended, on requests and on responses;
 *   <li>{@code X-Forwarded-For/-Proto/-Host} come from {@link io.kerbgate.identity.IdentityHeaders}, for every
 *       request (with or without an identity): the client's address appended to the {@code X-Forwarded-For} chain,
 *       {@code -Proto} and {@code -Host} replaced.
 * </ul>
 * A client can write anything into a chain it sends; only the element this proxy appends is trustworthy, which is
 * why it is always the last.
 */
final class ForwardedHeaders {

    static final String VIA_VALUE = "1.1 kerbgate";

    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    private ForwardedHeaders() {}

    /** Adds {@code Forwarded} and {@code Via} to a request going to a backend. */
    static void request(HttpHeaders headers, InetAddress client, String proto) {
        String host = headers.get(HttpHeaderNames.HOST);
        StringBuilder element = new StringBuilder(64).append("for=").append(node(client)).append(";proto=")
                .append(proto);
        if (host != null && !host.isEmpty()) {
            element.append(";host=").append(tokenOrQuoted(host));
        }
        append(headers, FORWARDED, element.toString());
        via(headers);
    }

    /** Adds {@code Via} to a response going to a client. */
    static void via(HttpHeaders headers) {
        append(headers, HttpHeaderNames.VIA, VIA_VALUE);
    }

    private static void append(HttpHeaders headers, CharSequence name, String value) {
        List<String> chain = headers.getAll(name);
        headers.set(name, chain.isEmpty() ? value : String.join(", ", chain) + ", " + value);
    }

    /** RFC 7239 §6: node = nodename; an IPv6 address is bracketed, and so needs quotes. */
    private static String node(InetAddress address) {
        String text = NetUtil.toAddressString(address);
        return address instanceof Inet6Address ? "\"[" + text + "]\"" : text;
    }

    private static String tokenOrQuoted(String value) {
        boolean token = !value.isEmpty();
        for (int i = 0; i < value.length() && token; i++) {
            char c = value.charAt(i);
            token = c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
        }
        if (token) {
            return value;
        }
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }
}
