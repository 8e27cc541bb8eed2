package io.kerbgate.proxy;

import io.kerbgate.proxy.FramingDifferentialTest.Sequence;
import io.kerbgate.proxy.FramingDifferentialTest.Verdict;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The request sequences of one client connection for {@link FramingDifferentialTest}: well-framed requests in odd but
 * legal spellings, then perhaps one that ends the connection (badly framed, at a limit, HTTP/1.0, cut short). Each
 * sequence knows its verdict: accepted, refused, or either (where the RFC leaves the choice to the server).
 */
final class FramingCorpus {

    private static final int MAX_HEADER = 96 * 1024;
    private static final int MAX_LINE = FrontendInitializer.MAX_INITIAL_LINE;
    private static final String[] CL = {"Content-Length", "content-length", "CONTENT-LENGTH", "Content-length"};
    private static final String[] CHUNKED = {"chunked", "Chunked", "CHUNKED", " chunked\t", "\tchunked"};
    private static final String[] TE = {"Transfer-Encoding", "transfer-encoding", "TRANSFER-ENCODING"};
    private static final String[] EXTENSIONS = {"", "", ";a=b", ";x", " ;y=z", "\t;n=v;m", ";a=b;c=d"};

    private final Random random;
    private final int connection;
    private int index;

    FramingCorpus(Random random, int connection) {
        this.random = random;
        this.connection = connection;
    }

    List<Sequence> connection() {
        List<Sequence> batch = new ArrayList<>();
        int good = 1 + random.nextInt(12);
        for (int i = 0; i < good; i++) {
            batch.add(wellFramed());
        }
        int roll = random.nextInt(100);
        if (roll < 40) {
            batch.add(badlyFramed());
        } else if (roll < 47) {
            batch.add(cut(wellFramed()));
        } else if (roll < 52) {
            batch.add(atALimit());
        } else if (roll < 55) {
            batch.add(seq("GET", "HTTP/1.0", List.of(), null, Verdict.ACCEPT, true, "http10-close"));
        }
        return batch;
    }

    private Sequence wellFramed() {
        return switch (random.nextInt(10)) {
            case 0, 1 -> seq("GET", "HTTP/1.1", extra(), null, Verdict.ACCEPT, false, "get");
            case 2, 3 -> withLength(randomMethod(), body(random.nextInt(3000)), "cl");
            case 4, 5 -> chunked(randomMethod(), "chunked");
            case 6 -> seq("HEAD", "HTTP/1.1", extra(), null, Verdict.ACCEPT, false, "head");
            case 7 -> {
                List<String> lines = new ArrayList<>(extra());
                byte[] body = body(random.nextInt(500));
                lines.add("Expect: 100-continue");
                lines.add("Content-Length: " + body.length);
                yield seq("POST", "HTTP/1.1", lines, body, Verdict.ACCEPT, false, "expect");
            }
            case 8 -> seq("GET", "HTTP/1.1", List.of("Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"), null,
                    Verdict.ACCEPT, false, "ws6455");
            default -> {
                List<String> lines = new ArrayList<>(extra());
                lines.add("Connection: keep-alive");
                byte[] body = random.nextBoolean() ? null : body(random.nextInt(100));
                if (body != null) {
                    lines.add("Content-Length: " + body.length);
                }
                yield seq("POST", "HTTP/1.0", lines, body, Verdict.ACCEPT, false, "http10");
            }
        };
    }

