package io.kerbgate.proxy;

import io.kerbgate.access.AccessDecision;
import io.kerbgate.access.RequestTarget;
import io.kerbgate.proxy.ProxyMetrics.Refusal;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The stage that decides whether a request head can be served at all, before anyone authenticates it: the version,
 * the expectation, the method, the framing and the target. A request that passes goes on as a {@link Checked}, its
 * target in origin-form and its {@code Host} the authority that names the route; any other is answered here
 * (400, 417, 501, 505). Bodies pass through untouched.
 */
final class RequestChecks extends ChannelInboundHandlerAdapter {

    /** A request head that passed, with its target read once. */
    record Checked(HttpRequest request, RequestTarget target) {}

    private final ClientEdge edge;
    private final NegotiateStep negotiate;

    RequestChecks(ClientEdge edge, NegotiateStep negotiate) {
        this.edge = edge;
        this.negotiate = negotiate;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Exchange ex = Objects.requireNonNull(edge.exchange(), "a request head outside an exchange");
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || !"HTTP".equals(version.protocolName())) {
            edge.answer(Responses.VERSION_NOT_SUPPORTED.retainedDuplicate(), null, true);
            return;
        }
        if (unsupportedExpectation(request)) {
            edge.answer(Responses.EXPECTATION_FAILED.retainedDuplicate(), null, true);
            return;
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            edge.answer(Responses.NOT_IMPLEMENTED.retainedDuplicate(), null, true);
            return;
        }
        if (ex.impliedBody) {
            edge.requestUnreadable(new DecoderException("a body that no Content-Length or Transfer-Encoding"
                    + " announces"), Refusal.IMPLIED_BODY);
            return;
        }
        InetSocketAddress peer = ClientAddress.inet(ctx.channel());
        RequestTarget target;
        try {
            target = NegotiateStep.target(request);
        } catch (RequestTarget.Invalid e) {
            AccessDecision.RequestRefused refused = negotiate.badTarget(e, peer);
            ex.auth = refused.tag();
            edge.answer(Responses.refusal(refused), null, false);
            return;
        }
        // The request says what the route is chosen by: the target in origin-form, and Host the authority that names
        // the route (the absolute-form target's, RFC 9112 §3.2.2), so that X-Forwarded-Host and Forwarded carry it.
        request.setUri(target.originForm());
        if (target.authority() != null) {
            request.headers().set(HttpHeaderNames.HOST, target.authority());
        }
        ctx.fireChannelRead(new Checked(request, target));
    }

    /** RFC 9110 §10.1.1: 100-continue is the only expectation; an HTTP/1.0 client's Expect is ignored. */
    private static boolean unsupportedExpectation(HttpRequest request) {
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        return expect != null
                && request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim());
    }
}
