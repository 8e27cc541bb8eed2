package io.kerbgate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Who the client of a connection is: the address a PROXY protocol header named ({@link ProxyProtocol}), or else the
 * socket's peer. Every stage that logs, counts, checks or forwards the client's address reads it here, so that behind
 * an L4 balancer none of them sees the balancer instead.
 */
final class ClientAddress {

    /** On the connection's channel (for HTTP/2, the parent of the stream channels). */
    static final AttributeKey<InetSocketAddress> FROM_PROXY_HEADER = AttributeKey.valueOf("kerbgate.clientAddress");

    private ClientAddress() {}

    static @Nullable SocketAddress of(Channel channel) {
        Channel connection = connection(channel);
        InetSocketAddress declared = connection.attr(FROM_PROXY_HEADER).get();
        return declared != null ? declared : channel.remoteAddress();
    }

    /** {@link #of}, for a channel whose peer is an IP socket (the proxy's listener only accepts those). */
    static InetSocketAddress inet(Channel channel) {
        return (InetSocketAddress) of(channel);
    }

    /** The client connection: the channel, or for an HTTP/2 stream the connection it is multiplexed on. */
    static Channel connection(Channel channel) {
        Channel parent = channel.parent();
        return parent != null && !(parent instanceof ServerChannel) ? parent : channel;
    }
}
