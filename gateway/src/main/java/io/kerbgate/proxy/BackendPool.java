package io.kerbgate.proxy;

import io.kerbgate.config.GatewayConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Keep-alive connections to the backends, chosen round-robin.
 *
 * <p>Idle connections are kept per event loop: a client connection only ever leases a backend connection of its own
 * loop, so the two share a thread and the idle lists need no locks. The per-backend connection limit is global.
 * A connection goes back to the pool only when its exchange finished cleanly and the backend kept it alive; a closed
 * connection leaves the pool at once, so a restarted backend is reached again by the next connect.
 *
 * <p>Choosing by round-robin is one method, {@link #next()}: health checks and least-outstanding selection replace it.
 */
final class BackendPool {

    /** A request that would exceed {@link ProxySettings#maxConnectionsPerBackend()}: answered with 503. */
    static final class PoolExhaustedException extends Exception {
        PoolExhaustedException(Backend backend) {
            super("connection limit reached for backend " + backend, null, false, false);
        }
    }

    private final List<Backend> backends;
    private final AtomicInteger cursor = new AtomicInteger();
    private final Bootstrap bootstrap;
    private final HttpDecoderConfig decoderConfig;
    private final long idleMillis;
    private final Map<EventLoop, ArrayDeque<Channel>[]> idleByLoop = new ConcurrentHashMap<>();
    private final @Nullable BackendTls tls;

    /**
     * @param maxHeaderSize  the largest response header block accepted from a backend
     * @param connectTimeout then the request gets 502
     * @param tlsConfig      how {@code https://} backends are verified
     * @throws IllegalArgumentException naming the setting at fault
     */
    BackendPool(List<URI> uris, ProxySettings settings, Duration connectTimeout, int maxHeaderSize,
                GatewayConfig.BackendTls tlsConfig) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("backends: at least one backend is required");
        }
        List<Backend> list = new ArrayList<>(uris.size());
        for (int i = 0; i < uris.size(); i++) {
            list.add(Backend.of(i, uris.get(i), settings.maxConnectionsPerBackend()));
        }
        this.backends = List.copyOf(list);
        this.tls = list.stream().anyMatch(Backend::tls) ? BackendTls.of(tlsConfig) : null;
        this.idleMillis = settings.backendIdleTimeout().toMillis();
        this.decoderConfig = new HttpDecoderConfig().setMaxHeaderSize(maxHeaderSize);
        this.bootstrap = new Bootstrap()
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    }

    List<Backend> backends() {
        return backends;
    }

    /** The backend for the next request. */
    Backend next() {
        return backends.get(Math.floorMod(cursor.getAndIncrement(), backends.size()));
    }

    /**
     * A connection to {@code backend} registered on {@code loop}: an idle one, or a new one. Fails with
     * {@link PoolExhaustedException} or the connect failure. Call on {@code loop}.
     */
    Future<Channel> acquire(Backend backend, EventLoop loop) {
        ArrayDeque<Channel> idle = idle(loop, backend);
        Channel pooled;
        while ((pooled = idle.pollFirst()) != null) {
            if (pooled.isActive()) {
                return loop.newSucceededFuture(pooled);
            }
        }
        if (!backend.tryOpen()) {
            return loop.newFailedFuture(new PoolExhaustedException(backend));
        }
        Promise<Channel> promise = loop.newPromise();
        ChannelFuture connect = bootstrap.clone(loop).handler(initializer(backend)).connect(backend.address());
        Channel channel = connect.channel();
        channel.closeFuture().addListener(f -> {
            backend.closed();
            idle.remove(channel);
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
            } else if (backend.tls()) {
                // TLS: connected once the handshake is done; a failed one is a connect failure (502).
                channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        promise.setSuccess(channel);
                    } else {
                        channel.close();
                        promise.setFailure(h.cause());
                    }
                });
            } else {
                promise.setSuccess(channel);
            }
        });
        return promise;
    }

    /**
     * Returns a leased connection. It is kept only if {@code reusable} (the exchange finished cleanly and the backend
     * did not ask to close) and still open. Call on the connection's loop.
     */
    void release(Channel channel, boolean reusable) {
        BackendHandler handler = channel.pipeline().get(BackendHandler.class);
        handler.detach();
        if (!reusable || !channel.isActive()) {
            channel.close();
            return;
        }
        idle(channel.eventLoop(), handler.backend()).addFirst(channel);
        // Keep a read pending while idle: that is how the backend's close (or a stray byte) is noticed.
        handler.read();
    }

    private ChannelInitializer<SocketChannel> initializer(Backend backend) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (backend.tls()) {
                    ch.pipeline().addLast("tls", Objects.requireNonNull(tls).newHandler(ch, backend));
                }
                ch.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                        // failOnMissingResponse: a close before the response head is an error, not an EOF.
                        .addLast("codec", new HttpClientCodec(decoderConfig, false, true))
                        .addLast("flow", new FlowControlHandler())
                        .addLast("backend", new BackendHandler(backend, ch));
            }
        };
    }

    @SuppressWarnings("unchecked")
    private ArrayDeque<Channel> idle(EventLoop loop, Backend backend) {
        return idleByLoop.computeIfAbsent(loop, l -> {
            ArrayDeque<Channel>[] lists = new ArrayDeque[backends.size()];
            for (int i = 0; i < lists.length; i++) {
                lists[i] = new ArrayDeque<>();
            }
            return lists;
        })[backend.index()];
    }
}
