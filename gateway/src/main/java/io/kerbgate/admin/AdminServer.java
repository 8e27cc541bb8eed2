package io.kerbgate.admin;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.kerbgate.proxy.TlsContextReloader;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP/1.1 listener: {@code /metrics}, {@code /healthz}, {@code /readyz}, {@code /keys} and
 * {@code /config} (see {@link AdminHandler} for every response). It runs on one event loop thread of its own, so a
 * slow scrape never delays proxied requests, and a flood of proxied requests never starves the health checks.
 *
 * <pre>{@code
 * AdminServer admin = new AdminServer(config.admin().listen(), metrics.registry(), AdminEndpoints.starting(config));
 * int port = admin.start();
 * ...
 * admin.close();
 * }</pre>
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    // Only PUT /keys carries a body, a keytab of about 100 bytes an entry; anything larger is not one of ours (413).
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final int IDLE_SECONDS = 60;

    private final InetSocketAddress listen;
    private final AdminHandler handler;
    private final @Nullable TlsContextReloader tls;
    private @Nullable EventLoopGroup group;
    private @Nullable Channel channel;

    /** Answers IP literals, {@code localhost} and this machine's name in {@code Host} (see {@link AdminHosts}). */
    public AdminServer(InetSocketAddress listen, PrometheusMeterRegistry registry, AdminEndpoints endpoints) {
        this(listen, List.of(), registry, endpoints, null);
    }

    /**
     * @param allowedHosts {@code admin.allowed_hosts}: more names the listener answers in {@code Host}
     * @param tls          the listener's certificate (and client CA), reloaded when the files change; {@code null}
     *                     for plain HTTP. The server closes it.
     */
    public AdminServer(InetSocketAddress listen, List<String> allowedHosts, PrometheusMeterRegistry registry,
                       AdminEndpoints endpoints, @Nullable TlsContextReloader tls) {
        this.tls = tls;
        this.listen = Objects.requireNonNull(listen, "listen");
        this.handler = new AdminHandler(Objects.requireNonNull(registry, "registry"),
                Objects.requireNonNull(endpoints, "endpoints"), AdminHosts.of(allowedHosts));
    }

    /**
     * Binds the listener.
     *
     * @return the bound port, which differs from the configured one when that was 0
     * @throws IOException when the address cannot be bound (in use, not local, not permitted)
     */
    public synchronized int start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("admin server already started on " + hostPort(listen));
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kerbgate-admin", true),
                NioIoHandler.newFactory());
        ChannelFuture bind = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            // Read once per connection: a reloaded certificate serves the next connection.
                            ch.pipeline().addLast(tls.current().context().newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(
                                new ReadTimeoutHandler(IDLE_SECONDS),
                                new HttpServerCodec(),
                                new HttpServerKeepAliveHandler(),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                handler);
                    }
                })
                .bind(listen)
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            close();
            throw new IOException("admin listener cannot bind " + hostPort(listen) + ": "
                    + bind.cause().getMessage(), bind.cause());
        }
        channel = bind.channel();
        InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
        log.info("admin listening on {} ({})", hostPort(bound), tls == null
                ? "plain HTTP: key writes only from admin.plain_key_writes_from" : "TLS");
        return bound.getPort();
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Stops listening and closes open admin connections. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
        if (tls != null) {
            tls.close();
        }
    }
}
