package io.kerbgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Loopback ports that were free a moment ago. Another process can take one before the caller binds it, so a fixture
 * that starts a server on one retries with a new port when the bind fails.
 */
public final class FreePorts {

    private static final int ATTEMPTS = 20;

    private FreePorts() {
    }

    /** A TCP port free on 127.0.0.1. */
    public static int tcp() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on loopback", e);
        }
    }

    /** A port number free on 127.0.0.1 for both TCP and UDP, as a KDC listening on both needs. */
    public static int tcpAndUdp() {
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = tcp();
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                return port;
            } catch (IOException taken) {
                // The UDP port of that number is in use; try another number.
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP on loopback after " + ATTEMPTS + " tries");
    }
}
