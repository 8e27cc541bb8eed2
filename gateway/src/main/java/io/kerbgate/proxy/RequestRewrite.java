package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.identity.IdentityHeaders;
import io.kerbgate.sessions.SessionCookies;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The head a backend gets for a client's request: hop-by-hop headers, {@code Expect} and the session cookie removed,
 * the identity headers and {@code X-Forwarded-*}/{@code Forwarded} set, and framing the backend reads from this head
 * alone. A function of its arguments, with no channel; it takes over the client head's headers rather than copy them.
 */
final class RequestRewrite {

    private RequestRewrite() {}

    /**
     * @param accepted who the request is from, or null to forward it without an identity (client copies of the
     *                 identity headers and {@code Authorization} are removed all the same)
     * @param upgrade  a WebSocket upgrade the proxy will relay: {@code Upgrade} and {@code Connection} are kept
     * @param identity the identity mapping of this request (a reload changes the next)
     * @param cookies  the session cookie, or null when sessions are off
     */
    static HttpRequest forward(HttpRequest request, Exchange ex, @Nullable Accepted accepted, boolean upgrade,
                               InetAddress peer, String scheme, IdentityHeaders identity,
                               @Nullable SessionCookies cookies) {
        return forward(request, ex, accepted, upgrade, peer, scheme, identity, cookies, null);
    }

    /**
     * @param backendAuthorization the backend's {@code Authorization} in the user's name ({@code delegation}), or
     *                             null: it replaces the client's, which never reaches a backend
     */
    static HttpRequest forward(HttpRequest request, Exchange ex, @Nullable Accepted accepted, boolean upgrade,
                               InetAddress peer, String scheme, IdentityHeaders identity,
                               @Nullable SessionCookies cookies, @Nullable String backendAuthorization) {
        HttpHeaders headers = request.headers();
        HopByHopHeaders.strip(headers);
        stripSessionCookie(headers, cookies);
        // The proxy answers 100-continue itself once the backend is connected; the backend never waits for a body.
        headers.remove(HttpHeaderNames.EXPECT);
        identity.forward(headers, accepted == null ? null : accepted.client(),
                accepted == null ? List.of() : accepted.groups(), peer, scheme);
        if (backendAuthorization != null) {
            // identity.forward removed every client Authorization; this one is the gateway's, for the backend.
            headers.set(HttpHeaderNames.AUTHORIZATION, backendAuthorization);
        }
        ForwardedHeaders.request(headers, peer, scheme);
        if (upgrade) {
            headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        HttpRequest forward = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), headers);
        // Framing the backend reads from this head alone, never from a rule it may not know (Hixie-76, HTTP/1.0):
        // chunked, or a Content-Length of what the client declared, or no body at all.
        if (ex.chunked) {
            HttpUtil.setTransferEncodingChunked(forward, true);
        } else if (ex.contentLength > 0 || headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, ex.contentLength);
        }
        return forward;
    }

    /** The session cookie never reaches a backend, whatever the route; the client's other cookies do. */
    private static void stripSessionCookie(HttpHeaders headers, @Nullable SessionCookies cookies) {
        if (cookies == null || !headers.contains(HttpHeaderNames.COOKIE)) {
            return;
        }
        List<String> values = headers.getAll(HttpHeaderNames.COOKIE);
        List<String> kept = cookies.strip(values);
        if (kept == values) {
            return;
        }
        headers.remove(HttpHeaderNames.COOKIE);
        if (kept != null) {
            headers.add(HttpHeaderNames.COOKIE, kept);
        }
    }
}
