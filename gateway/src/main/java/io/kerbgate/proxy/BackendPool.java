package io.kerbgate.proxy;

import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Keep-alive connections to the backends.
 *
 * <p>Idle connections are kept per event loop: a client connection only ever leases a backend connection of its own
 * loop, so the two share a thread and the idle lists need no locks. A connection goes back to the pool only when its
 * exchange finished cleanly and the backend kept it alive; a closed connection leaves the pool at once, so a restarted
 * backend is reached again by the next connect.
 *
 * <p>Idle connections are keyed by backend and by <em>connection key</em>: {@code ""} for ordinary backends, the
 * principal for a backend with {@code connection_auth} (it authenticates the connection, not the request), so that a
 * connection that carried alice's requests never carries bob's.
 *
 * <p>The per-backend connection limit is global. A request that finds it reached waits in a small per-backend queue
 * ({@link ProxySettings#maxQueuedPerBackend()}) for at most {@link ProxySettings#queueTimeout()}, then fails with
 * {@link PoolExhaustedException} (503). A connection freed on another loop, or held by another principal, cannot serve
 * a waiter; it is closed instead, and the slot it frees goes to the waiter.
 */
final class BackendPool {

    /** A request that found the connection limit of its backend reached and could not wait: answered with 503. */
    static final class PoolExhaustedException extends Exception {
        PoolExhaustedException(Backend backend, String why) {
            super("connection limit reached for backend " + backend + ": " + why, null, false, false);
        }
    }

    /** The connection key of ordinary backends, whose connections serve any principal. */
    static final String SHARED = "";

    private final List<Backend> backends;
    private final Bootstrap bootstrap;
    private final HttpDecoderConfig decoderConfig;
    private final long idleMillis;
    private final int maxQueued;
    private final long queueTimeoutNanos;
    private final Map<EventLoop, IdleConnections> idleByLoop = new ConcurrentHashMap<>();
    private final Waiters[] waiters;
    private final @Nullable BackendTls tls;

    /**
     * @param maxHeaderSize  the largest response header block accepted from a backend
     * @param connectTimeout then the request gets 502
     * @param tlsConfig      how {@code https://} backends are verified
     * @param transport      the one the proxy's event loops run, on which these connections are made
     * @throws IllegalArgumentException naming the setting at fault
     */
    BackendPool(List<BackendOptions> options, ProxySettings settings, Duration connectTimeout, int maxHeaderSize,
                GatewayConfig.BackendTls tlsConfig, Transport transport) {
        List<Backend> list = new ArrayList<>(options.size());
        for (int i = 0; i < options.size(); i++) {
            list.add(Backend.of(i, options.get(i), settings.maxConnectionsPerBackend()));
        }
        this.backends = List.copyOf(list);
        this.tls = list.stream().anyMatch(Backend::tls) ? BackendTls.of(tlsConfig) : null;
        this.waiters = new Waiters[backends.size()];
        for (int i = 0; i < waiters.length; i++) {
            waiters[i] = new Waiters();
        }
        this.idleMillis = settings.backendIdleTimeout().toMillis();
        this.maxQueued = settings.maxQueuedPerBackend();
        this.queueTimeoutNanos = settings.queueTimeout().toNanos();
        this.decoderConfig = new HttpDecoderConfig().setMaxHeaderSize(maxHeaderSize);
        this.bootstrap = new Bootstrap()
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    }

    List<Backend> backends() {
        return backends;
    }

    /** The TLS of {@code https://} backends, or {@code null} when every backend is {@code http://}. */
    @Nullable BackendTls tls() {
        return tls;
    }

    /** The connection key of a request of {@code principal} to {@code backend}. */
    static String connectionKey(Backend backend, @Nullable String principal) {
        return backend.connectionAuth() && principal != null ? principal : SHARED;
    }

    /**
     * A connection to {@code backend} registered on {@code loop}: an idle one of {@code key}, a new one, or one freed
     * while waiting in the queue. Fails with {@link PoolExhaustedException} or the connect failure. Call on
     * {@code loop}.
     */
    Future<Channel> acquire(Backend backend, EventLoop loop, String key) {
        Channel pooled = pollIdle(backend, loop, key);
        if (pooled != null) {
            return loop.newSucceededFuture(pooled);
        }
        if (backend.tryOpen()) {
            return connect(backend, loop, key, loop.newPromise());
        }
        Waiters queue = waiters[backend.index()];
        if (queue.size.incrementAndGet() > maxQueued) {
            queue.size.decrementAndGet();
            return loop.newFailedFuture(new PoolExhaustedException(backend, "queue full"));
        }
        Waiter waiter = new Waiter(loop, key, loop.newPromise());
        queue.list.add(waiter);
        waiter.timer = loop.schedule(() -> {
            if (waiter.promise.tryFailure(new PoolExhaustedException(backend,
                    "no connection within " + TimeUnit.NANOSECONDS.toMillis(queueTimeoutNanos) + " ms"))) {
                if (queue.list.remove(waiter)) {
                    queue.size.decrementAndGet();
                }
            }
        }, queueTimeoutNanos, TimeUnit.NANOSECONDS);
        // A slot may have been freed between tryOpen() and the add(): nobody else would hand it over.
        serveWaiters(backend);
        return waiter.promise;
    }

    /**
     * Returns a leased connection. It is kept only if {@code reusable} (the exchange finished cleanly and the backend
     * did not ask to close), still open and on a message boundary ({@link BackendCodec#clean()}); a waiting request of the same loop and key gets it first. Call on the
     * connection's loop.
     */
    void release(Channel channel, boolean reusable) {
        BackendHandler handler = channel.pipeline().get(BackendHandler.class);
        handler.detach();
        if (!reusable || !channel.isActive() || !channel.pipeline().get(BackendCodec.class).clean()) {
            channel.close();
            return;
        }
        Backend backend = handler.backend();
        Waiters queue = waiters[backend.index()];
        if (queue.size.get() > 0) {
            Waiter waiter = queue.takeFor(channel.eventLoop(), handler.key());
            if (waiter != null) {
                // In a task of its own: the releasing exchange is still on the stack.
                channel.eventLoop().execute(() -> handOver(waiter, channel));
                return;
            }
            if (queue.size.get() > 0) {
                // Only waiters of other loops or principals: free the slot for them.
                channel.close();
                return;
            }
        }
        idle(channel.eventLoop(), backend).add(handler.key(), channel);
        backend.idleAdded();
        // Keep a read pending while idle: that is how the backend's close (or a stray byte) is noticed.
        handler.read();
    }

    private void handOver(Waiter waiter, Channel channel) {
        waiter.cancelTimer();
        if (!channel.isActive()) {
            // Closed in between: the slot it held went to serveWaiters; this waiter queues again.
            Backend backend = channel.pipeline().get(BackendHandler.class).backend();
            acquire(backend, waiter.loop, waiter.key).addListener(f -> cascade(waiter.promise, f, backend));
            return;
        }
        if (!waiter.promise.trySuccess(channel)) {
            release(channel, true);
        }
    }

    @SuppressWarnings("unchecked")
    private void cascade(Promise<Channel> promise, Future<?> result, Backend backend) {
        if (result.isSuccess()) {
            Channel channel = (Channel) result.getNow();
            if (!promise.trySuccess(channel)) {
                release(channel, true);
            }
        } else {
            promise.tryFailure(result.cause());
        }
    }

    /** Gives free slots to waiting requests, each on its own loop. Any thread. */
    private void serveWaiters(Backend backend) {
        Waiters queue = waiters[backend.index()];
        while (queue.size.get() > 0 && backend.tryOpen()) {
            Waiter waiter = queue.poll();
            if (waiter == null) {
                backend.closed();
                return;
            }
            waiter.loop.execute(() -> {
                waiter.cancelTimer();
                if (waiter.promise.isDone()) {
                    backend.closed();
                    serveWaiters(backend);
                    return;
                }
                connect(backend, waiter.loop, waiter.key, waiter.promise);
            });
        }
    }

    /** Connects a slot already counted by {@link Backend#tryOpen()}; completes {@code promise}. */
    private Promise<Channel> connect(Backend backend, EventLoop loop, String key, Promise<Channel> promise) {
        ChannelFuture connect = bootstrap.clone(loop).handler(initializer(backend, key)).connect(backend.address());
        Channel channel = connect.channel();
        channel.closeFuture().addListener(f -> {
            if (idle(loop, backend).remove(key, channel)) {
                backend.idleRemoved();
            }
            backend.closed();
            serveWaiters(backend);
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
            } else if (backend.tls()) {
                // TLS: connected once the handshake is done; a failed one is a connect failure (502).
                channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        connected(promise, channel);
                    } else {
                        channel.close();
                        promise.tryFailure(h.cause());
                    }
                });
            } else {
                connected(promise, channel);
            }
        });
        return promise;
    }

    private void connected(Promise<Channel> promise, Channel channel) {
        if (!promise.trySuccess(channel)) {
            // The request that asked for it is gone (its client left, or it timed out in the queue).
            release(channel, true);
        }
    }

    private @Nullable Channel pollIdle(Backend backend, EventLoop loop, String key) {
        IdleList idle = idle(loop, backend);
        Channel pooled;
        while ((pooled = idle.poll(key)) != null) {
            backend.idleRemoved();
            if (pooled.isActive() && pooled.pipeline().get(BackendCodec.class).clean()) {
                return pooled;
            }
            // Part of a response came while it idled (too little to decode and close it on): never lend it.
            pooled.close();
        }
        return null;
    }

    private ChannelInitializer<SocketChannel> initializer(Backend backend, String key) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (backend.tls()) {
                    ch.pipeline().addLast("tls", Objects.requireNonNull(tls).newHandler(ch, backend));
                }
                ch.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                        .addLast("codec", new BackendCodec(decoderConfig))
                        .addLast("flow", new FlowControlHandler())
                        .addLast("backend", new BackendHandler(backend, ch, key));
            }
        };
    }

    private IdleList idle(EventLoop loop, Backend backend) {
        return idleByLoop.computeIfAbsent(loop, l -> new IdleConnections(backends.size())).lists[backend.index()];
    }

    /** The idle connections of one event loop; touched only on that loop. */
    private static final class IdleConnections {
        final IdleList[] lists;

        IdleConnections(int backends) {
            lists = new IdleList[backends];
            for (int i = 0; i < backends; i++) {
                lists[i] = new IdleList();
            }
        }
    }

    /** One backend's idle connections on one loop, by connection key; most recently used first. */
    private static final class IdleList {
        private final Map<String, ArrayDeque<Channel>> byKey = new HashMap<>();

        void add(String key, Channel channel) {
            byKey.computeIfAbsent(key, k -> new ArrayDeque<>()).addFirst(channel);
        }

        @Nullable Channel poll(String key) {
            ArrayDeque<Channel> list = byKey.get(key);
            if (list == null) {
                return null;
            }
            Channel channel = list.pollFirst();
            if (list.isEmpty()) {
                byKey.remove(key);
            }
            return channel;
        }

        boolean remove(String key, Channel channel) {
            ArrayDeque<Channel> list = byKey.get(key);
            if (list == null || !list.remove(channel)) {
                return false;
            }
            if (list.isEmpty()) {
                byKey.remove(key);
            }
            return true;
        }
    }

    /** A request waiting for a connection slot of one backend. */
    private static final class Waiter {
        final EventLoop loop;
        final String key;
        final Promise<Channel> promise;
        @Nullable ScheduledFuture<?> timer;

        Waiter(EventLoop loop, String key, Promise<Channel> promise) {
            this.loop = loop;
            this.key = key;
            this.promise = promise;
        }

        void cancelTimer() {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }
    }

    /** The waiting requests of one backend, oldest first; shared by all loops. */
    private static final class Waiters {
        final ConcurrentLinkedQueue<Waiter> list = new ConcurrentLinkedQueue<>();
        /** Live entries of {@link #list}, maintained beside it (the queue's own size() is O(n)). */
        final AtomicInteger size = new AtomicInteger();

        @Nullable Waiter poll() {
            Waiter waiter;
            while ((waiter = list.poll()) != null) {
                size.decrementAndGet();
                if (!waiter.promise.isDone()) {
                    return waiter;
                }
            }
            return null;
        }

        /** Removes and returns the oldest live waiter of {@code loop} and {@code key}. */
        @Nullable Waiter takeFor(EventLoop loop, String key) {
            for (Iterator<Waiter> it = list.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                if (waiter.loop == loop && waiter.key.equals(key) && !waiter.promise.isDone()) {
                    if (list.remove(waiter)) {
                        size.decrementAndGet();
                        return waiter;
                    }
                }
            }
            return null;
        }
    }
}
