package io.kerbgate.proxy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.config.AddressRange;
import io.kerbgate.proxy.ProxyMetrics.Refusal;
import io.kerbgate.replay.WarnThrottle;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol (HAProxy's v1 text and v2 binary header) on the front listener, for a node behind an L4 balancer
 * ({@code proxy_protocol.from}): a connection from one of those networks must open with the header, and the client
 * it names becomes the connection's {@link ClientAddress}; a connection from anywhere else is closed, since only the
 * balancer may say who the client is. A {@code LOCAL} header (the balancer's own health check) keeps the socket's
 * peer. Both this handler and Netty's decoder in front of it leave the pipeline once the header is read.
 */
final class ProxyProtocol extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ProxyProtocol.class);

    /** What every connection's handler shares: the trusted networks, the meter, and a throttle on the warnings. */
    static final class Listener {
        private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

        private final List<AddressRange> from;
        private final ProxyMetrics metrics;
        private final WarnThrottle warnings = new WarnThrottle(WARN_INTERVAL, Ticker.systemTicker());
        private final LongAdder heldBack = new LongAdder();

        Listener(List<AddressRange> from, ProxyMetrics metrics) {
            this.from = List.copyOf(from);
            this.metrics = metrics;
        }

        /** The decoder and the handler, to go first in a client connection's pipeline (before TLS). */
        void addTo(ChannelPipeline pipeline) {
            pipeline.addLast("proxy-protocol-decoder", new HAProxyMessageDecoder())
                    .addLast("proxy-protocol", new ProxyProtocol(this));
        }

        boolean trusts(InetAddress address) {
            for (AddressRange range : from) {
                if (range.contains(address)) {
                    return true;
                }
            }
            return false;
        }

        void refused(Object peer, String why) {
            metrics.refused(Refusal.PROXY_PROTOCOL);
            if (!warnings.tryAcquire()) {
                heldBack.increment();
                return;
            }
            long more = heldBack.sumThenReset();
            log.warn("proxy_protocol: closed the connection from {}: {}{}", peer, why,
                    more == 0 ? "" : " (" + more + " more since the last warning)");
        }
    }

    private final Listener listener;
    private boolean refused;

    private ProxyProtocol(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        if (!listener.trusts(peer.getAddress())) {
            refuse(ctx, "not in proxy_protocol.from");
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            // The decoder passes nothing else before a header; after one, this handler is gone.
            ReferenceCountUtil.release(msg);
            refuse(ctx, "bytes before the PROXY header");
            return;
        }
        try {
            if (header.command() == HAProxyCommand.PROXY
                    && (header.proxiedProtocol() == HAProxyProxiedProtocol.TCP4
                    || header.proxiedProtocol() == HAProxyProxiedProtocol.TCP6)) {
                ClientAddress.connection(ctx.channel()).attr(ClientAddress.FROM_PROXY_HEADER)
                        .set(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(header.sourceAddress()),
                                header.sourcePort()));
            }
        } finally {
            header.release();
        }
        // The decoder takes itself out after the header; what followed it goes on to the next handlers.
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // HAProxyProtocolException: no header, or a malformed one. Whatever it was, it came before any request.
        refuse(ctx, "no valid PROXY header (" + cause.getMessage() + ")");
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        if (!refused) {
            refused = true;
            listener.refused(ctx.channel().remoteAddress(), why);
        }
        ctx.close();
    }
}
