package io.kerbgate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelFuture;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * A real HTTP backend for the proxy tests. Counts requests ({@link #hits}) and accepted connections
 * ({@link #accepts}). Paths:
 * <ul>
 *   <li>{@code /stall}: never answers;
 *   <li>{@code /download?bytes=N[&chunked=1]}: N bytes of {@link #patternByte(long)};
 *   <li>{@code /reset}: announces 1 MiB, sends 64 KiB, then resets the connection;
 *   <li>{@code /close}: the echo, with {@code Connection: close};
 *   <li>anything else: the echo, {@code key=value} lines describing the request as the backend saw it.
 * </ul>
 */
final class TestBackend implements AutoCloseable {

    static final String HOP_HEADER = "X-Hop";
    private static final int CHUNK = 64 * 1024;
    private static final byte[] PATTERN = new byte[CHUNK + 251];

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = (byte) (i % 251);
        }
    }

    final String name;
    final AtomicInteger hits = new AtomicInteger();
    final AtomicInteger accepts = new AtomicInteger();
    private final EventLoopGroup group;
    private final Channel server;

    private TestBackend(String name, int port) {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
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
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    static TestBackend start(String name) {
        return new TestBackend(name, 0);
    }

    static TestBackend start(String name, int port) {
        return new TestBackend(name, port);
    }

    static byte patternByte(long position) {
        return (byte) (position % 251);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest request;
        private long bytes;
        private CRC32 crc;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest r) {
                hits.incrementAndGet();
                request = r;
                bytes = 0;
                crc = new CRC32();
            }
            if (msg instanceof HttpContent c) {
                bytes += c.content().readableBytes();
                crc.update(c.content().nioBuffer());
            }
            if (msg instanceof LastHttpContent) {
                respond(ctx);
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            switch (query.path()) {
                case "/stall" -> { }
                case "/download" -> download(ctx, Long.parseLong(param(query, "bytes")), "1".equals(param(query, "chunked")));
                case "/reset" -> reset(ctx);
                default -> echo(ctx, query.path().equals("/close"));
            }
        }

        private void echo(ChannelHandlerContext ctx, boolean close) {
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, String> e : request.headers()) {
                names.add(e.getKey());
            }
            String text = "backend=" + name + "\n"
                    + "identity=" + String.join("|", request.headers().getAll("X-Remote-User")) + "\n"
                    + "names=" + String.join(",", names) + "\n"
                    + "authorization=" + (request.headers().contains(HttpHeaderNames.AUTHORIZATION) ? "present" : "absent") + "\n"
                    + "cookie=" + String.join("|", request.headers().getAll(HttpHeaderNames.COOKIE)) + "\n"
                    + "xff=" + request.headers().get("X-Forwarded-For") + "\n"
                    + "xfp=" + request.headers().get("X-Forwarded-Proto") + "\n"
                    + "xfh=" + request.headers().get("X-Forwarded-Host") + "\n"
                    + "host=" + request.headers().get(HttpHeaderNames.HOST) + "\n"
                    + "method=" + request.method() + "\n"
                    + "bytes=" + bytes + "\n"
                    + "crc=" + crc.getValue() + "\n";
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            boolean keepAlive = !close && HttpUtil.isKeepAlive(request);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set("X-Backend", name)
                    // Hop-by-hop headers the proxy must not pass on.
                    .set(HttpHeaderNames.KEEP_ALIVE, "timeout=5")
                    .set(HOP_HEADER, "secret")
                    .set(HttpHeaderNames.CONNECTION, keepAlive ? HOP_HEADER : "close, " + HOP_HEADER);
            ChannelFuture written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void download(ChannelHandlerContext ctx, long size, boolean chunked) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set("X-Backend", name);
            if (chunked) {
                HttpUtil.setTransferEncodingChunked(head, true);
            } else {
                HttpUtil.setContentLength(head, size);
            }
            ctx.write(head);
            for (long sent = 0; sent < size; sent += CHUNK) {
                int len = (int) Math.min(CHUNK, size - sent);
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(PATTERN, (int) (sent % 251), len)));
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }

        private void reset(ChannelHandlerContext ctx) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setContentLength(head, 1024 * 1024);
            ctx.write(head);
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(PATTERN, 0, CHUNK)))
                    .addListener((ChannelFutureListener) f -> {
                        f.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                        f.channel().close();
                    });
        }

        private String param(QueryStringDecoder query, String key) {
            List<String> values = query.parameters().get(key);
            return values == null ? null : values.get(0);
        }
    }
}
