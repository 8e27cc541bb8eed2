package io.kerbgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection after a 101 (WebSocket): bytes relayed both ways between it and the backend connection, one
 * buffer at a time while the other side is writable, until either side closes or the client's idle timeout fires.
 * Installed by {@link ForwardHandler} in place of the HTTP stages.
 */
final class TunnelHandler extends ChannelInboundHandlerAdapter implements BackendHandler.Listener {

    private static final Logger log = LoggerFactory.getLogger(TunnelHandler.class);

    private final Channel client;
    private final Channel backend;
    private final BackendPool pool;
    private final ProxyMetrics metrics;
    private final ReadPacer reads;
    private boolean clientReadWaiting;
    private boolean backendReadWaiting;
    /** The backend closed first: nothing to give back to the pool. */
    private boolean backendGone;

    private TunnelHandler(Channel client, Channel backend, BackendPool pool, ProxyMetrics metrics) {
        this.client = client;
        this.backend = backend;
        this.pool = pool;
        this.metrics = metrics;
        this.reads = new ReadPacer(client, this::fromClient);
    }

    /** The 101 for the client: the backend's, with hop-by-hop headers replaced by the upgrade's own and a Via. */
    static HttpResponse switchingProtocols(HttpResponse response) {
        HttpHeaders headers = response.headers();
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        HopByHopHeaders.strip(headers);
        headers.set(HttpHeaderNames.UPGRADE, upgrade == null ? HttpHeaderValues.WEBSOCKET : upgrade);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        ForwardedHeaders.via(headers);
        HttpResponse forward = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers);
        ReferenceCountUtil.release(response);
        return forward;
    }

    /**
     * Replaces the HTTP stages of the client's pipeline ({@code forward}, the stage calling this) with a tunnel, takes
     * the HTTP codecs out of both pipelines (what they had buffered reaches the tunnel), and starts reading both ways.
     */
    static void install(ChannelHandlerContext forward, Channel backend, BackendPool pool, ProxyMetrics metrics) {
        Channel client = forward.channel();
        TunnelHandler tunnel = new TunnelHandler(client, backend, pool, metrics);
        backend.pipeline().get(BackendHandler.class).attach(tunnel);
        ChannelPipeline pipeline = client.pipeline();
        pipeline.replace(forward.handler(), "tunnel", tunnel);
        removeAll(pipeline, NegotiateHandler.class, RequestChecks.class, ClientEdge.class, RequestFraming.class,
                HttpServerCodec.class, FlowControlHandler.class);
        removeAll(backend.pipeline(), BackendCodec.class, FlowControlHandler.class);
        tunnel.reads.read();
        backend.pipeline().get(BackendHandler.class).read();
    }

    @SafeVarargs
    private static void removeAll(ChannelPipeline pipeline, Class<? extends ChannelHandler>... types) {
        for (Class<? extends ChannelHandler> type : types) {
            if (pipeline.get(type) != null) {
                pipeline.remove(type);
            }
        }
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

    private void fromClient(Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            reads.read();
            return;
        }
        metrics.bytesIn(bytes.readableBytes());
        backend.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (backend.isWritable()) {
            reads.read();
        } else {
            clientReadWaiting = true;
        }
    }

    @Override
    public void backendRead(Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            backendHandler().read();
            return;
        }
        metrics.bytesOut(bytes.readableBytes());
        client.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (client.isWritable()) {
            backendHandler().read();
        } else {
            backendReadWaiting = true;
        }
    }

    @Override
    public void backendWritable() {
        if (clientReadWaiting) {
            clientReadWaiting = false;
            reads.read();
        }
    }

    @Override
    public void backendClosed(@Nullable Throwable cause) {
        backendGone = true;
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && backendReadWaiting) {
            backendReadWaiting = false;
            backendHandler().read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!backendGone) {
            pool.release(backend, false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.debug("client {} idle; closing its tunnel", client.remoteAddress());
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client {} tunnel error: {}", client.remoteAddress(), cause.toString());
        ctx.close();
    }

    private BackendHandler backendHandler() {
        return backend.pipeline().get(BackendHandler.class);
    }
}
