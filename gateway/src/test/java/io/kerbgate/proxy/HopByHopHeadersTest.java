package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class HopByHopHeadersTest {

    @Test
    void strip_removesFixedHopByHopHeadersAndThoseNamedByConnection() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Session")
                .add("Connection", "Upgrade")
                .add("X-Session", "1")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("Proxy-Authorization", "Basic YTpi")
                .add("TE", "trailers")
                .add("Trailer", "X-Checksum")
                .add("Transfer-Encoding", "chunked")
                .add("Upgrade", "websocket")
                .add("X-Kept", "yes");

        HopByHopHeaders.strip(headers);

        assertEquals(Set.of("X-Kept"), headers.names());
    }

    @Test
    void strip_neverRemovesFramingNamedByConnection() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "Content-Length, host")
                .add("Content-Length", "5")
                .add("Host", "gw.test");

        HopByHopHeaders.strip(headers);

        assertEquals(Set.of("Content-Length", "Host"), headers.names());
    }
}
