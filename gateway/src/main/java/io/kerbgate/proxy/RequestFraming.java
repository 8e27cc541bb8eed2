package io.kerbgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Refuses the request shapes that let a front and a back server disagree on where a request ends (request smuggling,
 * RFC 9112 §11.2), before the HTTP decoder sees them. It reads the bytes of the client connection in front of the
 * decoder, follows the framing of every request (heads, fixed-length bodies, chunks, trailers) and passes the bytes on
 * untouched. On the first violation it passes the bytes before the offending request (earlier pipelined requests
 * are served as usual), then a {@link Violation} in place of the rest, and nothing more: the violation reaches the
 * proxy in order, after those earlier requests, and gets 400 and a close. Refused:
 * <ul>
 *   <li>both {@code Content-Length} and {@code Transfer-Encoding} (RFC 9112 §6.1: "ought to be handled as an error");
 *   <li>more than one {@code Content-Length} field or value, even equal ones, and a value that is not digits;
 *   <li>a {@code Transfer-Encoding} other than exactly one {@code chunked} ({@code chunked, identity},
 *       {@code gzip, chunked}, two fields), and any in an HTTP/1.0 request (RFC 9112 §6.1);
 *   <li>obs-fold: a header or trailer line starting with a space or tab (RFC 9112 §5.2: a proxy must reject it or
 *       replace it, and a replacement would let the backend read it otherwise);
 *   <li>whitespace or another non-token byte between a field name and its colon (RFC 9112 §5.1: 400), a line
 *       without a colon;
 *   <li>a line ending in a bare LF, in the head or a chunk line (RFC 9112 §2.2 lets a server accept it; an
 *       intermediary that does lets a backend that does not see another message);
 *   <li>a chunk size that is not 1 to 16 hex digits followed by nothing or an extension, and chunk data not followed
 *       by CRLF;
 *   <li>more than one {@code Host} (RFC 9112 §3.2), and the Hixie-76 WebSocket handshake, whose 8-byte body no length
 *       announces;
 *   <li>a chunk size above {@code Integer.MAX_VALUE} and a chunk extension outside a strict subset of RFC 9112 §7.1.1
 *       (tokens only), a control byte in a field value: what the decoder would refuse in the middle of a body, after
 *       the head and earlier chunks went to a backend.
 * </ul>
 *
 * <p>Limits, counted as Netty's {@code HttpObjectDecoder} counts them (line contents without their CRLF) and one byte
 * tighter, because the decoder refuses a line that reaches its limit exactly when its CR and LF come in different
 * reads: a request line or chunk size line of {@code maxInitialLine} bytes or more is refused (400); header fields,
 * with the trailer fields of the same request (the decoder counts them together), of {@code maxHeaderSize} bytes or
 * more are refused with a {@link TooLongHttpHeaderException} (431); so are empty lines of {@code maxInitialLine}
 * bytes or more before a request line (400).
 * So the decoder never meets a limit, and nothing it reads can differ from what this guard checked: the guard never
 * stops looking.
 *
 * <p>Confined to the channel's event loop.
 */
final class RequestFraming extends ChannelInboundHandlerAdapter {

    /** A request whose framing is ambiguous or malformed; answered with 400 and a close. */
    static final class FramingException extends DecoderException {
        FramingException(String message) {
            super(message);
        }
    }

    /**
     * The message that stands for the refused request. Not a {@code ByteBuf}, so the decoder passes it on as it is,
     * behind the messages it decoded from the bytes before it.
     */
    record Violation(DecoderException cause) {}

    private enum State { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, FAILED }

    /** Where a chunk size line is: digits, whitespace before an extension, a name, the start of a value, a value. */
    private enum ChunkLine { DIGITS, SPACE, NAME, VALUE_START, VALUE }

    /** Bytes of a line kept for inspection: names and framing values are short, tokens need not be kept. */
    private static final int KEPT = 1024;

    private final int maxInitialLine;
    private final int maxHeaderSize;
    private final byte[] line = new byte[KEPT];
    private int lineLength;
    private boolean lastWasCr;

