package io.kerbgate.access;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a request names, checked and read the way backends read it, so that no spelling of a path reaches a backend
 * under a route other than the one it was matched to (issue #11).
 *
 * <p><b>Refused</b> ({@link Invalid}, a 400): a target that is not origin-form ({@code /...}), absolute-form with
 * scheme {@code http} or {@code https}, or {@code *} on {@code OPTIONS}; a fragment; a control character, space,
 * {@code \} or non-ASCII byte in the path; a malformed escape, an escape that decodes to invalid UTF-8 (overlong forms
 * included) or to a control character, and escaped {@code / \ ;} or a double escape ({@code %25} followed by two hex
 * digits): containers disagree about these; a dot segment spelled with escapes ({@code %2e%2e}) or with a path
 * parameter ({@code ..;}, {@code .;x}), which some containers resolve and others take as a name; {@code ..} above the
 * root. The authority: a {@code Host} or target authority with userinfo, an empty host, a bad port or a character
 * outside host names and IP literals; two {@code Host} headers; none on HTTP/1.1 (RFC 9112 §3.2).
 *
 * <p><b>Readings.</b> What is left can still be read in a few ways, and backends differ in which they use: path
 * parameters stripped per segment ({@code /a;x/b} is {@code /a/b}, as servlet containers do) or kept as part of the
 * segment (most other servers); escapes of unreserved characters decoded ({@code %61} is {@code a}) or kept (servers
 * that route on the raw path); empty segments collapsed (Tomcat) or kept; {@code .} and {@code ..} resolved
 * (RFC 3986 §5.2.4) or kept. {@link #readings()} lists every distinct path these choices give; {@link AccessRules}
 * also reads each as Windows does (without case, trailing dots and spaces of segments ignored) and refuses the request when the readings do not all fall under the same
 * route. {@link #path()} is the servlet reading: parameters stripped, escapes decoded, empty segments collapsed, dot
 * segments resolved.
 *
 * @param host       the host that names the route: from the absolute-form target, else {@code Host}; lower case,
 *                   without port or trailing dot; {@code null} when the request names none (HTTP/1.0 without Host)
 * @param authority  the {@code Host} to forward, {@code host[:port]} as above; {@code null} when there is none
 * @param path       the servlet reading of the path, starting with {@code /}; {@code /} for {@code OPTIONS *}
 * @param readings   every distinct reading of the path, {@code path} first
 * @param originForm the target to forward: the path and query exactly as sent, or {@code *}
 */
public record RequestTarget(@Nullable String host, @Nullable String authority, String path, List<String> readings,
                            String originForm) {

    /** Why a target is refused; the message says what was wrong, for the refusal log. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        public Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private static final int PARAMS_KEPT = 1;
    private static final int ESCAPES_KEPT = 2;
    private static final int EMPTY_KEPT = 4;
    private static final int DOTS_KEPT = 8;

    private static final String UNRESERVED_MARKS = "-._~";
    /** A segment shaped like a Windows 8.3 alias: one to six characters, {@code ~}, a digit. */
    private static final Pattern SHORT_NAME = Pattern.compile("^[^~]{1,6}~[0-9]");

    /** {@link #parse} of a {@code GET} with at most one {@code Host} that may be absent. */
    public static RequestTarget of(String uri, @Nullable String hostHeader) throws Invalid {
        return parse("GET", uri, hostHeader == null ? List.of() : List.of(hostHeader), false);
    }

    /**
     * @param method      the request method ({@code *} is for {@code OPTIONS} only)
     * @param uri         the request target as sent
     * @param hostHeaders every {@code Host} header line of the request
     * @param hostRequired the request is HTTP/1.1 or later, so it must carry exactly one {@code Host}
     */
    public static RequestTarget parse(String method, String uri, List<String> hostHeaders, boolean hostRequired)
            throws Invalid {
        if (hostHeaders.size() > 1) {
            throw new Invalid(hostHeaders.size() + " Host headers (RFC 9112 §3.2)");
        }
        if (hostRequired && hostHeaders.isEmpty()) {
            throw new Invalid("no Host header on HTTP/1.1 (RFC 9112 §3.2)");
        }
        Authority authority = hostHeaders.isEmpty() ? null : Authority.parse(hostHeaders.get(0), "Host");
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new Invalid("control, space or non-ASCII character " + hex(c) + " in the target");
            }
        }
        if (uri.indexOf('#') >= 0) {
            throw new Invalid("fragment in the target");
        }
        if (uri.equals("*")) {
            if (!method.equals("OPTIONS")) {
                throw new Invalid("target * on " + method + ": only OPTIONS may name the server");
            }
            return new RequestTarget(hostOf(authority), textOf(authority), "/", List.of("/"), "*");
        }
        String origin = uri;
        if (!uri.startsWith("/")) {
            int colon = uri.indexOf("://");
            String scheme = colon > 0 ? uri.substring(0, colon).toLowerCase(Locale.ROOT) : "";
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new Invalid(colon > 0 ? "absolute-form target with scheme " + scheme + ", not http or https"
                        : "target neither starts with / nor is absolute-form");
            }
            int start = colon + 3;
            int end = start;
            while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
                end++;
            }
            // RFC 9112 §3.2.2: the target's authority is the host, Host is replaced with it.
            authority = Authority.parse(uri.substring(start, end), "target authority");
            origin = end == uri.length() ? "/" : uri.charAt(end) == '?' ? "/" + uri.substring(end) : uri.substring(end);
        }
        int query = origin.indexOf('?');
        String rawPath = query < 0 ? origin : origin.substring(0, query);
        List<String> readings = readings(rawPath);
        return new RequestTarget(hostOf(authority), textOf(authority), readings.get(0), readings, origin);
    }

    /** True when {@code prefix} is this path or a segment-wise ancestor of it. */
    public boolean under(String prefix) {
        return under(path, prefix);
    }

    /**
     * True when {@code prefix} is {@code path} or a segment-wise ancestor of it; a prefix with a trailing slash also
     * covers the path without it ({@code /admin/} covers {@code /admin}), as a servlet at {@code /admin/*} serves both.
     */
    static boolean under(String path, String prefix) {
        if (!path.startsWith(prefix)) {
            return prefix.length() > 1 && prefix.endsWith("/") && path.length() == prefix.length() - 1
                    && prefix.startsWith(path);
        }
        return path.length() == prefix.length() || prefix.endsWith("/") || path.charAt(prefix.length()) == '/';
    }

    /**
     * A path as Windows and IIS read it: without case, and each segment without its trailing dots and spaces
     * ({@code /Admin. /x} is {@code /admin/x}). Dot segments stay as they are.
     */
    static String windowsReading(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.indexOf(". /") < 0 && lower.indexOf("./") < 0 && lower.indexOf(" /") < 0
                && !lower.endsWith(".") && !lower.endsWith(" ")) {
            return lower;
        }
        String[] segments = lower.split("/", -1);
        StringBuilder out = new StringBuilder(lower.length());
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            int end = s.length();
            if (!s.equals(".") && !s.equals("..")) {
                while (end > 0 && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == ' ')) {
                    end--;
                }
            }
            if (i > 0) {
                out.append('/');
            }
            out.append(s, 0, end);
        }
        return out.toString();
    }

    private static List<String> readings(String rawPath) throws Invalid {
        // Nearly every request: a path that every reading reads the same, so it is its only reading.
        return isPlain(rawPath) ? List.of(rawPath) : allReadings(rawPath);
    }

    /**
     * True for a path that every reading reads as itself: no escape, parameter, backslash, tilde (the 8.3 check),
     * empty segment inside, or dot segment. Then {@link #allReadings} would give exactly {@code [rawPath]}; the
     * shortcut skips its per-segment work on the request path, and a test holds the two together.
     */
    static boolean isPlain(String rawPath) {
        int n = rawPath.length();
        for (int i = 0; i < n; i++) {
            char c = rawPath.charAt(i);
            if (c == '%' || c == ';' || c == '\\' || c == '~') {
                return false;
            }
            if (c == '/' && i + 1 < n) {
                char next = rawPath.charAt(i + 1);
                if (next == '/') {
                    return false;
                }
                if (next == '.') {
                    // "/." or "/.." as a whole segment, at the end or before the next slash.
                    int end = i + 2 < n && rawPath.charAt(i + 2) == '.' ? i + 3 : i + 2;
                    if (end == n || rawPath.charAt(end) == '/') {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Every distinct reading of the path, the servlet reading first. */
    static List<String> allReadings(String rawPath) throws Invalid {
        String[] raw = rawPath.substring(1).split("/", -1);
        Segment[] segments = new Segment[raw.length];
        int varies = 0;
        for (int i = 0; i < raw.length; i++) {
            segments[i] = Segment.parse(raw[i]);
            varies |= segments[i].varies(i == raw.length - 1);
        }
        Set<String> readings = new LinkedHashSet<>();
        for (int flags = 0; flags <= (PARAMS_KEPT | ESCAPES_KEPT | EMPTY_KEPT | DOTS_KEPT); flags++) {
            if ((flags & ~varies) == 0) {
                readings.add(read(segments, flags));
            }
        }
        return List.copyOf(readings);
    }

    /** One reading of the path: RFC 3986 §5.2.4 remove_dot_segments over the segments as {@code flags} reads them. */
    private static String read(Segment[] segments, int flags) throws Invalid {
        List<String> out = new ArrayList<>(segments.length);
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i].text(flags);
            boolean last = i == segments.length - 1;
            trailingSlash = false;
            if ((flags & DOTS_KEPT) == 0 && (s.equals(".") || s.equals(".."))) {
                if (s.equals("..")) {
                    if (out.isEmpty()) {
                        throw new Invalid("dot segments climb above the root");
                    }
                    out.remove(out.size() - 1);
                }
                trailingSlash = true;
            } else if (s.isEmpty()) {
                if (last) {
                    trailingSlash = true;
                } else if ((flags & EMPTY_KEPT) != 0) {
                    out.add(s);
                }
            } else {
                out.add(s);
            }
        }
        StringBuilder path = new StringBuilder();
        for (String s : out) {
            path.append('/').append(s);
        }
        if (trailingSlash || path.length() == 0) {
            path.append('/');
        }
        return path.toString();
    }

    /** One raw segment: its name before the first {@code ;}, and the whole of it, each decoded two ways. */
    private record Segment(String name, String nameKept, String whole, String wholeKept, boolean hasParams,
                           boolean dot) {

        static Segment parse(String raw) throws Invalid {
            if (raw.indexOf('\\') >= 0) {
                throw new Invalid("backslash in the path");
            }
            int semi = raw.indexOf(';');
            String rawName = semi < 0 ? raw : raw.substring(0, semi);
            String name = decode(rawName, false);
            if (SHORT_NAME.matcher(name).find()) {
                // Windows answers for a long name under its 8.3 alias (ADMINI~1 for administration): no prefix
                // comparison can see that, so the shape is refused.
                throw new Invalid("a Windows 8.3 short name in the path: " + quote(raw));
            }
            boolean dot = name.equals(".") || name.equals("..");
            if (dot && !rawName.equals(name)) {
                throw new Invalid("dot segment spelled with escapes: " + quote(raw));
            }
            if (dot && semi >= 0) {
                throw new Invalid("path parameter on a dot segment: " + quote(raw));
            }
            String whole = semi < 0 ? name : decode(raw, false);
            return new Segment(name, decode(rawName, true), whole, semi < 0 ? null : decode(raw, true), semi >= 0,
                    dot);
        }

        /** The flags whose reading of this segment differs from the servlet reading. */
        int varies(boolean last) {
            int flags = 0;
            if (hasParams) {
                flags |= PARAMS_KEPT;
            }
            if (!name.equals(nameKept) || wholeKept != null && !whole.equals(wholeKept)) {
                flags |= ESCAPES_KEPT;
            }
            if (name.isEmpty() && (!last || hasParams)) {
                flags |= EMPTY_KEPT;
            }
            if (dot) {
                flags |= DOTS_KEPT;
            }
            return flags;
        }

        String text(int flags) {
            boolean kept = (flags & ESCAPES_KEPT) != 0;
            if ((flags & PARAMS_KEPT) != 0 && hasParams) {
                return kept ? wholeKept : whole;
            }
            return kept ? nameKept : name;
        }
    }

    /**
     * Percent-decodes strictly as UTF-8; with {@code keepUnreserved}, escapes of unreserved characters (RFC 3986
     * §2.3) stay as they are, upper-cased.
     */
    private static String decode(String raw, boolean keepUnreserved) throws Invalid {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        byte[] out = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                out[n++] = (byte) c;
                continue;
            }
            int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                throw new Invalid("malformed escape in the path: " + quote(raw));
            }
            int b = hi << 4 | lo;
            if (b < 0x20 || b == 0x7f) {
                throw new Invalid("escaped control character %" + hexByte(b) + " in the path");
            }
            if (b == '/' || b == '\\' || b == ';') {
                throw new Invalid("escaped '" + (char) b + "' in the path: containers disagree about it");
            }
            if (b == '%' && i + 4 < raw.length() && Character.digit(raw.charAt(i + 3), 16) >= 0
                    && Character.digit(raw.charAt(i + 4), 16) >= 0) {
                throw new Invalid("double escape %25" + raw.substring(i + 3, i + 5) + " in the path");
            }
            if (keepUnreserved && b < 0x80 && (Character.isLetterOrDigit(b) || UNRESERVED_MARKS.indexOf(b) >= 0)) {
                out[n++] = '%';
                out[n++] = (byte) Character.toUpperCase(raw.charAt(i + 1));
                out[n++] = (byte) Character.toUpperCase(raw.charAt(i + 2));
            } else {
                out[n++] = (byte) b;
            }
            i += 2;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n)).toString();
            for (int i = 0; i < text.length(); i++) {
                if (Character.isISOControl(text.charAt(i))) {
                    throw new Invalid("escaped control character " + hex(text.charAt(i)) + " in the path");
                }
            }
            return text;
        } catch (CharacterCodingException e) {
            throw new Invalid("escapes in the path are not UTF-8 (overlong or truncated): " + quote(raw));
        }
    }

    /**
     * {@code host [ ":" port ]} of RFC 9110 §7.2, restricted to what names a web server: a DNS name (letters, digits,
     * {@code - _ .}), an IPv4 address, or a bracketed IPv6 address without zone.
     */
    private record Authority(String host, @Nullable String port) {

        static Authority parse(String text, String what) throws Invalid {
            String t = text.strip().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                throw new Invalid("empty " + what);
            }
            if (t.indexOf('@') >= 0) {
                throw new Invalid("userinfo in the " + what + " (RFC 9110 §4.2.4)");
            }
            String host;
            String rest;
            if (t.startsWith("[")) {
                int close = t.indexOf(']');
                if (close < 0 || !isIpv6(t.substring(1, close))) {
                    throw new Invalid("bad IPv6 literal in the " + what + ": " + quote(text));
                }
                host = t.substring(0, close + 1);
                rest = t.substring(close + 1);
            } else {
                int colon = t.indexOf(':');
                host = colon < 0 ? t : t.substring(0, colon);
                rest = colon < 0 ? "" : t.substring(colon);
                if (host.endsWith(".")) {
                    host = host.substring(0, host.length() - 1);
                }
                if (!isHostName(host)) {
                    throw new Invalid("bad host name in the " + what + ": " + quote(text));
                }
            }
            String port = null;
            if (!rest.isEmpty()) {
                String digits = rest.substring(1);
                if (rest.charAt(0) != ':' || digits.length() > 5 || !allDigits(digits)
                        || !digits.isEmpty() && Integer.parseInt(digits) > 65535) {
                    throw new Invalid("bad port in the " + what + ": " + quote(text));
                }
                port = digits.isEmpty() ? null : Integer.toString(Integer.parseInt(digits));
            }
            return new Authority(host, port);
        }

        String text() {
            return port == null ? host : host + ':' + port;
        }

        private static boolean allDigits(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }

        /** Labels of 1 to 63 letters, digits, {@code -} or {@code _}, dot-separated, 253 characters in all. */
        private static boolean isHostName(String h) {
            if (h.isEmpty() || h.length() > 253) {
                return false;
            }
            int label = 0;
            for (int i = 0; i < h.length(); i++) {
                char c = h.charAt(i);
                if (c == '.') {
                    if (label == 0) {
                        return false;
                    }
                    label = 0;
                } else if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
                    if (++label > 63) {
                        return false;
                    }
                } else {
                    return false;
                }
            }
            return label > 0;
        }

        private static boolean isIpv6(String s) {
            if (s.isEmpty() || s.indexOf(':') < 0) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            return io.netty.util.NetUtil.isValidIpV6Address(s);
        }
    }

    private static @Nullable String hostOf(@Nullable Authority a) {
        return a == null ? null : a.host();
    }

    private static @Nullable String textOf(@Nullable Authority a) {
        return a == null ? null : a.text();
    }

    /** Quoted, and clipped: the text comes from the client and goes to the refusal log. */
    private static String quote(String s) {
        return '"' + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + '"';
    }

    private static String hex(char c) {
        return String.format("U+%04X", (int) c);
    }

    private static String hexByte(int b) {
        return String.format("%02X", b);
    }
}
