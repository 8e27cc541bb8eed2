package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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

    private record Result(String passed, String violation) {}

    private static Result feed(String input, int split) {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestFraming(96 * 1024));
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += split) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(split, bytes.length - i)));
        }
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        String violation = null;
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
            }
        }
        channel.finishAndReleaseAll();
        return new Result(passed.toString(StandardCharsets.ISO_8859_1), violation);
    }
}