    private State state = State.HEAD;
    /** Where, in the buffer being scanned, the current head and the current line began; -1 when before it. */
    private int headStart;
    private int lineStart;
    /** Where the size line of the current chunk began; -1 when before the buffer. */
    private int chunkStart;
    private State violationState = State.HEAD;
    private final ByteProcessor lineBytes = this::lineByteAt;
    /** The index of the byte {@link #lineBytes} takes next, and the violation it found. */
    private int at;
    private DecoderException found;
    /** Heads begun so far: tells the scan that a line ended a request. */
    private long heads;
    private long remaining;
    /** Empty-line bytes before the request line; field line bytes (CRLFs not counted) of the head and trailers. */
    private int leadBytes;
    private int fieldBytes;
    /** The current field line's colon was seen: the bytes after it are its value. */
    private boolean inValue;
    private ChunkLine chunkLine = ChunkLine.DIGITS;
    private long chunkSize;
    // Facts of the head being read.
    private boolean requestLineSeen;
    private boolean http10;
    private int contentLengths;
    private long contentLength;
    private int transferEncodings;
    private int hosts;

    /** @param maxInitialLine and {@code maxHeaderSize}: the decoder's limits, which this guard keeps tighter */
    RequestFraming(int maxInitialLine, int maxHeaderSize) {
        this.maxInitialLine = maxInitialLine;
        this.maxHeaderSize = maxHeaderSize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.FAILED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        DecoderException violation = scan(buf);
        if (violation == null) {
            ctx.fireChannelRead(buf);
            return;
        }
        state = State.FAILED;
        // A violation in a head cuts before that head; after chunk data, before that chunk's size line (so that the
        // decoder emits no piece of a chunk that turned out malformed); elsewhere in a body, before its line.
        int end = switch (violationState) {
            case HEAD -> headStart;
            case CHUNK_END -> chunkStart;
            default -> lineStart;
        };
        if (end > buf.readerIndex()) {
            ctx.fireChannelRead(buf.retainedSlice(buf.readerIndex(), end - buf.readerIndex()));
        }
        buf.release();
        ctx.fireChannelRead(new Violation(violation));
    }

