package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.access.AccessDecision;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.access.RequestReason;
import io.kerbgate.delegation.Delegated;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The stage that authenticates each request ({@link NegotiateStep}): it answers 401, 403 and 503 itself and passes an
 * {@link Authenticated} request on, with who it is and how that was established. With {@code auth.required: false}
 * every request passes, without an identity. Bodies pass through untouched: none is read before the verdict.
 */
final class NegotiateHandler extends ChannelInboundHandlerAdapter {

    /**
     * The principal a client connection last authenticated ({@code sessions.connection_bound}). On the connection's
     * channel: for HTTP/2, the parent of the stream channels, whose event loop they share, so it is only ever touched
     * from that one thread.
     */
    static final AttributeKey<Accepted> CONNECTION_PRINCIPAL = AttributeKey.valueOf("kerbgate.connectionPrincipal");

    /** How a request was let through; {@link #tag} is the access log's {@code auth=} value. */
    enum Means {
        /** A Negotiate token, checked now. */
        TOKEN("ok"),
        /** A Basic user name and password ({@code basic}), logged in with the KDC or found in its cache. */
        BASIC("basic"),
        /** The connection's earlier token ({@code sessions.connection_bound}). */
        CONNECTION("connection"),
        /** The session cookie. */
        COOKIE("cookie"),
        /** An anonymous route: no identity. */
        ANONYMOUS("anonymous"),
        /** {@code auth.required: false}: no identity. */
        OFF("off");

        final String tag;

        Means(String tag) {
            this.tag = tag;
        }
    }

    /**
     * A request let through: {@code principal} is null for {@link Means#ANONYMOUS} and {@link Means#OFF};
     * {@code backendAuthorization} is the backend's {@code Authorization} in the principal's name
     * ({@code delegation}), or null.
     */
    record Authenticated(HttpRequest request, @Nullable Accepted principal, Means means,
                         @Nullable String backendAuthorization) {
        Authenticated(HttpRequest request, @Nullable Accepted principal, Means means) {
            this(request, principal, means, null);
        }

        @Override
        public String toString() {
            // The backend token is a credential: never in a log line through this record.
            return "Authenticated[" + request.method() + " " + request.uri() + ", " + principal + ", " + means + "]";
        }
    }

    private final ClientEdge edge;
    private final NegotiateStep negotiate;
    private final ProxyPolicy policy;
    private final ConnectionSecurity security;

    NegotiateHandler(ClientEdge edge, NegotiateStep negotiate, ProxyPolicy policy, ConnectionSecurity security) {
        this.edge = edge;
        this.negotiate = negotiate;
        this.policy = policy;
        this.security = security;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RequestChecks.Checked checked)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Exchange ex = Objects.requireNonNull(edge.exchange(), "a request head outside an exchange");
        HttpRequest request = checked.request();
        if (!policy.authRequired()) {
            pass(ctx, ex, new Authenticated(request, null, Means.OFF));
            return;
        }
        Channel channel = ctx.channel();
        Attribute<Accepted> session = policy.connectionBound() ? ClientAddress.connection(channel).attr(CONNECTION_PRINCIPAL) : null;
        boolean withoutToken = !request.headers().contains(HttpHeaderNames.AUTHORIZATION);
        // Without a token, only a session lets a request through: the connection's, or else the cookie's.
        Means means = !withoutToken ? (negotiate.isBasic(request.headers().get(HttpHeaderNames.AUTHORIZATION))
                        ? Means.BASIC : Means.TOKEN)
                : session != null && session.get() != null ? Means.CONNECTION : Means.COOKIE;
        Future<AccessDecision> verdict = negotiate.authenticate(request, checked.target(),
                ClientAddress.inet(channel), security.bindings(), security.tls(), session, channel.eventLoop());
        if (verdict.isDone()) {
            decided(ctx, ex, request, verdict.getNow(), means);
            return;
        }
        // The acceptor waits on the shared replay cache, on its own threads; nothing more is read from the client
        // until it answers, and its silence meanwhile is not idleness (failover_wait bounds the wait). A client gone
        // meanwhile has ended the exchange.
        ex.waitingForBackend = true;
        verdict.addListener(f -> {
            if (edge.exchange() == ex) {
                ex.waitingForBackend = false;
                decided(ctx, ex, request, verdict.getNow(), means);
            }
        });
    }

    private void decided(ChannelHandlerContext ctx, Exchange ex, HttpRequest request, AccessDecision verdict,
                         Means means) {
        if (verdict instanceof AccessDecision.Refused refused) {
            ex.auth = refused.tag();
            FullHttpResponse response = Responses.refusal(refused, negotiate.errorPages(),
                    request.headers().get(HttpHeaderNames.ACCEPT));
            String basic = negotiate.basicChallenge();
            if (basic != null && security.tls() && response.status().code() == 401) {
                // Offered beside Negotiate, never instead: browsers prefer Negotiate where they have a ticket.
                response.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, basic);
            }
            if (refused instanceof RequestRefused r && r.reason() == RequestReason.BASIC_RATE_LIMITED) {
                response.headers().set(HttpHeaderNames.RETRY_AFTER, negotiate.basicRetryAfterSeconds());
            }
            edge.answer(response, null, false);
            return;
        }
        if (!(verdict instanceof AccessDecision.Allowed allowed)) {
            // Not Allowed on an anonymous route: forwarded without an identity.
            pass(ctx, ex, new Authenticated(request, null, Means.ANONYMOUS));
            return;
        }
        Accepted accepted = allowed.accepted();
        DelegationStep delegation = negotiate.delegation();
        if (delegation == null) {
            pass(ctx, ex, new Authenticated(request, accepted, means));
            return;
        }
        // The backend wants a ticket in the user's name: a cached one, or the KDC's (on the acceptor threads). Only
        // a request that carried its own token has the evidence the KDC wants; a session's may only use the cache.
        String authorization = means == Means.TOKEN ? request.headers().get(HttpHeaderNames.AUTHORIZATION) : null;
        Future<Delegated> delegated = delegation.delegate(accepted, authorization, means == Means.BASIC,
                ClientAddress.inet(ctx.channel()), ctx.channel().eventLoop());
        ex.waitingForBackend = true;
        delegated.addListener(f -> {
            if (edge.exchange() == ex) {
                ex.waitingForBackend = false;
                delegated(ctx, ex, request, accepted, means, delegated.getNow());
            }
        });
    }

    private void delegated(ChannelHandlerContext ctx, Exchange ex, HttpRequest request, Accepted accepted,
                           Means means, Delegated outcome) {
        if (outcome instanceof Delegated.Token token) {
            pass(ctx, ex, new Authenticated(request, accepted, means, token.headerValue()));
            return;
        }
        AccessDecision.RequestRefused refused = DelegationStep.refusal((Delegated.Refused) outcome, accepted);
        ex.auth = refused.tag();
        edge.answer(Responses.refusal(refused, negotiate.errorPages(), request.headers().get(HttpHeaderNames.ACCEPT)),
                null, false);
    }

    private static void pass(ChannelHandlerContext ctx, Exchange ex, Authenticated authenticated) {
        ex.auth = authenticated.means().tag;
        ex.accepted = authenticated.principal();
        ctx.fireChannelRead(authenticated);
    }
}
