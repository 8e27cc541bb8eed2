package io.kerbgate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the listening channel: counts the client connections, closes at once any accepted beyond
 * {@code limits.max_connections} (before it is registered with an event loop, so it costs no pipeline), and keeps the
 * open ones for the drain.
 */
@Sharable
final class ClientConnections extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientConnections.class);

    private final int max;
    private final ProxyMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private volatile boolean accepting = true;

    ClientConnections(int max, ProxyMetrics metrics) {
        this.max = max;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        if (!accepting || open.incrementAndGet() > max) {
            if (accepting) {
                open.decrementAndGet();
                metrics.clientRejected();
                log.debug("closing client connection {}: {} connections open (limits.max_connections)",
                        child.remoteAddress(), max);
            }
            child.unsafe().closeForcibly();
            return;
        }
        channels.add(child);
        child.closeFuture().addListener(f -> {
            channels.remove(child);
            open.decrementAndGet();
        });
        ctx.fireChannelRead(child);
    }

    int open() {
        return open.get();
    }

    /** Stops taking connections: any still accepted is closed at once. */
    void stopAccepting() {
        accepting = false;
    }

    /** The open client connections, a snapshot. */
    Set<Channel> channels() {
        return Set.copyOf(channels);
    }
}
