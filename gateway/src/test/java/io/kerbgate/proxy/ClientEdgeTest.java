package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.proxy.StagedChannel.Upto;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ClientEdge} alone: exchanges, local answers and what happens to the rest of the body, idle, drain. */
final class ClientEdgeTest {

    @TempDir
    Path dir;

    private StagedChannel edge() throws Exception {
        return new StagedChannel(dir, "", Upto.EDGE,
                (token, peer, bindings) -> Acceptance.Rejected.of(RejectReason.MALFORMED, "unused"), null);
    }

    @Test
    void head_startsAnExchange_andPassesOn_thenBodyPassesOn() throws Exception {
        try (StagedChannel s = edge()) {
            HttpRequest request = StagedChannel.request(HttpMethod.POST, "/upload", "Content-Length", "3");
            s.channel.writeInbound(request);

            assertEquals(request, s.passed.get(0));
            Exchange ex = s.edge.exchange();
            assertNotNull(ex);
            assertEquals(3, ex.contentLength);
            s.channel.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[3])));
            assertInstanceOf(HttpContent.class, s.passed.get(1));
            ((HttpContent) s.passed.get(1)).release();
        }
    }

    @Test
    void answer_keepsTheConnection_dropsTheRestOfTheBody_thenReadsTheNextRequest() throws Exception {
        try (StagedChannel s = edge()) {
            s.channel.writeInbound(StagedChannel.request(HttpMethod.POST, "/", "Content-Length", "6"));
            s.edge.answer(Responses.BAD_REQUEST.retainedDuplicate(), null, false);

            FullHttpResponse response = s.response();
            assertEquals(400, response.status().code());
            assertFalse(response.headers().contains("Connection"), "kept alive: " + response.headers());
            response.release();
            assertNull(s.edge.exchange(), "the exchange ended with the answer");
            HttpContent first = new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[3]));
            HttpContent last = new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[3]));
            s.channel.writeInbound(first, last);
            assertEquals(1, s.passed.size(), "the answered request's body goes nowhere");
            assertEquals(0, first.refCnt(), "and is released");
            assertEquals(0, last.refCnt());
            assertTrue(s.channel.isOpen());

            s.channel.writeInbound(StagedChannel.get("/next"));
            assertEquals(2, s.passed.size(), "the next request passes");
        }
    }

    @Test
    void answer_aBodyTooLargeToDrop_closes() throws Exception {
        try (StagedChannel s = edge()) {
            s.channel.writeInbound(StagedChannel.request(HttpMethod.POST, "/", "Content-Length",
                    Long.toString(ClientEdge.MAX_DISCARD_BYTES + 1)));
            s.edge.answer(Responses.BAD_REQUEST.retainedDuplicate(), null, false);

            FullHttpResponse response = s.response();
            assertEquals("close", response.headers().get("Connection"));
            response.release();
            assertFalse(s.channel.isOpen());
        }
    }

    @Test
    void framingViolation_400_closes_counted_nothingPassedOn() throws Exception {
        try (StagedChannel s = edge()) {
            s.channel.writeInbound(new RequestFraming.Violation(
                    new RequestFraming.FramingException("bare LF in a chunk size")));

            FullHttpResponse response = s.response();
            assertEquals(400, response.status().code());
            assertEquals("close", response.headers().get("Connection"));
            response.release();
            assertFalse(s.channel.isOpen());
            assertTrue(s.passed.isEmpty());
            assertEquals(1, s.counter(ProxyMetrics.REFUSED, "reason", ProxyMetrics.Refusal.FRAMING.tag));
        }
    }

    @Test
    void idle_betweenRequests_closes_butNotWhileABackendIsAwaited() throws Exception {
        try (StagedChannel s = edge()) {
            s.channel.writeInbound(StagedChannel.get("/slow"));
            s.edge.exchange().waitingForBackend = true;
            s.channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
            assertTrue(s.channel.isOpen(), "timeouts.connect/response are in charge");

            s.edge.exchange().waitingForBackend = false;
            s.channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
            assertFalse(s.channel.isOpen());
        }
    }

    @Test
    void drain_betweenRequests_closes_inAnExchange_theResponseSaysClose() throws Exception {
        try (StagedChannel s = edge()) {
            s.channel.writeInbound(StagedChannel.get("/"));
            s.edge.drain();
            assertTrue(s.channel.isOpen(), "the exchange in flight finishes");
            s.edge.answer(Responses.SERVICE_UNAVAILABLE.retainedDuplicate(), null, false);
            FullHttpResponse response = s.response();
            assertEquals("close", response.headers().get("Connection"));
            response.release();
            assertFalse(s.channel.isOpen());
        }
        try (StagedChannel s = edge()) {
            s.edge.drain();
            s.channel.runPendingTasks();
            assertFalse(s.channel.isOpen(), "an idle connection closes at once");
        }
    }
}
