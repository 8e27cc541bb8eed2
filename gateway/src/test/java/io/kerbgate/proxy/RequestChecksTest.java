package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.access.RequestReason;
import io.kerbgate.proxy.StagedChannel.Upto;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RequestChecks} after the edge: what it answers itself, and what a request that passes looks like. */
final class RequestChecksTest {

    @TempDir
    Path dir;

    private StagedChannel checks() throws Exception {
        return new StagedChannel(dir, "", Upto.CHECKS,
                (token, peer, bindings) -> Acceptance.Rejected.of(RejectReason.MALFORMED, "unused"), null);
    }

    private void answered(HttpRequest request, int status, boolean closes) throws Exception {
        try (StagedChannel s = checks()) {
            s.channel.writeInbound(request);
            FullHttpResponse response = s.response();
            assertEquals(status, response.status().code(), request.toString());
            assertEquals(closes, "close".equals(response.headers().get("Connection")), response.headers().toString());
            response.release();
            assertTrue(s.passed.isEmpty(), "nothing goes on");
        }
    }

    @Test
    void anotherVersion_505() throws Exception {
        answered(new DefaultHttpRequest(HttpVersion.valueOf("HTTP/2.0"), HttpMethod.GET, "/"), 505, true);
    }

    @Test
    void anExpectationOtherThanContinue_417() throws Exception {
        answered(StagedChannel.get("/", "Expect", "something-else"), 417, true);
    }

    @Test
    void connect_501() throws Exception {
        answered(StagedChannel.request(HttpMethod.CONNECT, "backend.internal:22"), 501, true);
    }

    @Test
    void anAmbiguousTarget_400_counted_connectionKept() throws Exception {
        try (StagedChannel s = checks()) {
            s.channel.writeInbound(StagedChannel.get("/a/%2e%2e/admin"));
            FullHttpResponse response = s.response();
            assertEquals(400, response.status().code());
            assertFalse(response.headers().contains("Connection"));
            response.release();
            assertEquals(1, s.counter(ProxyMetrics.AUTH_REQUESTS, "reason", RequestReason.BAD_TARGET.tag()));
        }
    }

    @Test
    void absoluteForm_passesInOriginForm_withTheAuthorityAsHost() throws Exception {
        try (StagedChannel s = checks()) {
            s.channel.writeInbound(StagedChannel.get("http://array.example.test:8080/docs/a?b=c"));

            RequestChecks.Checked checked = assertInstanceOf(RequestChecks.Checked.class, s.passed.get(0));
            assertEquals("/docs/a?b=c", checked.request().uri());
            assertEquals("array.example.test:8080", checked.request().headers().get("Host"));
            assertEquals("/docs/a", checked.target().path());
        }
    }
}
