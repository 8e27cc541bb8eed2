package io.kerbgate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty backend whose misbehaviour a test switches at run time. Counts requests ({@link #hits}, health checks not
 * included), health checks ({@link #healthChecks}) and connections ({@link #accepts}). Paths:
 * <ul>
 *   <li>{@code /healthz}: {@link #healthStatus}, or a reset when it is 0;
 *   <li>{@code /slow?ms=N}: the echo after N ms;
 *   <li>{@code /drip?chunks=N&ms=M}: a chunked body of N chunks ("chunk i\n"), one every M ms;
 *   <li>anything else: the echo ({@code key=value} lines), unless {@link #resetNext} asks for a reset before any
 *       response byte or {@link #status} for another status.
 * </ul>
 */
final class ScriptedBackend implements AutoCloseable {

    final String name;
    final AtomicInteger hits = new AtomicInteger();
    final AtomicInteger healthChecks = new AtomicInteger();
    final AtomicInteger accepts = new AtomicInteger();
    /** Requests still to be answered with a reset before any response byte. */
    final AtomicInteger resetNext = new AtomicInteger();
    /** The status of ordinary requests. */
    volatile int status = 200;
    /** The status of {@code /healthz}; 0 resets the connection instead. */
    volatile int healthStatus = 200;
    /** The client ports of the connections each {@code X-Remote-User} came on. */
    final ConcurrentHashMap<String, Set<Integer>> connectionsByUser = new ConcurrentHashMap<>();

    private final EventLoopGroup group;
    private final Channel server;

    private ScriptedBackend(String name, int port) {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepts.incrementAndGet();
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port))
                .syncUninterruptibly()
                .channel();
    }

    static ScriptedBackend start(String name) {
        return new ScriptedBackend(name, 0);
    }

    static ScriptedBackend start(String name, int port) {
        return new ScriptedBackend(name, port);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    String authority() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest request;
        private long bytes;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest r) {
                request = r;
                bytes = 0;
            }
            if (msg instanceof HttpContent c) {
                bytes += c.content().readableBytes();
            }
            if (msg instanceof LastHttpContent) {
                respond(ctx);
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            if (query.path().equals("/healthz")) {
                healthChecks.incrementAndGet();
                int code = healthStatus;
                if (code == 0) {
                    reset(ctx);
                } else {
                    send(ctx, code, "health\n", false);
                }
                return;
            }
            hits.incrementAndGet();
            String user = request.headers().get("X-Remote-User", "-");
            connectionsByUser.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet())
                    .add(((InetSocketAddress) ctx.channel().remoteAddress()).getPort());
            if (resetNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                reset(ctx);
                return;
            }
            switch (query.path()) {
                case "/slow" -> {
                    String text = echo();
                    ctx.executor().schedule(() -> send(ctx, status, text, false), Long.parseLong(param(query, "ms")),
                            TimeUnit.MILLISECONDS);
                }
                case "/drip" -> drip(ctx, Integer.parseInt(param(query, "chunks")), Long.parseLong(param(query, "ms")));
                default -> send(ctx, status, echo(), false);
            }
        }

        private String echo() {
            return "backend=" + name + "\n"
                    + "method=" + request.method() + "\n"
                    + "identity=" + String.join("|", request.headers().getAll("X-Remote-User")) + "\n"
                    + "authorization=" + (request.headers().contains(HttpHeaderNames.AUTHORIZATION) ? "present"
                            : "absent") + "\n"
                    + "forwarded=" + String.join("|", request.headers().getAll("Forwarded")) + "\n"
                    + "via=" + String.join("|", request.headers().getAll("Via")) + "\n"
                    + "xff=" + request.headers().get("X-Forwarded-For") + "\n"
                    + "xfh=" + request.headers().get("X-Forwarded-Host") + "\n"
                    + "host=" + request.headers().get(HttpHeaderNames.HOST) + "\n"
                    + "bytes=" + bytes + "\n";
        }

        private void send(ChannelHandlerContext ctx, int code, String text, boolean close) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(code), Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set("X-Backend", name);
            if (close) {
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }

        private void drip(ChannelHandlerContext ctx, int chunks, long millis) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setTransferEncodingChunked(head, true);
            head.headers().set("X-Backend", name);
            ctx.writeAndFlush(head);
            dripChunk(ctx, 0, chunks, millis);
        }

        private void dripChunk(ChannelHandlerContext ctx, int i, int chunks, long millis) {
            if (i == chunks) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            ctx.executor().schedule(() -> {
                ctx.writeAndFlush(new DefaultHttpContent(
                        Unpooled.copiedBuffer("chunk " + i + "\n", StandardCharsets.US_ASCII)));
                dripChunk(ctx, i + 1, chunks, millis);
            }, millis, TimeUnit.MILLISECONDS);
        }

        private void reset(ChannelHandlerContext ctx) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close();
        }

        private String param(QueryStringDecoder query, String key) {
            List<String> values = query.parameters().get(key);
            return values == null ? null : values.get(0);
        }
    }
}
