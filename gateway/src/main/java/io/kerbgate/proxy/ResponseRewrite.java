package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.sessions.SessionCookies;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * The head a client gets for a backend's response: hop-by-hop headers removed, {@code Via} added, framing for the
 * client's version, the mutual-authentication token, a fresh session cookie, and {@code Connection}. A function of its
 * arguments, with no channel; it takes over the backend head's headers rather than copy them.
 */
final class ResponseRewrite {

    /**
     * @param head             what goes to the client
     * @param backendReusable  the backend's connection can carry another request after this response
     * @param keepAlive        the client's connection survives this response
     */
    record Rewritten(HttpResponse head, boolean backendReusable, boolean keepAlive) {}

    private ResponseRewrite() {}

    /**
     * @param keepAlive   whether the client's connection would survive, before this response has its say
     * @param issueCookie a Negotiate token was checked for this request: it earns a fresh session cookie
     * @param cookies     the session cookie, or null when sessions are off
     */
    static Rewritten forward(HttpResponse response, Exchange ex, boolean keepAlive, boolean issueCookie,
                             @Nullable SessionCookies cookies) {
        HttpHeaders headers = response.headers();
        int code = response.status().code();
        boolean bodyless = ex.head || code == 204 || code == 304;
        boolean delimited = HttpUtil.isContentLengthSet(response);
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        // A body that ends with the backend's close leaves nothing to reuse.
        boolean backendReusable = HttpUtil.isKeepAlive(response) && (bodyless || delimited || chunked);
        HopByHopHeaders.strip(headers);
        ForwardedHeaders.via(headers);
        HttpResponse forward = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers);
        if (!bodyless && !delimited) {
            if (ex.clientVersion.isKeepAliveDefault()) {
                HttpUtil.setTransferEncodingChunked(forward, true);
            } else {
                // An HTTP/1.0 client knows no chunks: it reads this body until the close.
                keepAlive = false;
            }
        }
        Accepted accepted = ex.accepted;
        byte[] token = accepted == null ? null : accepted.responseToken();
        // RFC 4559 §5: the final token rides on the successful response. A 401 from the backend carries its own
        // challenge, which a Negotiate token must not confuse.
        if (token != null && code != 401) {
            headers.add(HttpHeaderNames.WWW_AUTHENTICATE, Responses.negotiate(token));
        }
        if (cookies != null && accepted != null && issueCookie) {
            // A fresh Negotiate earns a fresh cookie; a request that came in on a session does not extend it.
            String setCookie = cookies.issue(accepted.client(), accepted.groups(), accepted.ticketEnd());
            if (setCookie != null) {
                headers.add(HttpHeaderNames.SET_COOKIE, setCookie);
            }
        }
        ClientEdge.setConnection(headers, ex.clientVersion, keepAlive);
        return new Rewritten(forward, backendReusable, keepAlive);
    }
}
