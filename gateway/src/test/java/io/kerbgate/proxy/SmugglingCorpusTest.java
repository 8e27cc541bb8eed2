package io.kerbgate.proxy;

import static io.kerbgate.proxy.FixedTokenAuthenticator.GOOD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling shapes over raw sockets, authenticated so that only the framing can stop them: each gets 400, the
 * connection is closed, and the backend never sees a byte (the proxy reads a request's first body piece before it
 * picks a backend).
 */
final class SmugglingCorpusTest {

    private static final String AUTH = "Authorization: " + GOOD + "\r\n";
    private static final String POST = "POST /upload HTTP/1.1\r\nHost: gw.test\r\n" + AUTH;

    private static ScriptedBackend backend;
    private static ProxyHarness proxy;

    @BeforeAll
    static void start() {
        backend = ScriptedBackend.start("a");
        proxy = ProxyHarness.builder().backend(backend.uri()).start();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("CL and TE", POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE and CL", POST + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("duplicate CL, equal", POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("duplicate CL, conflicting", POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("CL list", POST + "Content-Length: 5, 5\r\n\r\nhello"),
                Arguments.of("CL with sign", POST + "Content-Length: +5\r\n\r\nhello"),
                Arguments.of("CL hex", POST + "Content-Length: 0x5\r\n\r\nhello"),
                Arguments.of("obs-fold", "GET / HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "X-A: a\r\n b\r\n\r\n"),
                Arguments.of("obs-fold of TE", POST + "Transfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("obs-fold with tab", "GET / HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "X-A: a\r\n\tb\r\n\r\n"),
                Arguments.of("space before colon", POST + "Content-Length : 5\r\n\r\nhello"),
                Arguments.of("tab before colon", POST + "Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("chunked, identity", POST + "Transfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("identity, chunked", POST + "Transfer-Encoding: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("two TE fields", POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("TE in HTTP/1.0", "POST / HTTP/1.0\r\n" + AUTH + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("bad chunk size", POST + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("negative chunk size", POST + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size 0x", POST + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size overflow", POST + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size then junk", POST + "Transfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk longer than size", POST + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n"),
                Arguments.of("bare LF in chunk line", POST + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"),
                Arguments.of("bare LF in head", "POST /upload HTTP/1.1\nHost: gw.test\n" + AUTH + "Content-Length: 5\n\nhello"),
                Arguments.of("two Host", "GET / HTTP/1.1\r\nHost: gw.test\r\nHost: evil.test\r\n" + AUTH + "\r\n"),
                Arguments.of("Hixie-76", "GET / HTTP/1.1\r\nHost: gw.test\r\n" + AUTH
                        + "Upgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                        + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void smugglingShape_400_close_andTheBackendSawNothing(String name, String request) throws Exception {
        int hits = backend.hits.get();
        int accepts = backend.accepts.get();
        try (RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response response = raw.send(request).read();
            assertEquals(400, response.status(), name);
            assertEquals("close", response.header("Connection"), name);
            assertTrue(raw.closedByPeer(), name);
        }
        assertEquals(hits, backend.hits.get(), name + ": the backend got a request");
        assertEquals(accepts, backend.accepts.get(), name + ": the backend got a connection");
    }

    @Test
    void smuggledSecondRequestAfterALegitimateOne_isNeverForwarded() throws Exception {
        int hits = backend.hits.get();
        try (RawHttp raw = new RawHttp(proxy.port)) {
            // The first request is well framed; the second hides a request in a body only CL would delimit.
            raw.send("GET /first HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "\r\n"
                    + POST + "Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                    + "GET /smuggled HTTP/1.1\r\nHost: gw.test\r\n\r\n");
            RawHttp.Response first = raw.read();
            RawHttp.Response second = raw.read();
            assertEquals(200, first.status());
            assertEquals(400, second.status());
            assertTrue(raw.closedByPeer());
        }
        assertEquals(hits + 1, backend.hits.get());
    }

    @Test
    void wellFramedShapes_stillPass() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port)) {
            for (String ok : new String[] {
                    POST + "Content-Length: 5\r\n\r\nhello",
                    POST + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                    POST + "Transfer-Encoding: Chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n",
                    POST + "transfer-encoding:\tchunked \r\n\r\n5 ;ext\r\nhello\r\n0\r\n\r\n",
                    "\r\nGET /lead HTTP/1.1\r\nHost: gw.test\r\n" + AUTH + "X-Empty:\r\n\r\n"}) {
                RawHttp.Response response = raw.send(ok).read();
                assertEquals(200, response.status(), ok);
            }
        }
    }
}
