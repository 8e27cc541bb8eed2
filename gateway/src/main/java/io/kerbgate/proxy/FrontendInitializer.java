package io.kerbgate.proxy;

import io.kerbgate.acceptor.ChannelBindings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The client connection's pipeline: idle timeout, the PROXY header when a balancer sends one ({@link ProxyProtocol}),
 * the request framing guard ({@link RequestFraming}), HTTP/1.1 codec,
 * one message per {@code read()}, then the proxy's stages ({@link #addStages}). With {@code tls}, TLS goes in front of the framing guard (the pair
 * {@link TlsContextReloader#current()} has when the connection opens), and with {@code tls.http2}, ALPN picks HTTP/2
 * or HTTP/1.1 ({@link Http2FrontendInitializer}); HTTP/2 streams have no framing guard (HTTP/2 frames its messages
 * itself).
 */
final class FrontendInitializer extends ChannelInitializer<SocketChannel> {

    static final int MAX_INITIAL_LINE = 8 * 1024;
    /** Larger than Netty's 8 KiB default: fewer messages (and {@code read()} calls) per streamed body. */
    static final int MAX_CHUNK = 64 * 1024;

    private final HttpDecoderConfig decoderConfig;
    private final long clientIdleMillis;
    private final Duration responseTimeout;
    private final NegotiateStep negotiate;
    private final LiveSettings live;
    private final BackendPool pool;
    private final ProxyMetrics metrics;
    private final ProxyPolicy policy;
    private final int maxHeaderSize;
    private final @Nullable TlsContextReloader tls;
    private final boolean http2;
    private final ProxyProtocol.@Nullable Listener proxyProtocol;
    private final ForwardAuthTarget.@Nullable Asking forwardAuth;

    /**
     * @param tls           the front's TLS, or {@code null} for plain HTTP
     * @param proxyProtocol the balancers that send a PROXY header, or {@code null} when none does
     * @param forwardAuth   forward-auth mode's proxies, or {@code null} for the reverse proxy
     */
    FrontendInitializer(int maxHeaderSize, Duration clientIdle, Duration responseTimeout, NegotiateStep negotiate,
                        LiveSettings live, BackendPool pool, ProxyMetrics metrics,
                        @Nullable TlsContextReloader tls, boolean http2, ProxyPolicy policy,
                        ProxyProtocol.@Nullable Listener proxyProtocol, ForwardAuthTarget.@Nullable Asking forwardAuth) {
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(MAX_CHUNK);
        this.clientIdleMillis = clientIdle.toMillis();
        this.responseTimeout = responseTimeout;
        this.negotiate = negotiate;
        this.live = live;
        this.pool = pool;
        this.metrics = metrics;
        this.policy = policy;
        this.maxHeaderSize = maxHeaderSize;
        this.tls = tls;
        this.http2 = http2;
        this.proxyProtocol = proxyProtocol;
        this.forwardAuth = forwardAuth;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline pipeline = ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, clientIdleMillis, TimeUnit.MILLISECONDS));
        if (proxyProtocol != null) {
            // The header comes before anything else on the connection, TLS included.
            proxyProtocol.addTo(pipeline);
        }
        if (tls == null) {
            addHttp1(pipeline, ConnectionSecurity.PLAIN);
            return;
        }
        TlsContextReloader.Snapshot snapshot = tls.current();
        ConnectionSecurity security = ConnectionSecurity.tls(snapshot);
        pipeline.addLast("tls", snapshot.context().newHandler(ch.alloc()));
        if (http2) {
            pipeline.addLast("alpn", new Http2FrontendInitializer.Alpn(this, security));
        } else {
            addHttp1(pipeline, security);
        }
    }

    /**
     * The HTTP/1.1 part of a connection's pipeline, after the idle timeout and TLS: the framing guard directly in
     * front of the codec.
     */
    void addHttp1(ChannelPipeline pipeline, ConnectionSecurity security) {
        pipeline.addLast("framing", new RequestFraming(MAX_INITIAL_LINE, maxHeaderSize))
                .addLast("codec", new HttpServerCodec(decoderConfig))
                .addLast("flow", new FlowControlHandler());
        addStages(pipeline, security);
    }

    /**
     * The proxy's stages of one HTTP/1.1 connection or one HTTP/2 stream, after its codec: {@link ClientEdge},
     * {@link RequestChecks}, {@link NegotiateHandler}, {@link ForwardHandler}; in forward-auth mode
     * {@link ForwardAuthTarget} before {@link NegotiateHandler}, and {@link ForwardAuthAnswer} in place of
     * {@link ForwardHandler}.
     */
    void addStages(ChannelPipeline pipeline, ConnectionSecurity security) {
        Channel channel = pipeline.channel();
        ClientEdge edge = new ClientEdge(channel, metrics, policy.accessLog(), negotiate);
        pipeline.addLast("edge", edge)
                .addLast("checks", new RequestChecks(edge, negotiate));
        if (forwardAuth != null) {
            // The client bound its token (if at all) to the TLS of the proxy in front, which this connection is not.
            ConnectionSecurity asked = new ConnectionSecurity(security.scheme(), ChannelBindings.NONE);
            pipeline.addLast("forward-auth-target", new ForwardAuthTarget(edge, negotiate, forwardAuth))
                    .addLast("negotiate", new NegotiateHandler(edge, negotiate, policy, asked))
                    .addLast("forward-auth-answer", new ForwardAuthAnswer(edge, live, negotiate.cookies()));
            return;
        }
        pipeline.addLast("negotiate", new NegotiateHandler(edge, negotiate, policy, security))
                .addLast("forward", new ForwardHandler(edge, channel, negotiate, live, pool, metrics, responseTimeout,
                        policy, security));
    }

    int maxHeaderSize() {
        return maxHeaderSize;
    }

    long clientIdleMillis() {
        return clientIdleMillis;
    }
}
