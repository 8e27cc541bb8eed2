package io.kerbgate.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A strict HTTP/1.1 request parser for what a backend receives from kerbgate, written without Netty so that it shares
 * no mistake with the proxy: CRLF only, token names, no obs-fold, {@code HTTP/1.1} only, one framing header at most
 * ({@code Content-Length} digits, or {@code Transfer-Encoding: chunked} with plain hex chunk sizes), no implied body.
 */
final class StrictRequestParser {

    record Request(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) {
        String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }
    }

    /** The bytes are not a well-framed request. */
    static final class Malformed extends Exception {
        Malformed(String message, int at) {
            super(message + " at byte " + at);
        }
    }

    /** One parsed request and where it ended. */
    record Parsed(Request request, int end) {}

    private StrictRequestParser() {}

    /** Parses the request starting at {@code from}; null when {@code b[from, to)} holds only part of one. */
    static Parsed parse(byte[] b, int from, int to) throws Malformed {
        int[] pos = {from};
        String requestLine = line(b, pos, to);
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !isToken(parts[0]) || parts[1].isEmpty() || !visible(parts[1])
                || !parts[2].equals("HTTP/1.1")) {
            throw new Malformed("bad request line '" + printable(requestLine) + "'", from);
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String contentLength = null;
        String transferEncoding = null;
        while (true) {
            int lineAt = pos[0];
            String line = line(b, pos, to);
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw new Malformed("bad field line '" + printable(line) + "'", lineAt);
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new Malformed("control byte in a field value", lineAt);
                }
            }
            headers.add(Map.entry(name, value));
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length")) {
                if (contentLength != null) {
                    throw new Malformed("two Content-Length", lineAt);
                }
                contentLength = value;
            } else if (lower.equals("transfer-encoding")) {
                if (transferEncoding != null) {
                    throw new Malformed("two Transfer-Encoding", lineAt);
                }
                transferEncoding = value;
            }
        }
        if (contentLength != null && transferEncoding != null) {
            throw new Malformed("both Content-Length and Transfer-Encoding", from);
        }
        Request bare = new Request(parts[0], parts[1], headers, new byte[0]);
        if (transferEncoding != null) {
            if (!transferEncoding.equals("chunked")) {
                throw new Malformed("Transfer-Encoding '" + transferEncoding + "'", from);
            }
            return chunked(b, pos, to, bare);
        }
        if (contentLength != null) {
            if (contentLength.isEmpty() || contentLength.length() > 18 || !contentLength.chars().allMatch(
                    c -> c >= '0' && c <= '9')) {
                throw new Malformed("Content-Length '" + contentLength + "'", from);
            }
            long length = Long.parseLong(contentLength);
            if (to - pos[0] < length) {
                return null;
            }
            byte[] body = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + (int) length);
            return new Parsed(new Request(bare.method(), bare.target(), headers, body), pos[0] + (int) length);
        }
        return new Parsed(bare, pos[0]);
    }

    private static Parsed chunked(byte[] b, int[] pos, int to, Request head) throws Malformed {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int lineAt = pos[0];
            String sizeLine = line(b, pos, to);
            if (sizeLine == null) {
                return null;
            }
            if (sizeLine.isEmpty() || sizeLine.length() > 8 || !sizeLine.chars().allMatch(
                    c -> Character.digit(c, 16) >= 0)) {
                throw new Malformed("chunk size line '" + printable(sizeLine) + "'", lineAt);
            }
            int size = Integer.parseInt(sizeLine, 16);
            if (size == 0) {
                while (true) {
                    String trailer = line(b, pos, to);
                    if (trailer == null) {
                        return null;
                    }
                    if (trailer.isEmpty()) {
                        return new Parsed(new Request(head.method(), head.target(), head.headers(),
                                body.toByteArray()), pos[0]);
                    }
                    throw new Malformed("a trailer reached the backend: '" + printable(trailer) + "'", lineAt);
                }
            }
            if (to - pos[0] < size + 2) {
                return null;
            }
            body.write(b, pos[0], size);
            pos[0] += size;
            if (b[pos[0]] != '\r' || b[pos[0] + 1] != '\n') {
                throw new Malformed("chunk data not followed by CRLF", pos[0]);
            }
            pos[0] += 2;
        }
    }

    /** The next CRLF-terminated line, or null when incomplete; a bare CR or LF is malformed. */
    private static String line(byte[] b, int[] pos, int to) throws Malformed {
        int start = pos[0];
        for (int i = start; i < to; i++) {
            if (b[i] == '\n') {
                throw new Malformed("bare LF", i);
            }
            if (b[i] == '\r') {
                if (i + 1 == to) {
                    return null;
                }
                if (b[i + 1] != '\n') {
                    throw new Malformed("bare CR", i);
                }
                pos[0] = i + 2;
                return new String(b, start, i - start, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(String s) {
        return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 120); i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return s.length() > 120 ? out + "..." : out.toString();
    }
}
