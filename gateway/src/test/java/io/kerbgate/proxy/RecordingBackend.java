package io.kerbgate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that records, per connection, exactly the bytes it receives, parses them with
 * {@link StrictRequestParser} (not Netty) and answers each request it parses with a small fixed-length response
 * ({@code 200}, {@code X-Conn} and {@code X-Target} headers, body {@code ok}). A connection whose bytes do not parse is
 * recorded as malformed and closed. {@link #afterResponse} adds bytes after every response, for backends that
 * answer twice.
 */
final class RecordingBackend implements AutoCloseable {

    /** One connection as the backend saw it. Its fields are written on the backend's single thread. */
    static final class Connection {
        final int id;
        final List<StrictRequestParser.Request> requests = new ArrayList<>();
        volatile String malformed;
        volatile boolean closed;
        /** Received bytes no complete request accounts for yet. */
        private byte[] unparsed = new byte[0];
        private long received;

        Connection(int id) {
            this.id = id;
        }

        synchronized int pending() {
            return unparsed.length;
        }

        /** The bytes after the last complete request. */
        synchronized byte[] pendingBytes() {
            return unparsed.clone();
        }

        synchronized long received() {
            return received;
        }

        synchronized List<StrictRequestParser.Request> requests() {
            return List.copyOf(requests);
        }
    }

    /** Told of every request parsed, in order, on the backend's thread. */
    interface Listener {
        void request(Connection connection, StrictRequestParser.Request request);
    }

    final Queue<Connection> connections = new ConcurrentLinkedQueue<>();
    /** Bytes written after each response: a second response, say. */
    volatile byte[] afterResponse = new byte[0];
    /** Answer HEAD with a body too, as a broken backend would. */
    volatile boolean bodyOnHead;
    /** Keep each connection's requests (off for long runs; the listener sees them anyway). */
    volatile boolean keepRequests = true;
    volatile Listener listener = (c, r) -> { };

    private final AtomicInteger ids = new AtomicInteger();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    private RecordingBackend() {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Connection connection = new Connection(ids.incrementAndGet());
                        connections.add(connection);
                        ch.pipeline().addLast(new Recorder(connection));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    static RecordingBackend start() {
        return new RecordingBackend();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
    }

    /** Every request parsed so far, on every connection. */
    List<StrictRequestParser.Request> allRequests() {
        List<StrictRequestParser.Request> all = new ArrayList<>();
        for (Connection c : connections) {
            all.addAll(c.requests());
        }
        return all;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Recorder extends ChannelInboundHandlerAdapter {
        private final Connection connection;

        Recorder(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            List<StrictRequestParser.Request> answered = new ArrayList<>();
            synchronized (connection) {
                int n = buf.readableBytes();
                byte[] all = java.util.Arrays.copyOf(connection.unparsed, connection.unparsed.length + n);
                buf.readBytes(all, connection.unparsed.length, n);
                buf.release();
                connection.received += n;
                connection.unparsed = all;
                if (connection.malformed != null) {
                    return;
                }
                int at = 0;
                try {
                    StrictRequestParser.Parsed parsed;
                    while ((parsed = StrictRequestParser.parse(all, at, all.length)) != null) {
                        if (keepRequests) {
                            connection.requests.add(parsed.request());
                        }
                        listener.request(connection, parsed.request());
                        at = parsed.end();
                        answered.add(parsed.request());
                    }
                } catch (StrictRequestParser.Malformed e) {
                    connection.malformed = e.getMessage();
                }
                connection.unparsed = java.util.Arrays.copyOfRange(all, at, all.length);
            }
            for (StrictRequestParser.Request request : answered) {
                boolean body = !request.method().equals("HEAD") || bodyOnHead;
                byte[] response = ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Conn: " + connection.id
                        + "\r\nX-Target: " + request.target() + "\r\n\r\n" + (body ? "ok" : ""))
                        .getBytes(StandardCharsets.ISO_8859_1);
                ctx.write(Unpooled.wrappedBuffer(response, afterResponse));
            }
            ctx.flush();
            if (connection.malformed != null) {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connection.closed = true;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
