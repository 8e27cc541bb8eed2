package io.kerbgate.proxy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.logging.RefusalLog;
import io.kerbgate.testing.SecretFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The proxy's stages of one client connection in an {@link EmbeddedChannel}, built from a config as
 * {@link ProxyServer} builds them, followed by a handler that records what the last stage passes on. The channel's
 * peer is a fixed address, so stages that read it work as on a socket.
 */
final class StagedChannel implements AutoCloseable {

    static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.7", 50000);
    static final String REQUIRED = """
            listen: 127.0.0.1:0
            keytab: http.keytab
            backends: [http://127.0.0.1:9]
            """;

    /** {@link #REQUIRED} without backends, for forward-auth mode. */
    static final String REQUIRED_NO_BACKENDS = """
            listen: 127.0.0.1:0
            keytab: http.keytab
            """;

    /**
     * Which stages, from the edge on: a test of one stage takes the ones before it too. {@code FORWARD_AUTH} is
     * forward-auth mode's whole pipeline (its yaml has the {@code forward_auth} section, and no backends).
     */
    enum Upto { EDGE, CHECKS, NEGOTIATE, FORWARD, FORWARD_AUTH }

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ProxyMetrics metrics;
    final ProxyPolicy policy;
    final BackendPool pool;
    final EmbeddedChannel channel;
    final ClientEdge edge;
    /** What the last stage passed on, in order. */
    final List<Object> passed = new ArrayList<>();

    private static final class PeerChannel extends EmbeddedChannel {
        PeerChannel() {
            super(false, false);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return PEER;
        }
    }

    /**
     * @param yaml    more config after {@link #REQUIRED}
     * @param offload where the acceptor runs, or null for inline
     */
    StagedChannel(Path dir, String yaml, Upto upto, HttpAuthenticator authenticator, @Nullable Executor offload)
            throws Exception {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02, 0, 0, 0, 0});
        GatewayConfig config = ConfigLoader.parse((upto == Upto.FORWARD_AUTH ? REQUIRED_NO_BACKENDS : REQUIRED) + yaml,
                dir);
        pool = new BackendPool(config.backendOptions(), ProxySettings.DEFAULT, config.timeouts().connect(),
                config.limits().maxHeaderSize(), config.backendTls(), Transport.NIO);
        metrics = ProxyMetrics.create(registry, pool.backends().stream().map(Backend::authority).toList());
        BackendHealth health = new BackendHealth(pool.backends(), config.health(), Ticker.systemTicker());
        policy = new ProxyPolicy(new Balancer(config.balancing(), pool.backends()), health,
                config.retries().idempotent(), config.auth().required(),
                // Forward-auth tests read the access line: it names the original request, not the asking one.
                new AccessLog(upto == Upto.FORWARD_AUTH),
                config.sessions().connectionBound());
        LiveSettings live = new LiveSettings(LiveSettings.of(config,
                new RefusalLog(authenticator::keys, config.logging().format(), Responses::status), registry, Clock.systemUTC(),
                () -> authenticator.keys().principals()));
        NegotiateStep negotiate = new NegotiateStep(authenticator, metrics, live, null, offload);
        channel = new PeerChannel();
        ChannelPipeline pipeline = channel.pipeline();
        edge = new ClientEdge(channel, metrics, policy.accessLog(), negotiate);
        pipeline.addLast("edge", edge);
        if (upto == Upto.FORWARD_AUTH) {
            pipeline.addLast("checks", new RequestChecks(edge, negotiate))
                    .addLast("forward-auth-target", new ForwardAuthTarget(edge, negotiate,
                            new ForwardAuthTarget.Asking(config.forwardAuth(), metrics)))
                    .addLast("negotiate", new NegotiateHandler(edge, negotiate, policy, ConnectionSecurity.PLAIN))
                    .addLast("forward-auth-answer", new ForwardAuthAnswer(edge, live, null));
        } else if (upto.compareTo(Upto.CHECKS) >= 0) {
            pipeline.addLast("checks", new RequestChecks(edge, negotiate));
        }
        if (upto.compareTo(Upto.NEGOTIATE) >= 0 && upto != Upto.FORWARD_AUTH) {
            pipeline.addLast("negotiate", new NegotiateHandler(edge, negotiate, policy, ConnectionSecurity.PLAIN));
        }
        if (upto == Upto.FORWARD) {
            pipeline.addLast("forward", new ForwardHandler(edge, channel, negotiate, live, pool, metrics,
                    config.timeouts().response(), policy, ConnectionSecurity.PLAIN));
        }
        pipeline.addLast("record", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passed.add(msg);
            }
        });
        channel.register();
    }

    static HttpRequest get(String uri, String... headerPairs) {
        return request(HttpMethod.GET, uri, headerPairs);
    }

    static HttpRequest request(HttpMethod method, String uri, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        request.headers().add("Host", "array.example.test");
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    /** The response the stages wrote, released after its status and headers are read. */
    @Nullable FullHttpResponse response() {
        channel.runPendingTasks();
        Object out = channel.readOutbound();
        return out == null ? null : (FullHttpResponse) out;
    }

    double counter(String name, String... tags) {
        var search = registry.find(name).tags(tags);
        return search.counter() == null ? 0 : search.counter().count();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
