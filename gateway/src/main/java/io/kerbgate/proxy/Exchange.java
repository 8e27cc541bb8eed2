package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * One request as the stages of its connection share it, from its head to the end of its response: what the head said
 * (final), how far the exchange has come both ways, and what the access log reports. Created by {@link ClientEdge},
 * touched only on the connection's event loop.
 */
final class Exchange {

    final HttpVersion clientVersion;
    /** What the access log calls the request: in forward-auth mode, the original request the proxy asks about. */
    HttpMethod method;
    String uri;
    final boolean head;
    final boolean expectContinue;
    /** The body is chunked; else {@link #contentLength} is the length it declared. */
    final boolean chunked;
    /** -1 for a chunked body, 0 for a request without Content-Length. */
    final long contentLength;
    final boolean hasBody;
    /**
     * A body Netty would read though neither Content-Length nor Transfer-Encoding announces it (the Hixie-76
     * handshake's 8 bytes): refused, for no backend would read it as the body of this request.
     */
    final boolean impliedBody;
    final long start = System.nanoTime();

    /** The client connection survives this exchange. */
    boolean keepAlive;
    /** The client's LastHttpContent was read. */
    boolean requestDone;
    boolean continueSent;
    /** A response head went out: from now on only a close can report a failure. */
    boolean responseStarted;
    /**
     * The proxy is waiting on something other than the client (the shared replay cache, a backend's connect or
     * response): its own timeouts are in charge of silence, not the client's idle timeout.
     */
    boolean waitingForBackend;

    // What the access log reports.
    /** How the request was let through (ok, connection, cookie, anonymous, off) or the refusal's reason. */
    String auth = "-";
    @Nullable Accepted accepted;
    @Nullable Backend backend;
    int retries;
    long bytesIn;
    long bytesOut;
    long upstreamNanos = -1;

    Exchange(HttpRequest request) {
        clientVersion = request.protocolVersion();
        method = request.method();
        uri = request.uri();
        head = HttpMethod.HEAD.equals(request.method());
        expectContinue = HttpUtil.is100ContinueExpected(request);
        chunked = HttpUtil.isTransferEncodingChunked(request);
        boolean declared = request.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
        // Only the headers say how long a body is: HttpUtil.getContentLength also applies Hixie-76's implied 8.
        contentLength = chunked ? -1 : declared ? HttpUtil.getContentLength(request, 0L) : 0;
        hasBody = chunked || contentLength > 0;
        impliedBody = !chunked && !declared && HttpUtil.getContentLength(request, -1L) > 0;
        keepAlive = HttpUtil.isKeepAlive(request);
    }
}
