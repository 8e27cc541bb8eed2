package io.kerbgate.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes the headers that describe one connection and must not cross the proxy (RFC 9110 §7.6.1), in both
 * directions.
 *
 * <p>{@code Transfer-Encoding} goes too: the caller notes whether the message was chunked before stripping and lets the
 * codec re-frame it on the other connection. {@code Upgrade} goes too; {@link RequestRewrite} puts back
 * {@code Upgrade: websocket} and {@code Connection: Upgrade} on an authenticated WebSocket handshake.
 */
final class HopByHopHeaders {

    private static final List<AsciiString> ALWAYS = List.of(
            HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE,
            AsciiString.cached("proxy-connection"),
            HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER,
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE);

    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.trim();
                // A peer must not be able to remove the framing of the message it sends: "Connection: content-length"
                // would otherwise turn the body into the start of the next request on the other side (smuggling).
                if (!name.isEmpty()
                        && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                        && !HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                    headers.remove(name);
                }
            }
        }
        for (AsciiString name : ALWAYS) {
            headers.remove(name);
        }
    }
}
