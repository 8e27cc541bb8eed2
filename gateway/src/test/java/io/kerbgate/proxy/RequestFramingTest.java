package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RequestFraming} alone on an {@link EmbeddedChannel}, fed whole and one byte at a time (every TCP split): good
 * input passes through byte for byte; bad input passes exactly the requests before the bad one, then a violation.
 */
final class RequestFramingTest {

    private static final String GOOD_PIPELINE = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nGET / HTTP/1"
            + "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "c;x=1\r\nPOST / HTTP/\r\n2\r\n\r\n\r\n0\r\nT: 1\r\n\r\n"
            + "\r\nGET /d HTTP/1.0\r\n\r\n";

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 1000})
    void wellFramedPipeline_passesUntouched(int split) {
        Result result = feed(GOOD_PIPELINE, split);
        assertNull(result.violation);
        assertEquals(GOOD_PIPELINE, result.passed);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 1000})
    void violationAfterGoodRequests_passesThoseAndNothingAfter(int split) {
        String bad = "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        Result result = feed(GOOD_PIPELINE + bad + "GET /f HTTP/1.1\r\n\r\n", split);
        assertEquals("both Content-Length and Transfer-Encoding", result.violation);
        // With every byte in a buffer of its own, bytes of the bad head went on before it was known to be bad.
        assertTrue((GOOD_PIPELINE + bad).startsWith(result.passed) && result.passed.startsWith(GOOD_PIPELINE),
                result.passed);
        if (split == 1000) {
            assertEquals(GOOD_PIPELINE, result.passed);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1000})
    void badChunk_cutBeforeItsSizeLine(int split) {
        String head = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        Result result = feed(head + "3\r\nabc\r\n5\r\nhelloXX\r\n0\r\n\r\n", split);
        assertEquals("chunk data longer than its size", result.violation);
        if (split == 1000) {
            assertEquals(head + "3\r\nabc\r\n", result.passed);
        }
    }

    private static final int MAX_HEADER = 96 * 1024;
    private static final int MAX_LINE = FrontendInitializer.MAX_INITIAL_LINE;

    /** A GET whose field lines hold {@code fieldBytes} bytes as the decoder counts them (CRLFs not counted). */
    private static String headWithFieldBytes(int fieldBytes) {
        // Tiny lines, where CRLFs weigh most: the shape that once switched the guard off; one longer line pads.
        int tiny = Math.max(0, (fieldBytes - 5) / 3);
        return "GET / HTTP/1.1\r\n" + "a:1\r\n".repeat(tiny) + "b:" + "x".repeat(fieldBytes - 3 * tiny - 2)
                + "\r\n\r\n";
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4096})
    void headerFields_limitCountedAsTheDecoderCounts_oneByteTighter(int split) {
        String under = headWithFieldBytes(MAX_HEADER - 1);
        assertNull(feed(under, split).violation);
        assertDecoderAccepts(under, split);
        Result over = feed(headWithFieldBytes(MAX_HEADER), split);
        assertEquals("header fields of " + MAX_HEADER + " bytes or more", over.violation);
        assertTrue(over.tooLarge);
    }

    @Test
    void tinyLinesOverTheLimit_431_neverPassedOn() {
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\n");
        while (head.length() < 200 * 1024) {
            head.append("a:1\r\n");
        }
        head.append("Sec-WebSocket-Key1: 1\r\nSec-WebSocket-Key2: 2\r\n\r\nDELETE /");
        Result result = feed(head.toString(), 1 << 20);
        assertTrue(result.tooLarge, result.violation);
        assertEquals("", result.passed);
    }

    @Test
    void trailers_countWithTheHead() {
        // Fields of MAX_HEADER - 34 bytes with the Transfer-Encoding line, then a trailer line of 51.
        String head = headWithFieldBytes(MAX_HEADER - 60);
        head = head.substring(0, head.length() - 2) + "Transfer-Encoding: chunked\r\n\r\n";
        Result result = feed(head + "1\r\na\r\n0\r\nX-Trailer: " + "t".repeat(40) + "\r\n\r\n", 1000);
        assertTrue(result.tooLarge, result.violation);
        // Cut before the trailer line: the decoder waits in the trailers, and emits nothing more.
        assertEquals(head + "1\r\na\r\n0\r\n", result.passed);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4096})
    void requestLine_limitOneByteTighterThanTheDecoders(int split) {
        String under = "GET /" + "a".repeat(MAX_LINE - 1 - "GET / HTTP/1.1".length()) + " HTTP/1.1\r\n\r\n";
        assertNull(feed(under, split).violation);
        assertDecoderAccepts(under, split);
        String over = "GET /" + "a".repeat(MAX_LINE - "GET / HTTP/1.1".length()) + " HTTP/1.1\r\n\r\n";
        assertEquals("a request line of " + MAX_LINE + " bytes or more", feed(over, split).violation);
    }

    @Test
    void chunkLines_limitsAndGrammar() {
        String head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        String ok = head + "5 \t;a=b;c;d= e;f\r\nhello\r\n0000000000000000\r\n\r\n";
        assertNull(feed(ok, 1).violation);
        assertDecoderAccepts(ok, 1);
        assertEquals("a chunk size line of " + MAX_LINE + " bytes or more",
                feed(head + "5;" + "a".repeat(MAX_LINE) + "\r\nhello\r\n0\r\n\r\n", 1000).violation);
        assertEquals("a chunk size above 2147483647", feed(head + "80000000\r\n", 1000).violation);
        for (String bad : new String[] {"5;a=\"b\"", "5;a==b", "5;a=b c", "5;a=", "5 ", "5;(", ";a", "+5", "5\u0000"}) {
            assertTrue(feed(head + bad + "\r\nhello\r\n0\r\n\r\n", 1000).violation != null, bad);
        }
    }

    @Test
    void controlByteInATrailerValue_refusedBeforeTheDecoderSeesIt() {
        String head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n";
        Result result = feed(head + "0\r\nX: a\u0001b\r\n\r\n", 1000);
        assertEquals("a control byte in a field value", result.violation);
        assertEquals(head + "0\r\n", result.passed);
    }

    /** What the guard passes, the decoder reads without an error, in {@code split}-byte reads. */
    private static void assertDecoderAccepts(String input, int split) {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestFraming(MAX_LINE, MAX_HEADER),
                new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(MAX_LINE)
                        .setMaxHeaderSize(MAX_HEADER)));
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += split) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(split, bytes.length - i)));
        }
        Object msg;
        int lasts = 0;
        while ((msg = channel.readInbound()) != null) {
            if (msg instanceof HttpObject object) {
                assertTrue(object.decoderResult().isSuccess(), object.decoderResult().toString());
                lasts += msg instanceof LastHttpContent ? 1 : 0;
            } else {
                throw new AssertionError("not an HTTP object: " + msg);
            }
            ReferenceCountUtil.release(msg);
        }
        assertEquals(1, lasts);
        channel.finishAndReleaseAll();
    }

    private record Result(String passed, String violation, boolean tooLarge) {}

    private static Result feed(String input, int split) {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestFraming(FrontendInitializer.MAX_INITIAL_LINE, 96 * 1024));
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += split) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(split, bytes.length - i)));
        }
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        String violation = null;
        boolean tooLarge = false;
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            if (msg instanceof ByteBuf buf) {
                byte[] out = new byte[buf.readableBytes()];
                buf.readBytes(out);
                buf.release();
                passed.writeBytes(out);
            } else if (msg instanceof RequestFraming.Violation v) {
                assertNull(violation, "one violation only");
                violation = v.cause().getMessage();
                tooLarge = v.cause() instanceof TooLongHttpHeaderException;
            }
        }
        channel.finishAndReleaseAll();
        return new Result(passed.toString(StandardCharsets.ISO_8859_1), violation, tooLarge);
    }
}