    private Sequence badlyFramed() {
        byte[] five = "hello".getBytes(StandardCharsets.ISO_8859_1);
        String t = "Transfer-Encoding: chunked";
        String chunks = "5\r\nhello\r\n0\r\n\r\n";
        return switch (random.nextInt(34)) {
            case 0 -> raw("cl+te", "Content-Length: 5", t, "", chunks);
            case 1 -> raw("te+cl", t, "Content-Length: 5", "", chunks);
            case 2 -> raw("dup-cl", "Content-Length: 5", "Content-Length: 5", "", "hello");
            case 3 -> raw("dup-cl-diff", "Content-Length: 5", "Content-Length: 6", "", "hello!");
            case 4 -> raw("cl-list", "Content-Length: 5, 5", "", "hello");
            case 5 -> raw("cl-plus", "Content-Length: +5", "", "hello");
            case 6 -> raw("cl-hex", "Content-Length: 0x5", "", "hello");
            case 7 -> raw("cl-negative", "Content-Length: -1", "", "hello");
            case 8 -> raw("cl-huge", "Content-Length: 99999999999999999999", "", "hello");
            case 9 -> raw("cl-empty", "Content-Length:", "", "hello");
            case 10 -> raw("te-identity", "Transfer-Encoding: chunked, identity", "", chunks);
            case 11 -> raw("te-gzip", "Transfer-Encoding: gzip, chunked", "", chunks);
            case 12 -> raw("te-two", t, t, "", chunks);
            case 13 -> raw("te-x", "Transfer-Encoding: xchunked", "", chunks);
            case 14 -> raw("obs-fold", "X-A: a", " b", "", "");
            case 15 -> raw("obs-fold-te", "Transfer-Encoding:", " chunked", "", chunks);
            case 16 -> rawText("bare-lf", "POST " + target() + " HTTP/1.1\r\nHost: gw\nContent-Length: 5\r\n\r\nhello");
            case 17 -> rawText("bare-cr", "POST " + target() + " HTTP/1.1\r\nHost: gw\rX: 1\r\nContent-Length: 5\r\n\r\nhello");
            case 18 -> raw("space-colon", "Content-Length : 5", "", "hello");
            case 19 -> raw("hixie76", "Upgrade: WebSocket", "Connection: Upgrade", "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                    "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00", "", "DELETE /");
            case 20 -> raw("chunk-bad-size", t, "", "5\r\nhello\r\nzz\r\nhello\r\n0\r\n\r\n");
            case 21 -> raw("chunk-overflow", t, "", "5\r\nhello\r\n80000000\r\nhello\r\n0\r\n\r\n");
            case 22 -> raw("chunk-too-long", t, "", "5\r\nhello\r\n3\r\nhelloXX\r\n0\r\n\r\n");
            case 23 -> raw("chunk-no-crlf", t, "", "5\r\nhelloGET / HTTP/1.1\r\n\r\n");
            case 24 -> raw("chunk-bare-lf", t, "", "5\nhello\r\n0\r\n\r\n");
            case 25 -> raw("chunk-ext-quoted", t, "", "5;a=\"b\"\r\nhello\r\n0\r\n\r\n");
            case 26 -> raw("two-host", "Host: evil", "", "");
            case 27 -> rawText("http10-te", "POST " + target() + " HTTP/1.0\r\n" + t + "\r\n\r\n" + chunks);
            case 28 -> raw("ctl-in-value", "X-A: a\u0001b", "", "");
            case 29 -> raw("nul-in-name", "X-\u0000A: b", "", "");
            case 30 -> raw("expect-other", "Expect: 200-ok", "Content-Length: 5", "", "hello");
            case 31 -> rawText("http2-version", "GET " + target() + " HTTP/2.0\r\nHost: gw\r\n\r\n");
            case 32 -> rawText("connect", "CONNECT " + target() + " HTTP/1.1\r\nHost: gw\r\n\r\n");
            default -> raw("trailer-ctl", t, "", "5\r\nhello\r\n0\r\nX-T: a\u0007\r\n\r\n");
        };
    }

    /** Lengths at the limits: one byte under is accepted, at the limit refused. */
    private Sequence atALimit() {
        boolean under = random.nextBoolean();
        Verdict verdict = under ? Verdict.ACCEPT : Verdict.REFUSE;
        String target = target();
        return switch (random.nextInt(5)) {
            case 4 -> {
                // The attack: tiny lines under the limit as the decoder counts it (not as bytes), then a
                // Hixie-76 handshake and the 8 bytes that became the start of another user's request.
                int tiny = (MAX_HEADER - 200) / 3;
                String head = "GET " + target + " HTTP/1.1\r\nHost: gw\r\n" + "a:1\r\n".repeat(tiny)
                        + "Upgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key1: 1\r\n"
                        + "Sec-WebSocket-Key2: 2\r\n\r\nDELETE /";
                yield new Sequence(target, "GET", bytes(head), new byte[0], Verdict.REFUSE, false, false,
                        "tiny-lines-hixie76");
            }
            case 0 -> {
                // Header fields as the decoder counts them, Host included; tiny lines where CRLFs weigh most.
                int fields = (under ? MAX_HEADER - 1 : MAX_HEADER) - "Host: gw".length();
                int tiny = (fields - 5) / 3;
                String head = "GET " + target + " HTTP/1.1\r\nHost: gw\r\n" + "a:1\r\n".repeat(tiny) + "b:"
                        + "x".repeat(fields - 3 * tiny - 2) + "\r\n\r\n";
                yield new Sequence(target, "GET", bytes(head), new byte[0], verdict, false, false, "fields-limit");
            }
            case 1 -> {
                int pad = (under ? MAX_LINE - 1 : MAX_LINE) - ("GET " + target + "? HTTP/1.1").length();
                String head = "GET " + target + "?" + "p".repeat(pad) + " HTTP/1.1\r\nHost: gw\r\n\r\n";
                // The backend's parser sees the target with its query; compare the path only.
                yield new Sequence(target + "?" + "p".repeat(pad), "GET", bytes(head), new byte[0], verdict, false,
                        false, "line-limit");
            }
            case 2 -> {
                String line = "5;" + "e".repeat((under ? MAX_LINE - 1 : MAX_LINE) - 2);
                String text = "POST " + target + " HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n" + line
                        + "\r\nhello\r\n0\r\n\r\n";
                yield new Sequence(target, "POST", bytes(text), bytes("hello"), verdict, false, false,
                        "chunk-line-limit");
            }
            default -> {
                // Tiny lines over the limit with a Hixie-76 handshake behind them: the attack.
                String head = "GET " + target + " HTTP/1.1\r\nHost: gw\r\n" + "a:1\r\n".repeat(MAX_HEADER / 3 + 10)
                        + "Sec-WebSocket-Key1: 1\r\nSec-WebSocket-Key2: 2\r\n\r\nDELETE /";
                yield new Sequence(target, "GET", bytes(head), new byte[0], Verdict.REFUSE, false, false,
                        "tiny-lines-431");
            }
        };
    }

    /** The sequence's bytes up to a random point before its end; the client then closes. */
    private Sequence cut(Sequence whole) {
        int at = 1 + random.nextInt(whole.bytes().length - 1);
        byte[] part = java.util.Arrays.copyOf(whole.bytes(), at);
        return new Sequence(whole.target(), whole.method(), part, whole.body(), Verdict.EITHER, whole.head(), true,
                "cut-" + whole.shape());
    }

    private Sequence withLength(String method, byte[] body, String shape) {
        List<String> lines = new ArrayList<>(extra());
        lines.add(pick(CL) + ":" + pick(new String[] {" ", "", "\t", "  "}) + body.length
                + pick(new String[] {"", " ", "\t"}));
        return seq(method, "HTTP/1.1", lines, body, Verdict.ACCEPT, false, shape);
    }

    private Sequence chunked(String method, String shape) {
        List<String> lines = new ArrayList<>(extra());
        lines.add(pick(TE) + ":" + pick(CHUNKED));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int chunks = random.nextInt(5);
        for (int i = 0; i < chunks; i++) {
            byte[] data = body(1 + random.nextInt(2000));
            String size = Integer.toHexString(data.length);
            size = random.nextBoolean() ? size.toUpperCase() : random.nextInt(4) == 0 ? "00" + size : size;
            wire.writeBytes(bytes(size + pick(EXTENSIONS) + "\r\n"));
            wire.writeBytes(data);
            wire.writeBytes(bytes("\r\n"));
            body.writeBytes(data);
        }
        wire.writeBytes(bytes("0" + pick(EXTENSIONS) + "\r\n" + (random.nextInt(3) == 0 ? "X-Trailer: t\r\n" : "")
                + "\r\n"));
        String target = target();
        byte[] head = bytes(head(method, target, "HTTP/1.1", lines));
        byte[] all = new byte[head.length + wire.size()];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(wire.toByteArray(), 0, all, head.length, wire.size());
        return new Sequence(target, method, all, body.toByteArray(), Verdict.ACCEPT, false, false, shape);
    }

    private Sequence seq(String method, String version, List<String> lines, byte[] body, Verdict verdict,
                         boolean closes, String shape) {
        String target = target();
        byte[] head = bytes((random.nextInt(20) == 0 ? "\r\n" : "") + head(method, target, version, lines));
        byte[] content = body == null ? new byte[0] : body;
        byte[] all = new byte[head.length + content.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return new Sequence(target, method, all, content, verdict, method.equals("HEAD"), closes, shape);
    }

    /** A POST with the given field lines; an empty string ends the head, the rest is its body. */
    private Sequence raw(String shape, String... parts) {
        StringBuilder text = new StringBuilder("POST ").append(target()).append(" HTTP/1.1\r\nHost: gw\r\n");
        int i = 0;
        for (; i < parts.length && !parts[i].isEmpty(); i++) {
            text.append(parts[i]).append("\r\n");
        }
        text.append("\r\n");
        for (i++; i < parts.length; i++) {
            text.append(parts[i]);
        }
        return rawText(shape, text.toString());
    }

    private Sequence rawText(String shape, String text) {
        String target = "/f/" + connection + "/" + (index - 1);
        return new Sequence(target, "POST", bytes(text), new byte[0], Verdict.REFUSE, false, true, shape);
    }

    private String head(String method, String target, String version, List<String> lines) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(' ').append(version)
                .append("\r\n");
        // HTTP/1.1 without Host is refused as a bad target (RFC 9112 §3.2), not for its framing: only 1.0 omits it.
        if (!version.equals("HTTP/1.0") || random.nextInt(10) != 0) {
            head.append("Host: gw.test\r\n");
        }
        for (String line : lines) {
            head.append(line).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    private List<String> extra() {
        List<String> lines = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            lines.add("X-H" + i + ":" + pick(new String[] {" ", "", "\t"}) + "v" + random.nextInt(1000)
                    + pick(new String[] {"", " ", "\t "}));
        }
        return lines;
    }

    /** Random bytes, with now and then a request hidden in them. */
    private byte[] body(int length) {
        byte[] body = new byte[length];
        random.nextBytes(body);
        byte[] hidden = bytes("\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: gw\r\n\r\n");
        if (length > hidden.length && random.nextBoolean()) {
            System.arraycopy(hidden, 0, body, random.nextInt(length - hidden.length), hidden.length);
        }
        return body;
    }

    private String randomMethod() {
        return pick(new String[] {"POST", "PUT", "PATCH", "DELETE", "GET", "REPORT"});
    }

    private String target() {
        return "/f/" + connection + "/" + index++;
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
