package io.kerbgate.proxy;

import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.access.AccessDecision.Refused;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.access.AccessDecision.TokenRefused;
import io.kerbgate.access.RequestReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The responses the proxy sends by itself, built once. Callers send {@code X.retainedDuplicate()}: the duplicate has
 * its own copy of the headers, so a caller may add {@code Connection: close} or a token to it.
 *
 * <p>Bodies are one short plain-text line and never carry an acceptor's detail or a stack trace.
 *
 * <table>
 *   <caption>Responses</caption>
 *   <tr><th>Status</th><th>When</th></tr>
 *   <tr><td>100</td><td>an authenticated request with {@code Expect: 100-continue}, once its backend is connected</td></tr>
 *   <tr><td>400</td><td>a request the decoder or {@link RequestFraming} refused (then with a close), or two
 *       {@code Authorization} headers, or a malformed or ambiguous target or {@code Host}
 *       ({@link io.kerbgate.access.RequestTarget})</td></tr>
 *   <tr><td>200</td><td>forward-auth mode: the request may pass; the identity headers to copy, and the
 *       mutual-authentication token and session cookie for the client ({@link ForwardAuthAnswer})</td></tr>
 *   <tr><td>401</td><td>no or a refused {@code Negotiate} token, with {@code WWW-Authenticate: Negotiate} (and
 *       {@code Basic} over TLS when {@code basic} is on), or a Basic login that failed; the body by {@code Accept}
 *       ({@link ErrorPages})</td></tr>
 *   <tr><td>403</td><td>a principal the route does not let in, or whose name cannot be forwarded; the body by
 *       {@code Accept} ({@link ErrorPages}); in forward-auth mode also a request from outside
 *       {@code forward_auth.trusted_from} (then with a close); {@code Basic} over plain HTTP, with a body that
 *       says so</td></tr>
 *   <tr><td>429</td><td>the client or its address holds its share of the replay cache, or a Basic rate limit (with
 *       {@code Retry-After})</td></tr>
 *   <tr><td>417</td><td>an {@code Expect} other than {@code 100-continue}</td></tr>
 *   <tr><td>431</td><td>request headers above {@code limits.maxHeaderSize}</td></tr>
 *   <tr><td>500</td><td>a bug in the proxy before the response started</td></tr>
 *   <tr><td>501</td><td>{@code CONNECT}: the gateway is no tunnel</td></tr>
 *   <tr><td>502</td><td>the backend could not be reached, or broke before its response head (after a retry on
 *       another backend when the request allowed one)</td></tr>
 *   <tr><td>503</td><td>no backend available (with {@code Retry-After}), the connection limit of the chosen backend
 *       was reached and no connection freed within the queue timeout, or the acceptor said so, or no KDC
 *       answered a Basic login</td></tr>
 *   <tr><td>504</td><td>no response head within {@code timeouts.response}</td></tr>
 *   <tr><td>505</td><td>a version other than HTTP/1.0 and HTTP/1.1</td></tr>
 * </table>
 */
final class Responses {

    static final String NEGOTIATE = "Negotiate";

    static final FullHttpResponse CONTINUE =
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
    static final FullHttpResponse BAD_REQUEST = build(HttpResponseStatus.BAD_REQUEST, "");
    static final FullHttpResponse FORBIDDEN = build(HttpResponseStatus.FORBIDDEN, "");
    static final FullHttpResponse EXPECTATION_FAILED = build(HttpResponseStatus.EXPECTATION_FAILED, "");
    static final FullHttpResponse HEADERS_TOO_LARGE =
            build(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "");
    static final FullHttpResponse INTERNAL_ERROR = build(HttpResponseStatus.INTERNAL_SERVER_ERROR, "");
    static final FullHttpResponse NOT_IMPLEMENTED = build(HttpResponseStatus.NOT_IMPLEMENTED, "");
    static final FullHttpResponse BAD_GATEWAY = build(HttpResponseStatus.BAD_GATEWAY, "");
    static final FullHttpResponse SERVICE_UNAVAILABLE = build(HttpResponseStatus.SERVICE_UNAVAILABLE, "");
    static final FullHttpResponse GATEWAY_TIMEOUT = build(HttpResponseStatus.GATEWAY_TIMEOUT, "");
    static final FullHttpResponse VERSION_NOT_SUPPORTED = build(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "");

    /** Basic over plain HTTP ({@code basic}): 403, and the body says why. */
    static final FullHttpResponse BASIC_NEEDS_TLS = build(HttpResponseStatus.FORBIDDEN,
            ": Basic authentication is only accepted over https");

    /**
     * One response per status {@link #status} maps a {@link RejectReason} or a {@link RequestReason} to; a 401 or 403
     * is answered from {@link ErrorPages}, which has a body for every {@code Accept}, so theirs here go unused.
     */
    private static final Map<Integer, FullHttpResponse> REFUSALS = refusals();

