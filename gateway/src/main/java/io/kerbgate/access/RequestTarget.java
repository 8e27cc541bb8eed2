package io.kerbgate.access;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The host and path a request names, normalized the way backends read them, so that no spelling of a path reaches
 * a backend under a route other than the one it was matched to: {@code /x/../admin/}, {@code /%61dmin/} and
 * {@code //admin/} are all matched as {@code /admin/}.
 *
 * <p>Normalization: the query and fragment are cut off; percent-escapes are decoded (UTF-8); {@code \} counts as
 * {@code /}; empty segments collapse; {@code .} and {@code ..} segments are removed (RFC 3986 §5.2.4). The target is
 * <em>plain</em> when none of that changed the structure of the path: no dot segments, no doubled slashes, no
 * backslashes and no escaped {@code / . \ %}. Only plain targets may take an anonymous route: a backend that decodes
 * differently from the gateway must not be able to see a protected path in what passed as a health check.
 *
 * @param host  the host from the absolute-form target or else the {@code Host} header, lower case, without port or
 *              trailing dot; {@code null} when the request names none
 * @param path  the normalized path, starting with {@code /}; {@code *} for {@code OPTIONS *}
 * @param plain whether the raw path was already in normal form (see above)
 */
public record RequestTarget(@Nullable String host, String path, boolean plain) {

    /**
     * @param uri        the request target as sent: origin-form {@code /a/b?q}, absolute-form
     *                   {@code http://host/a}, or {@code *}
     * @param hostHeader the {@code Host} header, or {@code null}
     */
    public static RequestTarget of(String uri, @Nullable String hostHeader) {
        String host = hostHeader;
        String rawPath = uri;
        int scheme = uri.indexOf("://");
        if (scheme > 0 && !uri.startsWith("/")) {
            // RFC 9112 §3.2.2: in absolute-form, the target's authority is the host; Host is ignored.
            int start = scheme + 3;
            int end = start;
            while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
                end++;
            }
            String authority = uri.substring(start, end);
            int at = authority.lastIndexOf('@');
            host = at >= 0 ? authority.substring(at + 1) : authority;
            rawPath = end < uri.length() && uri.charAt(end) == '/' ? uri.substring(end) : "/";
        }
        if (rawPath.equals("*")) {
            return new RequestTarget(hostName(host), "*", true);
        }
        int cut = indexOfAny(rawPath, '?', '#');
        if (cut >= 0) {
            rawPath = rawPath.substring(0, cut);
        }
        if (!rawPath.startsWith("/")) {
            rawPath = "/" + rawPath;
        }
        boolean plain = isPlain(rawPath);
        // The common case costs no copy: a plain path without escapes is already normal.
        String path = plain && rawPath.indexOf('%') < 0 ? rawPath : normalize(decode(rawPath).replace('\\', '/'));
        return new RequestTarget(hostName(host), path, plain);
    }

    /** True when {@code prefix} is this path or a segment-wise ancestor of it. */
    public boolean under(String prefix) {
        if (!path.startsWith(prefix)) {
            return false;
        }
        return path.length() == prefix.length() || prefix.endsWith("/") || path.charAt(prefix.length()) == '/';
    }

    private static boolean isPlain(String raw) {
        String lower = raw.toLowerCase(Locale.ROOT);
        return !(lower.contains("//") || lower.contains("\\") || lower.contains("%2f") || lower.contains("%2e")
                || lower.contains("%5c") || lower.contains("%25") || lower.contains("/./") || lower.contains("/../")
                || lower.endsWith("/.") || lower.endsWith("/.."));
    }

    private static @Nullable String hostName(@Nullable String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(0, close + 1);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** Percent-decodes as UTF-8; a malformed escape stays as it is. */
    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int hi = i + 2 < bytes.length && bytes[i] == '%' ? Character.digit(bytes[i + 1], 16) : -1;
            int lo = hi >= 0 ? Character.digit(bytes[i + 2], 16) : -1;
            if (lo >= 0) {
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** RFC 3986 §5.2.4 remove_dot_segments, with empty segments collapsed; the trailing slash is kept. */
    private static String normalize(String path) {
        Deque<String> segments = new ArrayDeque<>();
        String[] parts = path.split("/", -1);
        for (int i = 1; i < parts.length; i++) {
            String s = parts[i];
            if (s.equals("..")) {
                segments.pollLast();
            } else if (!s.isEmpty() && !s.equals(".")) {
                segments.addLast(s);
            }
        }
        String last = parts[parts.length - 1];
        boolean trailingSlash = parts.length > 1 && (last.isEmpty() || last.equals(".") || last.equals(".."));
        StringBuilder out = new StringBuilder(path.length());
        for (String s : segments) {
            out.append('/').append(s);
        }
        if (trailingSlash || out.length() == 0) {
            out.append('/');
        }
        return out.toString();
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }
}
