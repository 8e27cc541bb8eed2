package io.kerbgate.proxy;

import static io.kerbgate.proxy.FixedTokenAuthenticator.GOOD;
import static io.kerbgate.proxy.FixedTokenAuthenticator.PRINCIPAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket through the proxy: a backend speaking WebSocket with Netty's codec, a client with
 * {@link java.net.http.WebSocket}. After authentication the 101 passes, then frames flow both ways.
 */
final class WebSocketProxyTest {

    private EventLoopGroup group;
    private Channel server;
    private final List<String> handshakeUsers = new CopyOnWriteArrayList<>();
    private ProxyHarness proxy;

    @BeforeEach
    void start() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536),
                                new WebSocketServerProtocolHandler("/ws", null, false, 4 * 1024 * 1024),
                                new Echo());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        proxy = ProxyHarness.builder()
                .backend(URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort()))
                .start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void upgradeAfterAuth_thenFramesBothWays() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", GOOD)
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port + "/ws"), new Collector(received))
                .get(10, TimeUnit.SECONDS);

        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertEquals("echo:hello", received.poll(5, TimeUnit.SECONDS));
        assertEquals("user:" + PRINCIPAL, received.poll(5, TimeUnit.SECONDS));
        for (int i = 0; i < 200; i++) {
            ws.sendText("m" + i, true).get(5, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 200; i++) {
            assertEquals("echo:m" + i, received.poll(5, TimeUnit.SECONDS));
            assertEquals("user:" + PRINCIPAL, received.poll(5, TimeUnit.SECONDS));
        }
        byte[] big = new byte[3 * 1024 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        ws.sendBinary(ByteBuffer.wrap(big), true).get(10, TimeUnit.SECONDS);
        assertEquals("binary:" + big.length, received.poll(10, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertEquals(List.of(PRINCIPAL), handshakeUsers);
    }

    @Test
    void upgradeWithoutAuth_401_andTheBackendIsNotCalled() {
        CompletionException e = assertThrows(CompletionException.class, () -> HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port + "/ws"),
                        new Collector(new LinkedBlockingQueue<>()))
                .join());
        WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        assertEquals(401, handshake.getResponse().statusCode());
        assertEquals(List.of(), handshakeUsers);
    }

    /** Echoes text as {@code echo:<text>} then {@code user:<X-Remote-User>}; answers binary with its length. */
    private final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        private String user = "?";

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete complete) {
                user = complete.requestHeaders().get("X-Remote-User");
                handshakeUsers.add(user);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                ctx.write(new TextWebSocketFrame("echo:" + text.text()));
                ctx.writeAndFlush(new TextWebSocketFrame("user:" + user));
            } else if (frame instanceof BinaryWebSocketFrame binary) {
                ctx.writeAndFlush(new TextWebSocketFrame("binary:" + binary.content().readableBytes()));
            }
        }
    }

    private static final class Collector implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> received;
        private final StringBuilder partial = new StringBuilder();

        Collector(LinkedBlockingQueue<String> received) {
            this.received = received;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }
    }
}