    /** Follows the framing through {@code buf}; returns the violation, or null. */
    private DecoderException scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        boolean atLineStart = lineLength == 0 && !lastWasCr;
        headStart = state == State.HEAD && !requestLineSeen && leadBytes == 0 && atLineStart ? i : -1;
        lineStart = atLineStart ? i : -1;
        chunkStart = state == State.CHUNK_SIZE && atLineStart ? i : -1;
        while (i < end) {
            switch (state) {
                case BODY, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        lineStart = i;
                        if (state == State.BODY) {
                            startHead();
                            headStart = i;
                        } else {
                            state = State.CHUNK_END;
                        }
                    }
                }
                default -> {
                    // One bounds and reference count check for the run of lines, not one per byte.
                    at = i;
                    int last = buf.forEachByte(i, end - i, lineBytes);
                    if (found != null) {
                        DecoderException violation = found;
                        found = null;
                        return violation;
                    }
                    i = last < 0 ? end : last + 1;
                }
            }
        }
        return null;
    }

    /** Takes one byte of a line at {@link #at}; stops at a violation and where a body starts. */
    private boolean lineByteAt(byte b) {
        int next = ++at;
        State before = state;
        long headsBefore = heads;
        found = lineByte(b);
        if (found != null) {
            violationState = before;
            return false;
        }
        if (lineLength == 0 && !lastWasCr) {
            lineStart = next;
            if (state == State.CHUNK_SIZE) {
                chunkStart = next;
            }
        }
        if (heads != headsBefore) {
            headStart = next;
        }
        return state != State.BODY && state != State.CHUNK_DATA;
    }

    private DecoderException lineByte(byte b) {
        if (b == '\n') {
            if (!lastWasCr) {
                return new FramingException("bare LF at the end of a line");
            }
            lastWasCr = false;
            int length = lineLength;
            lineLength = 0;
            inValue = false;
            return endOfLine(length);
        }
        if (lastWasCr) {
            return new FramingException("CR inside a line");
        }
        if (b == '\r') {
            lastWasCr = true;
            // The decoder skips empty lines before a request line, CR and LF alike, up to its line limit.
            if (lineLength == 0 && state == State.HEAD && !requestLineSeen) {
                leadBytes += 2;
                return leadBytes >= maxInitialLine
                        ? new FramingException("empty lines of " + maxInitialLine + " bytes or more") : null;
            }
            return null;
        }
        if (lineLength < KEPT) {
            line[lineLength] = b;
        }
        lineLength++;
        return switch (state) {
            case HEAD, TRAILERS -> {
                if (state == State.HEAD && !requestLineSeen) {
                    yield lineLength >= maxInitialLine ? new FramingException("a request line of "
                            + maxInitialLine + " bytes or more") : null;
                }
                if (++fieldBytes >= maxHeaderSize) {
                    yield tooLarge("header fields of " + maxHeaderSize + " bytes or more");
                }
                if (inValue) {
                    // RFC 9110 §5.5; the decoder refuses these too, in a trailer after the body went on.
                    yield (b < 0x20 && b != '\t') || b == 0x7f
                            ? new FramingException("a control byte in a field value") : null;
                }
                inValue = b == ':';
                yield null;
            }
            case CHUNK_SIZE -> lineLength >= maxInitialLine
                    ? new FramingException("a chunk size line of " + maxInitialLine + " bytes or more")
                    : chunkLineByte(b);
            default -> new FramingException("chunk data longer than its size");
        };
    }

    private static TooLongHttpHeaderException tooLarge(String what) {
        return new TooLongHttpHeaderException(what);
    }

    /**
     * A chunk size line, byte by byte: 1 to 16 hex digits up to {@code Integer.MAX_VALUE} (the decoder's limit),
     * optional whitespace, then extensions of token names and token values, as the decoder's extension grammar
     * accepts them and without its quoted strings.
     */
    private DecoderException chunkLineByte(byte b) {
        boolean space = b == ' ' || b == '\t';
        switch (chunkLine) {
            case DIGITS -> {
                int digit = Character.digit(b, 16);
                if (digit >= 0 && lineLength <= 16) {
                    chunkSize = chunkSize * 16 + digit;
                    return chunkSize > Integer.MAX_VALUE
                            ? new FramingException("a chunk size above " + Integer.MAX_VALUE) : null;
                }
                if (lineLength > 1 && (space || b == ';')) {
                    chunkLine = space ? ChunkLine.SPACE : ChunkLine.NAME;
                    return null;
                }
            }
            case SPACE -> {
                if (space || b == ';') {
                    chunkLine = space ? ChunkLine.SPACE : ChunkLine.NAME;
                    return null;
                }
            }
            case NAME -> {
                if (isTokenChar(b) || space || b == ';' || b == '=') {
                    chunkLine = b == '=' ? ChunkLine.VALUE_START : ChunkLine.NAME;
                    return null;
                }
            }
            case VALUE_START -> {
                if (isTokenChar(b) || space || b == ';') {
                    chunkLine = space ? ChunkLine.VALUE_START : ChunkLine.VALUE;
                    return null;
                }
            }
            case VALUE -> {
                if (isTokenChar(b) || b == ';') {
                    chunkLine = b == ';' ? ChunkLine.NAME : ChunkLine.VALUE;
                    return null;
                }
            }
        }
        return new FramingException("a chunk size line with '" + (char) (b & 0xff) + "' where it cannot be");
    }

    private DecoderException endOfLine(int length) {
        String violation = switch (state) {
            case HEAD -> headLine(length);
            case CHUNK_SIZE -> chunkSize(length);
            case CHUNK_END -> {
                // Any byte of the line already failed in lineByte: this line is empty.
                state = State.CHUNK_SIZE;
                yield null;
            }
            case TRAILERS -> {
                if (length == 0) {
                    startHead();
                    yield null;
                }
                yield fieldLine(length, false);
            }
            default -> throw new IllegalStateException(state.name());
        };
        return violation == null ? null : new FramingException(violation);
    }

    private String headLine(int length) {
        if (!requestLineSeen) {
            // RFC 9112 §2.2: empty lines before the request line are ignored.
            if (length > 0) {
                requestLineSeen = true;
                http10 = endsWith(length, "HTTP/1.0");
            }
            return null;
        }
        if (length > 0) {
            return fieldLine(length, true);
        }
        if (contentLengths > 0 && transferEncodings > 0) {
            return "both Content-Length and Transfer-Encoding";
        }
        if (transferEncodings > 0) {
            if (http10) {
                return "Transfer-Encoding in an HTTP/1.0 request";
            }
            state = State.CHUNK_SIZE;
        } else if (contentLength > 0) {
            state = State.BODY;
            remaining = contentLength;
        } else {
            startHead();
        }
        return null;
    }

    private String fieldLine(int length, boolean head) {
        if (line[0] == ' ' || line[0] == '\t') {
            return "obs-fold (a line starting with whitespace)";
        }
        int kept = Math.min(length, KEPT);
        int colon = -1;
        for (int i = 0; i < kept; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
            if (!isTokenChar(line[i])) {
                return "a field name with whitespace or a non-token byte";
            }
        }
        if (colon <= 0) {
            return colon == 0 ? "a field line with no name" : "a field line without a colon";
        }
        if (!head) {
            return null;
        }
        String name = new String(line, 0, colon, StandardCharsets.ISO_8859_1);
        if (name.equalsIgnoreCase("content-length")) {
            if (++contentLengths > 1) {
                return "more than one Content-Length";
            }
            String value = value(colon, length);
            if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
                return "a Content-Length that is not one decimal number";
            }
            contentLength = Long.parseLong(value);
        } else if (name.equalsIgnoreCase("transfer-encoding")) {
            if (++transferEncodings > 1) {
                return "more than one Transfer-Encoding";
            }
            if (!"chunked".equalsIgnoreCase(value(colon, length))) {
                return "a Transfer-Encoding other than chunked";
            }
        } else if (name.equalsIgnoreCase("host")) {
            if (++hosts > 1) {
                return "more than one Host";
            }
        } else if (name.equalsIgnoreCase("sec-websocket-key1")) {
            return "a Hixie-76 WebSocket handshake";
        }
        return null;
    }

    /** The value after the colon without surrounding whitespace; null when the line was longer than kept. */
    private String value(int colon, int length) {
        if (length > KEPT) {
            return null;
        }
        int start = colon + 1;
        int end = length;
        while (start < end && (line[start] == ' ' || line[start] == '\t')) {
            start++;
        }
        while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t')) {
            end--;
        }
        return new String(line, start, end - start, StandardCharsets.ISO_8859_1);
    }

    private String chunkSize(int length) {
        ChunkLine at = chunkLine;
        long size = chunkSize;
        chunkLine = ChunkLine.DIGITS;
        chunkSize = 0;
        if (length == 0) {
            return "an empty chunk size line";
        }
        if (at == ChunkLine.SPACE || at == ChunkLine.VALUE_START) {
            return at == ChunkLine.SPACE ? "whitespace after a chunk size" : "a chunk extension without its value";
        }
        if (size == 0) {
            // The trailer fields count with the head's fields, as the decoder counts them.
            state = State.TRAILERS;
        } else {
            state = State.CHUNK_DATA;
            remaining = size;
        }
        return null;
    }

    private void startHead() {
        heads++;
        state = State.HEAD;
        leadBytes = 0;
        fieldBytes = 0;
        requestLineSeen = false;
        http10 = false;
        contentLengths = 0;
        contentLength = 0;
        transferEncodings = 0;
        hosts = 0;
    }

    private boolean endsWith(int length, String suffix) {
        if (length > KEPT || length < suffix.length()) {
            return false;
        }
        for (int i = 0; i < suffix.length(); i++) {
            if (line[length - suffix.length() + i] != suffix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isTokenChar(byte b) {
        return b > 0x20 && b < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(b) < 0;
    }
}
