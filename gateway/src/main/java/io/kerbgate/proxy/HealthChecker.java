package io.kerbgate.proxy;

import io.kerbgate.config.GatewayConfig.Health;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Active health checks: every {@code health.interval}, per backend and on its own schedule, a {@code GET health.path}
 * over a new connection ({@code Connection: close}, over TLS verified as for requests for an {@code https://}
 * backend); a 2xx or 3xx response head within {@code health.timeout} passes,
 * anything else (refused, reset, timeout, another status) fails. Results go to {@link BackendHealth}.
 *
 * <p>Checks are Netty clients on the proxy's event loops, one loop per backend: nothing blocks. A backend's next
 * check is scheduled when the previous one ended, so a slow backend is never checked twice at once. The first checks
 * are spread over one interval so that a restart does not probe every backend in the same millisecond.
 */
final class HealthChecker implements AutoCloseable {

    private final List<Backend> backends;
    private final BackendHealth health;
    private final Health config;
    private final @Nullable BackendTls tls;
    private final Transport transport;
    private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();
    private volatile boolean closed;

    /** @param tls the TLS of {@code https://} backends ({@link BackendPool#tls()}), {@code null} when there are none */
    HealthChecker(List<Backend> backends, BackendHealth health, Health config, @Nullable BackendTls tls,
                  Transport transport) {
        this.backends = backends;
        this.health = health;
        this.config = config;
        this.tls = tls;
        this.transport = transport;
    }

    /** Starts checking every backend on loops of {@code group}; does nothing when active checks are off. */
    synchronized void start(EventLoopGroup group) {
        if (!config.active()) {
            return;
        }
        long interval = config.interval().toMillis();
        for (Backend backend : backends) {
            EventLoop loop = group.next();
            long first = ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(interval, 1_000)));
            scheduled.add(loop.schedule(() -> check(backend, loop), first, TimeUnit.MILLISECONDS));
        }
    }

    private void check(Backend backend, EventLoop loop) {
        if (closed) {
            return;
        }
        new Probe(backend, loop).start();
    }

    @Override
    public synchronized void close() {
        closed = true;
        scheduled.forEach(f -> f.cancel(false));
    }

    /** One check: connect, send the request, wait for a response head. Confined to {@code loop}. */
    private final class Probe extends ChannelInboundHandlerAdapter {
        private final Backend backend;
        private final EventLoop loop;
        private final long started = System.nanoTime();
        private @Nullable ScheduledFuture<?> timer;
        private @Nullable Channel channel;
        private boolean done;

        Probe(Backend backend, EventLoop loop) {
            this.backend = backend;
            this.loop = loop;
        }

        void start() {
            long timeout = config.timeout().toMillis();
            timer = loop.schedule(() -> done(false, "no response within " + timeout + " ms"), timeout,
                    TimeUnit.MILLISECONDS);
            ChannelFuture connect = new Bootstrap()
                    .group(loop)
                    .channel(transport.socketChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (backend.tls()) {
                                // The request waits in the SslHandler until the handshake is done; a failed
                                // handshake fails the check.
                                ch.pipeline().addLast("tls", Objects.requireNonNull(tls).newHandler(ch, backend));
                            }
                            ch.pipeline().addLast(new HttpClientCodec(), Probe.this);
                        }
                    })
                    .connect(backend.address());
            channel = connect.channel();
            connect.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    done(false, "connect: " + f.cause());
                    return;
                }
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                        config.path());
                request.headers()
                        .set(HttpHeaderNames.HOST, backend.authority())
                        .set(HttpHeaderNames.USER_AGENT, "kerbgate-health")
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                f.channel().writeAndFlush(request).addListener((ChannelFutureListener) w -> {
                    if (!w.isSuccess()) {
                        done(false, "write: " + w.cause());
                    }
                });
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response) {
                    int code = response.status().code();
                    if (response.decoderResult().isFailure()) {
                        done(false, "bad response: " + response.decoderResult().cause());
                    } else if (code >= 200 && code < 400) {
                        done(true, "status " + code);
                    } else if (code >= 400) {
                        done(false, "status " + code);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done(false, "closed before a response");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done(false, cause.toString());
        }

        private void done(boolean passed, String detail) {
            if (done) {
                return;
            }
            done = true;
            if (timer != null) {
                timer.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
            health.checked(backend.index(), passed,
                    detail + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
            if (!closed) {
                loop.schedule(() -> check(backend, loop), config.interval().toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
