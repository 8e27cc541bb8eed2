package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.identity.IdentityHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RequestRewrite} and {@link ResponseRewrite}: functions of plain objects, no channel. */
final class RewriteTest {

    private static final Accepted ALICE = new Accepted("alice@ARRAY.TEST", "HTTP/array.example.test@ARRAY.TEST", 3,
            18, new byte[] {1, 2, 3}, false, List.of());
    private static final IdentityHeaders IDENTITY = IdentityHeaders.of(GatewayConfig.Identity.DEFAULT,
            Clock.systemUTC());
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    private static HttpRequest request(HttpMethod method, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/x");
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    private static HttpRequest forward(HttpRequest request, Accepted accepted) {
        return RequestRewrite.forward(request, new Exchange(request), accepted, false, PEER, "https", IDENTITY, null);
    }

    @Test
    void request_identityReplacesWhatTheClientSent_hopByHopAndExpectGo() {
        HttpRequest out = forward(request(HttpMethod.GET, "Host", "a", "X-Remote-User", "admin@ARRAY.TEST",
                "Authorization", "Negotiate YII=", "Connection", "keep-alive, X-Secret", "X-Secret", "1",
                "Expect", "100-continue", "Proxy-Authorization", "Basic eA=="), ALICE);

        assertEquals(List.of("alice@ARRAY.TEST"), out.headers().getAll("X-Remote-User"));
        assertNull(out.headers().get("Authorization"), "the ticket stays here");
        assertNull(out.headers().get("X-Secret"), "named in Connection: hop-by-hop");
        assertNull(out.headers().get("Expect"));
        assertNull(out.headers().get("Proxy-Authorization"));
        assertEquals("https", out.headers().get("X-Forwarded-Proto"));
        assertEquals(HttpVersion.HTTP_1_1, out.protocolVersion());
    }

    @Test
    void request_withDelegation_theBackendTokenReplacesEveryClientAuthorization() {
        HttpRequest request = request(HttpMethod.GET, "Authorization", "Negotiate YII=",
                "authorization", "Basic YWRtaW46eA==", "Proxy-Authorization", "Negotiate YII=");
        HttpRequest out = RequestRewrite.forward(request, new Exchange(request), ALICE, false, PEER, "https",
                IDENTITY, null, "Negotiate YIIbackend");

        assertEquals(List.of("Negotiate YIIbackend"), out.headers().getAll("Authorization"),
                "only the gateway's token, for the backend's SPN");
        assertNull(out.headers().get("Proxy-Authorization"));
        assertEquals(List.of("alice@ARRAY.TEST"), out.headers().getAll("X-Remote-User"), "identity headers still go");
    }

    @Test
    void authenticated_neverPrintsTheBackendToken() {
        var authenticated = new NegotiateHandler.Authenticated(request(HttpMethod.GET), ALICE,
                NegotiateHandler.Means.TOKEN, "Negotiate YIIsecret");

        assertFalse(authenticated.toString().contains("YIIsecret"), authenticated.toString());
    }

    @Test
    void request_withoutAnIdentity_clientCopiesAreStillRemoved() {
        HttpRequest out = forward(request(HttpMethod.GET, "X-Remote-User", "admin@ARRAY.TEST"), null);

        assertFalse(out.headers().contains("X-Remote-User"));
    }

    @Test
    void request_framingComesFromTheHeadAlone() {
        HttpRequest chunked = forward(request(HttpMethod.POST, "Transfer-Encoding", "chunked"), ALICE);
        assertEquals("chunked", chunked.headers().get("Transfer-Encoding"));
        assertFalse(chunked.headers().contains("Content-Length"));

        HttpRequest sized = forward(request(HttpMethod.POST, "Content-Length", "0012"), ALICE);
        assertEquals("12", sized.headers().get("Content-Length"), "normalised");

        HttpRequest none = forward(request(HttpMethod.GET), ALICE);
        assertFalse(none.headers().contains("Content-Length"));
        assertFalse(none.headers().contains("Transfer-Encoding"));
    }

    @Test
    void request_webSocketUpgradeKeepsItsTwoHeaders() {
        HttpRequest request = request(HttpMethod.GET, "Upgrade", "websocket", "Connection", "Upgrade");
        HttpRequest out = RequestRewrite.forward(request, new Exchange(request), ALICE, true, PEER, "http", IDENTITY,
                null);

        assertEquals("websocket", out.headers().get("Upgrade"));
        assertEquals("upgrade", out.headers().get("Connection").toLowerCase());
    }

    private static ResponseRewrite.Rewritten response(HttpVersion client, HttpResponseStatus status,
            Accepted accepted, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(client, HttpMethod.GET, "/x");
        Exchange ex = new Exchange(request);
        ex.accepted = accepted;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        for (int i = 0; i < headerPairs.length; i += 2) {
            response.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return ResponseRewrite.forward(response, ex, true, true, null);
    }

    @Test
    void response_mutualAuthTokenOnSuccess_notOnTheBackends401() {
        ResponseRewrite.Rewritten ok = response(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, ALICE,
                "Content-Length", "0");
        assertEquals("Negotiate AQID", ok.head().headers().get("WWW-Authenticate"));
        assertTrue(ok.head().headers().get("Via").contains("kerbgate"), ok.head().headers().toString());

        ResponseRewrite.Rewritten denied = response(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED, ALICE,
                "Content-Length", "0", "WWW-Authenticate", "Basic realm=\"app\"");
        assertEquals(List.of("Basic realm=\"app\""), denied.head().headers().getAll("WWW-Authenticate"));
    }

    @Test
    void response_undelimitedBody_chunkedForHttp11_untilCloseForHttp10() {
        ResponseRewrite.Rewritten v11 = response(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, null);
        assertEquals("chunked", v11.head().headers().get("Transfer-Encoding"));
        assertFalse(v11.backendReusable(), "a body that ends with the backend's close");
        assertTrue(v11.keepAlive());

        ResponseRewrite.Rewritten v10 = response(HttpVersion.HTTP_1_0, HttpResponseStatus.OK, null);
        assertFalse(v10.head().headers().contains("Transfer-Encoding"));
        assertFalse(v10.keepAlive(), "an HTTP/1.0 client reads it until the close");
        assertEquals("close", v10.head().headers().get("Connection"));
    }

    @Test
    void response_delimitedAndKeptAlive_theBackendConnectionIsReusable() {
        ResponseRewrite.Rewritten out = response(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, null,
                "Content-Length", "5", "Keep-Alive", "timeout=5");
        assertTrue(out.backendReusable());
        assertFalse(out.head().headers().contains("Keep-Alive"), "hop-by-hop");
    }
}
