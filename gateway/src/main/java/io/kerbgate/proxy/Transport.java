package io.kerbgate.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The proxy's sockets: Linux's native epoll when its library loads (fewer copies and system calls per request than
 * Java's selector), Java NIO elsewhere. The event loops, the listener, and the backend and health-check connections
 * (which run on those loops) all use the same one.
 */
enum Transport {
    EPOLL,
    NIO;

    /** Epoll where it loads; {@code -Dkerbgate.transport=nio} forces NIO (to compare, or to rule the transport out). */
    static Transport best() {
        boolean forcedNio = "nio".equalsIgnoreCase(System.getProperty("kerbgate.transport"));
        return !forcedNio && Epoll.isAvailable() ? EPOLL : NIO;
    }

    IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
