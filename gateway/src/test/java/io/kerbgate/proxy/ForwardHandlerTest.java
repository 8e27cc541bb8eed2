package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.proxy.StagedChannel.Upto;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ForwardHandler} behind the other stages, up to where a backend connection would be leased (the backend
 * side is covered over real sockets by the proxy's other tests).
 */
final class ForwardHandlerTest {

    private static final String UNAUTHENTICATED = """
            auth:
              required: false
            health:
              passive:
                consecutive_failures: 1
            """;

    @TempDir
    Path dir;

    private StagedChannel forward() throws Exception {
        return new StagedChannel(dir, UNAUTHENTICATED, Upto.FORWARD,
                (token, peer, bindings) -> Acceptance.Rejected.of(RejectReason.MALFORMED, "unused"), null);
    }

    @Test
    void aHeadAnnouncingABodyThatNeverComes_isTheClientsSilence_idleCloses() throws Exception {
        try (StagedChannel s = forward()) {
            s.channel.writeInbound(StagedChannel.request(HttpMethod.POST, "/", "Content-Length", "10"));
            Exchange ex = s.edge.exchange();
            assertNotNull(ex, "waiting for the first piece of the body");
            assertFalse(ex.waitingForBackend, "no backend is chosen before the body starts");

            s.channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);

            assertFalse(s.channel.isOpen());
        }
    }

    @Test
    void noBackendUp_503WithRetryAfter_theHeldBodyPieceReleased() throws Exception {
        try (StagedChannel s = forward()) {
            s.policy.health().passiveFailure(0, "test");
            s.channel.writeInbound(StagedChannel.request(HttpMethod.POST, "/", "Content-Length", "10"));
            HttpContent first = new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[5]));
            s.channel.writeInbound(first);

            FullHttpResponse response = s.response();
            assertEquals(503, response.status().code());
            assertTrue(response.headers().contains("Retry-After"), response.headers().toString());
            response.release();
            assertEquals(0, first.refCnt(), "the body piece read before choosing a backend is not leaked");
            assertEquals(1, s.counter(ProxyMetrics.PROXY_REQUESTS, "backend", ProxyMetrics.NO_BACKEND,
                    "status_class", "5xx"));
        }
    }
}
