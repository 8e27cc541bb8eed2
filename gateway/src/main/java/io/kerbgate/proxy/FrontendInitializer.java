package io.kerbgate.proxy;

import io.kerbgate.identity.IdentityHeaders;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The client connection's pipeline: idle timeout, the request framing guard, HTTP/1.1 codec, one message per
 * {@code read()}, then the proxy.
 * TLS and HTTP/2 will go in front of the codec.
 */
final class FrontendInitializer extends ChannelInitializer<SocketChannel> {

    static final int MAX_INITIAL_LINE = 8 * 1024;
    /** Larger than Netty's 8 KiB default: fewer messages (and {@code read()} calls) per streamed body. */
    static final int MAX_CHUNK = 64 * 1024;

    private final HttpDecoderConfig decoderConfig;
    private final long clientIdleMillis;
    private final Duration responseTimeout;
    private final NegotiateStep negotiate;
    private final IdentityHeaders identity;
    private final BackendPool pool;
    private final ProxyMetrics metrics;
    private final ProxyPolicy policy;
    private final int maxHeaderSize;

    FrontendInitializer(int maxHeaderSize, Duration clientIdle, Duration responseTimeout, NegotiateStep negotiate,
                        IdentityHeaders identity, BackendPool pool, ProxyMetrics metrics, ProxyPolicy policy) {
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(MAX_CHUNK);
        this.clientIdleMillis = clientIdle.toMillis();
        this.responseTimeout = responseTimeout;
        this.negotiate = negotiate;
        this.identity = identity;
        this.pool = pool;
        this.metrics = metrics;
        this.policy = policy;
        this.maxHeaderSize = maxHeaderSize;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, clientIdleMillis, TimeUnit.MILLISECONDS))
                .addLast("framing", new RequestFraming(maxHeaderSize))
                .addLast("codec", new HttpServerCodec(decoderConfig))
                .addLast("flow", new FlowControlHandler())
                .addLast("proxy",
                        new FrontendHandler(ch, negotiate, identity, pool, metrics, responseTimeout, policy));
    }
}
