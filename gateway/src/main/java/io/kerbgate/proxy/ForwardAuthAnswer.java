package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.proxy.NegotiateHandler.Authenticated;
import io.kerbgate.proxy.NegotiateHandler.Means;
import io.kerbgate.sessions.SessionCookies;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Forward-auth mode's last stage, in place of {@link ForwardHandler}: a request that {@link NegotiateHandler} let
 * through is answered here with an empty 200, which tells the asking proxy to forward the original request, and
 * carries what the proxy copies:
 * <ul>
 *   <li>for the backend, the identity headers exactly as a backend would get them in proxy mode (the mapped principal,
 *       the groups, their names, the signed assertion; none on an anonymous route);
 *   <li>for the client, {@code WWW-Authenticate: Negotiate <token>} when the acceptor made a mutual-authentication
 *       token, and a fresh session cookie ({@code Set-Cookie}) after a Negotiate token when {@code sessions.cookie} is
 *       on.
 * </ul>
 * Refusals (401 with the challenge, 403, 400, 503) were answered by the stages before. A body the asking request may
 * have is dropped by {@link ClientEdge}.
 */
final class ForwardAuthAnswer extends ChannelInboundHandlerAdapter {

    private final ClientEdge edge;
    private final LiveSettings live;
    private final @Nullable SessionCookies cookies;

    ForwardAuthAnswer(ClientEdge edge, LiveSettings live, @Nullable SessionCookies cookies) {
        this.edge = edge;
        this.live = live;
        this.cookies = cookies;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Authenticated authenticated) {
            Objects.requireNonNull(edge.exchange(), "a request head outside an exchange");
            edge.answer(allowed(authenticated), null, false);
        } else if (msg instanceof HttpContent content) {
            // The edge drops the body of an answered request; nothing else asks for one.
            content.release();
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private FullHttpResponse allowed(Authenticated authenticated) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        HttpHeaders headers = response.headers();
        Accepted accepted = authenticated.principal();
        live.current().identity().answer(headers, accepted == null ? null : accepted.client(),
                accepted == null ? List.of() : accepted.groups());
        byte[] token = accepted == null ? null : accepted.responseToken();
        if (token != null) {
            headers.set(HttpHeaderNames.WWW_AUTHENTICATE, Responses.negotiate(token));
        }
        if (cookies != null && accepted != null
                && (authenticated.means() == Means.TOKEN || authenticated.means() == Means.BASIC)) {
            String setCookie = cookies.issue(accepted.client(), accepted.groups(), accepted.ticketEnd());
            if (setCookie != null) {
                headers.set(HttpHeaderNames.SET_COOKIE, setCookie);
            }
        }
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, 0)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }
}
