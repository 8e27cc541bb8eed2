package io.kerbgate.proxy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.access.AccessDecision;
import io.kerbgate.access.RequestTarget;
import io.kerbgate.config.AddressRange;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.proxy.ProxyMetrics.Refusal;
import io.kerbgate.replay.WarnThrottle;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forward-auth mode's stage between {@link RequestChecks} and {@link NegotiateHandler}: who may ask, and which request
 * the question is about. The asking request (nginx's {@code auth_request} subrequest, Caddy's {@code forward_auth},
 * Traefik's ForwardAuth, Envoy's {@code ext_authz}) carries the client's {@code Authorization} and {@code Cookie}, but
 * its own target is the auth endpoint: the route must be chosen by the original request's target and host, read with
 * the same strict {@link RequestTarget} rules as in proxy mode.
 *
 * <ul>
 *   <li>Only the proxies of {@code forward_auth.trusted_from} may say what the original request was: a request from
 *       anywhere else gets 403 and a close, before the acceptor sees its token
 *       ({@code kerbgate_proxy_refused_total{reason="forward_auth_untrusted"}}, one WARN line per 10 s).
 *   <li>Without {@code path_prefix}: the original is {@code X-Forwarded-Method}, {@code X-Forwarded-Uri} and
 *       {@code X-Forwarded-Host}, exactly one of each (the proxy sets them, replacing the client's); a missing, repeated
 *       or malformed one is 400 {@code bad_target}.
 *   <li>With {@code path_prefix} (Envoy): the asking request is the original with the prefix in front of its path, its
 *       own method and {@code Host}; a target outside the prefix is 400 {@code bad_target}.
 * </ul>
 * What passes on is a {@link RequestChecks.Checked} of the asking request (its headers are the client's) and the
 * original target.
 */
final class ForwardAuthTarget extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ForwardAuthTarget.class);

    static final String METHOD = "x-forwarded-method";
    static final String URI = "x-forwarded-uri";
    static final String HOST = "x-forwarded-host";

    /** What every connection's stage shares: the trusted proxies, the prefix, and a throttle on the warnings. */
    static final class Asking {
        private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

        private final List<AddressRange> trustedFrom;
        private final @Nullable String pathPrefix;
        private final ProxyMetrics metrics;
        private final WarnThrottle warnings = new WarnThrottle(WARN_INTERVAL, Ticker.systemTicker());
        private final LongAdder heldBack = new LongAdder();

        Asking(GatewayConfig.ForwardAuth config, ProxyMetrics metrics) {
            this.trustedFrom = config.trustedFrom();
            this.pathPrefix = config.pathPrefix();
            this.metrics = metrics;
        }

        boolean trusts(InetAddress address) {
            for (AddressRange range : trustedFrom) {
                if (range.contains(address)) {
                    return true;
                }
            }
            return false;
        }

        void untrusted(InetSocketAddress peer) {
            metrics.refused(Refusal.FORWARD_AUTH_UNTRUSTED);
            if (!warnings.tryAcquire()) {
                heldBack.increment();
                return;
            }
            long more = heldBack.sumThenReset();
            log.warn("forward_auth: refused a request from {}, not in forward_auth.trusted_from{}", peer,
                    more == 0 ? "" : " (" + more + " more since the last warning)");
        }
    }

    private final ClientEdge edge;
    private final NegotiateStep negotiate;
    private final Asking asking;

    ForwardAuthTarget(ClientEdge edge, NegotiateStep negotiate, Asking asking) {
        this.edge = edge;
        this.negotiate = negotiate;
        this.asking = asking;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RequestChecks.Checked checked)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Exchange ex = Objects.requireNonNull(edge.exchange(), "a request head outside an exchange");
        InetSocketAddress peer = ClientAddress.inet(ctx.channel());
        if (!asking.trusts(peer.getAddress())) {
            asking.untrusted(peer);
            ex.auth = Refusal.FORWARD_AUTH_UNTRUSTED.tag;
            edge.answer(Responses.FORBIDDEN.retainedDuplicate(), null, true);
            return;
        }
        HttpRequest request = checked.request();
        RequestTarget original;
        try {
            original = original(request, checked.target());
        } catch (RequestTarget.Invalid e) {
            AccessDecision.RequestRefused refused = negotiate.badTarget(e, peer);
            ex.auth = refused.tag();
            edge.answer(Responses.refusal(refused), null, false);
            return;
        }
        ctx.fireChannelRead(new RequestChecks.Checked(request, original));
    }

    /** The request the proxy asks about, read from the asking request; the access log names it. */
    private RequestTarget original(HttpRequest request, RequestTarget asked) throws RequestTarget.Invalid {
        Exchange ex = Objects.requireNonNull(edge.exchange());
        String prefix = asking.pathPrefix;
        if (prefix != null) {
            String uri = asked.originForm();
            if (!uri.startsWith(prefix) || uri.length() == prefix.length() || uri.charAt(prefix.length()) != '/') {
                throw new RequestTarget.Invalid("forward_auth: target outside path_prefix " + prefix);
            }
            String originalUri = uri.substring(prefix.length());
            RequestTarget original = RequestTarget.parse(request.method().name(), originalUri,
                    request.headers().getAll(HttpHeaderNames.HOST), true);
            ex.uri = originalUri;
            return original;
        }
        String method = one(request, METHOD);
        String uri = one(request, URI);
        String host = one(request, HOST);
        HttpMethod parsed;
        try {
            parsed = HttpMethod.valueOf(method);
        } catch (IllegalArgumentException e) {
            throw new RequestTarget.Invalid("forward_auth: X-Forwarded-Method is not a method token");
        }
        RequestTarget original = RequestTarget.parse(parsed.name(), uri, List.of(host), true);
        ex.method = parsed;
        ex.uri = uri;
        return original;
    }

    /** Exactly one value of the header: two could be read one way here and another way by the backend. */
    private static String one(HttpRequest request, String name) throws RequestTarget.Invalid {
        List<String> values = request.headers().getAll(name);
        if (values.size() != 1) {
            throw new RequestTarget.Invalid("forward_auth: " + values.size() + " " + name + " headers, not one");
        }
        return values.get(0);
    }
}