    private Responses() {}

    /**
     * The HTTP status of a refusal: the edge's mapping, one case per reason, so that a new reason cannot lack its
     * status. Everything a client can send maps to a 4xx: a refused token is 401 with a fresh {@code WWW-Authenticate:
     * Negotiate} challenge, except framing errors of the HTTP request itself (400, 431); a ticket that is valid but
     * whose principal may not pass is 403; 503 when the fault is this node's, so a balancer or client tries another.
     */
    static int status(Refused refused) {
        return refused instanceof TokenRefused token ? status(token.rejected().reason())
                : status(((RequestRefused) refused).reason());
    }

    /** The status of the acceptor's refusal of a token (see {@link #status(Refused)}). */
    static int status(RejectReason reason) {
        return switch (reason) {
            case OTHER_SCHEME, NTLM, MALFORMED, NOT_INITIAL_TOKEN, MECH_UNSUPPORTED, BAD_TOKEN_ID,
                    BAD_VERSION, BAD_MSG_TYPE, USER_TO_USER, UNKNOWN_SERVICE, BADKEYVER, ENCTYPE, INTEGRITY, BADMATCH,
                    SKEW, NOT_YET_VALID, EXPIRED, REPLAY, BADADDR, BAD_CHECKSUM, CHANNEL_BINDING, TRANSITED,
                    REALM_NOT_ALLOWED, PAC_INVALID -> 401;
            case PRINCIPAL_NAME -> 403;
            case REPLAY_QUOTA -> 429;
            case TOO_LARGE -> 431;
            case REPLAY_CACHE_UNAVAILABLE -> 503;
        };
    }

    /** The status of the gateway's own refusal of a request (see {@link #status(Refused)}). */
    static int status(RequestReason reason) {
        return switch (reason) {
            case DUPLICATE_HEADER, BAD_TARGET -> 400;
            case NO_HEADER, BAD_PASSWORD -> 401;
            case ACCESS_DENIED, BASIC_NEEDS_TLS, DELEGATION_REFUSED -> 403;
            case BASIC_RATE_LIMITED -> 429;
            case NO_KEYS, KDC_UNAVAILABLE, DELEGATION_UNAVAILABLE -> 503;
        };
    }

    /** {@link #refusal(Refused, ErrorPages, String)} with the built-in one-line bodies. */
    static FullHttpResponse refusal(Refused refused) {
        return refusal(refused, ErrorPages.BUILT_IN, null);
    }

    /**
     * The response to a refused request: the status of its reason, and a fresh challenge for a 401; a 401 or 403 with
     * the body of {@code pages} that the client's {@code Accept} asks for.
     */
    static FullHttpResponse refusal(Refused refused, ErrorPages pages, @Nullable String accept) {
        if (refused instanceof RequestRefused request && request.reason() == RequestReason.BASIC_NEEDS_TLS) {
            return BASIC_NEEDS_TLS.retainedDuplicate();
        }
        int status = status(refused);
        byte[] rejectToken = refused.rejectToken();
        FullHttpResponse page = pages.page(status, accept);
        FullHttpResponse response = page != null ? page : REFUSALS.get(status).retainedDuplicate();
        if (rejectToken != null && status == 401) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, negotiate(rejectToken));
        }
        return response;
    }

    /** {@code Negotiate <base64 token>}, the value of {@code WWW-Authenticate} (RFC 4559 §4). */
    static String negotiate(byte[] token) {
        return NEGOTIATE + ' ' + Base64.getEncoder().encodeToString(token);
    }

    private static Map<Integer, FullHttpResponse> refusals() {
        Map<Integer, FullHttpResponse> byStatus = new HashMap<>();
        byStatus.put(400, BAD_REQUEST);
        byStatus.put(403, FORBIDDEN);
        byStatus.put(431, HEADERS_TOO_LARGE);
        byStatus.put(503, SERVICE_UNAVAILABLE);
        for (RejectReason reason : RejectReason.values()) {
            byStatus.computeIfAbsent(status(reason), s -> build(HttpResponseStatus.valueOf(s), ""));
        }
        for (RequestReason reason : RequestReason.values()) {
            byStatus.computeIfAbsent(status(reason), s -> build(HttpResponseStatus.valueOf(s), ""));
        }
        return Map.copyOf(byStatus);
    }

    /** A one-line text answer: the status, its phrase and {@code suffix}. */
    static FullHttpResponse build(HttpResponseStatus status, String suffix) {
        byte[] text = (status.code() + " " + status.reasonPhrase() + suffix + "\n").getBytes(StandardCharsets.UTF_8);
        return build(status, "text/plain; charset=utf-8", text);
    }

    static FullHttpResponse build(HttpResponseStatus status, String contentType, byte[] content) {
        // Unreleasable: the body is shared by every duplicate for as long as the response is in use.
        ByteBuf body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(content));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }
}
