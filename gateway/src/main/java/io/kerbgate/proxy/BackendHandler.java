package io.kerbgate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a backend connection. While the connection is leased it hands every event to the client
 * connection's {@link Listener}; while it idles in the pool it closes the connection on any data (a stray response
 * must never become the answer to the next client's request) and when the idle timeout fires.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(BackendHandler.class);

    /** What a client connection learns from the backend connection it leased. Called on the shared event loop. */
    interface Listener {
        /** A response head or content; the listener owns {@code msg}. */
        void backendRead(Object msg);

        void backendWritable();

        /** The connection closed or failed; {@code cause} is null for a plain close. */
        void backendClosed(@Nullable Throwable cause);
    }

    private final Backend backend;
    private final Channel channel;
    private final String key;
    private final ReadPacer reads;

    // Only touched on the connection's event loop, which is also the leasing client connection's loop.
    private @Nullable Listener listener;

    /** @param key the connection key ({@link BackendPool#connectionKey}): whose requests the connection may carry */
    BackendHandler(Backend backend, Channel channel, String key) {
        this.backend = backend;
        this.channel = channel;
        this.key = key;
        this.reads = new ReadPacer(channel, this::message);
    }

    Backend backend() {
        return backend;
    }

    String key() {
        return key;
    }

    void attach(Listener listener) {
        this.listener = listener;
    }

    void detach() {
        this.listener = null;
    }

    /** Asks for the next message of the response (or, while idle, for any sign of life). */
    void read() {
        reads.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reads.handle(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reads.readComplete();
        ctx.fireChannelReadComplete();
    }

    private void message(Object msg) {
        Listener current = listener;
        if (current == null) {
            ReferenceCountUtil.release(msg);
            log.debug("backend {} sent data on an idle connection; closing it", backend);
            channel.close();
            return;
        }
        current.backendRead(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Listener current = listener;
        if (current != null && ctx.channel().isWritable()) {
            current.backendWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Listener current = listener;
        listener = null;
        if (current != null) {
            current.backendClosed(null);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("backend {} connection failed", backend, cause);
        Listener current = listener;
        listener = null;
        ctx.close();
        if (current != null) {
            current.backendClosed(cause);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // While leased, the client side's timeouts govern; an idle event only ends a connection waiting in the pool.
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }
}
