package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.AddressRange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProxyProtocol} in an {@link EmbeddedChannel} whose peer is the balancer, or someone else. */
final class ProxyProtocolTest {

    private static final InetSocketAddress BALANCER = new InetSocketAddress("10.0.0.5", 40000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("198.51.100.9", 40000);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMetrics metrics = ProxyMetrics.create(registry, List.of("backend:80"));
    private final ProxyProtocol.Listener listener =
            new ProxyProtocol.Listener(List.of(AddressRange.parse("10.0.0.0/24")), metrics);

    private EmbeddedChannel from(InetSocketAddress peer) throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }
        };
        listener.addTo(channel.pipeline());
        channel.register();
        return channel;
    }

    private double refused() {
        return registry.get(ProxyMetrics.REFUSED).tag("reason", "proxy_protocol").counter().count();
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    @Test
    void v1FromTheBalancer_theClientItNamesIsTheClient_theRequestFollows() throws Exception {
        EmbeddedChannel channel = from(BALANCER);
        channel.writeInbound(ascii("PROXY TCP4 192.0.2.44 10.0.0.1 51000 443\r\nGET / HTTP/1.1\r\n"));

        assertEquals(new InetSocketAddress("192.0.2.44", 51000), ClientAddress.of(channel));
        ByteBuf rest = channel.readInbound();
        assertEquals("GET / HTTP/1.1\r\n", rest.toString(StandardCharsets.US_ASCII), "the bytes after the header");
        rest.release();
        assertNull(channel.pipeline().get(ProxyProtocol.class), "gone once the header is read");
        assertNull(channel.pipeline().get(HAProxyMessageDecoder.class));
        assertTrue(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void v2Local_theBalancersHealthCheck_keepsTheSocketsPeer() throws Exception {
        EmbeddedChannel channel = from(BALANCER);
        byte[] local = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00};
        channel.writeInbound(Unpooled.wrappedBuffer(local));

        assertEquals(BALANCER, ClientAddress.of(channel));
        assertTrue(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void fromAnywhereElse_closedBeforeAnyByte_counted() throws Exception {
        EmbeddedChannel channel = from(STRANGER);

        assertFalse(channel.isOpen());
        assertEquals(1, refused());
    }

    @Test
    void noHeaderFromTheBalancer_closed_counted() throws Exception {
        EmbeddedChannel channel = from(BALANCER);
        channel.writeInbound(ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));

        assertFalse(channel.isOpen());
        assertEquals(1, refused());
        assertEquals(BALANCER, ClientAddress.of(channel), "no client was named");
        channel.finishAndReleaseAll();
    }
}
