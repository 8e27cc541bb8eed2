package io.kerbgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.kerbgate.keys.SecretFiles;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Converters from YAML scalars to typed values, and back. Each converter takes the key path so that every failure
 * is a {@link ConfigException} naming it; none of them trusts the YAML type (a port written as a number, a size
 * written as a string) without checking.
 */
final class ConfigValues {

    static final String DURATION_FIX = "use a form like 5m, 300s or 10h5m";
    static final String SIZE_FIX = "use bytes or binary units, e.g. 98304, 96KiB or 1MiB";

    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|KiB|MiB)?");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    // RFC 9110 §5.6.2 tchar
    private static final Pattern HTTP_TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final Pattern PRINCIPAL = Pattern.compile("[^/@\\s]+(/[^/@\\s]+)?@[^/@\\s]+");
    private static final Pattern REALM = Pattern.compile("[^/@\\s]+");

    // Headers a proxy consumes or rewrites itself (RFC 9110 §7.6.1 hop-by-hop, plus framing and routing headers):
    // an identity carried in one of them would be dropped, or would change how the request is framed or routed.
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "authorization", "host", "content-length");

    private ConfigValues() {}

    static String text(String key, JsonNode node, String fix) throws ConfigException {
        if (!node.isTextual() || node.textValue().isBlank()) {
            throw new ConfigException(key, describe(node) + " is not a non-empty string", fix);
        }
        return node.textValue().strip();
    }

    static boolean bool(String key, JsonNode node) throws ConfigException {
        if (!node.isBoolean()) {
            throw new ConfigException(key, describe(node) + " is not true or false", "write true or false, unquoted");
        }
        return node.booleanValue();
    }

    static int integer(String key, JsonNode node, int min, int max) throws ConfigException {
        String fix = "use a whole number from " + min + " to " + max;
        if (!node.isIntegralNumber()) {
            throw new ConfigException(key, describe(node) + " is not a whole number", fix);
        }
        if (!node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw new ConfigException(key, node.asText() + " is out of range", fix);
        }
        return node.intValue();
    }

    /** Reads a duration in the {@link Durations} grammar. */
    static Duration duration(String key, JsonNode node) throws ConfigException {
        if (node.isNumber()) {
            throw new ConfigException(key, node.asText() + " has no unit", "write " + node.asText() + "s for seconds; "
                    + DURATION_FIX);
        }
        if (node.isTextual()) {
            try {
                return Durations.parse(node.textValue());
            } catch (IllegalArgumentException e) {
                // refused below, as a node of another type is
            }
        }
        throw new ConfigException(key, describe(node) + " is not a duration", DURATION_FIX);
    }

    static String formatDuration(Duration duration) {
        return Durations.format(duration);
    }

    /** Parses a byte count: {@code 98304}, {@code 96KiB}, {@code 1MiB}. */
    static long byteSize(String key, JsonNode node) throws ConfigException {
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return node.longValue();
        }
        Matcher size = node.isTextual() ? SIZE.matcher(node.textValue().strip()) : null;
        if (size == null || !size.matches()) {
            throw new ConfigException(key, describe(node) + " is not a size", SIZE_FIX);
        }
        long count = Long.parseLong(size.group(1));
        String unit = size.group(2) == null ? "B" : size.group(2);
        return switch (unit) {
            case "KiB" -> count * 1024;
            case "MiB" -> count * 1024 * 1024;
            default -> count;
        };
    }

    static String formatSize(long bytes) {
        if (bytes > 0 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "MiB";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "KiB";
        }
        return Long.toString(bytes);
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}. A host name is resolved now, so that a typo fails the start
     * rather than the bind.
     */
    static InetSocketAddress address(String key, JsonNode node) throws ConfigException {
        String fix = "write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or \"[::1]:8080\" (quoted)";
        if (node.isNumber()) {
            throw new ConfigException(key, node.asText() + " has no host", fix);
        }
        String text = text(key, node, fix);
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key, quote(text) + " has no port", fix);
        }
        String host = text.substring(0, colon);
        String port = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new ConfigException(key, quote(text) + " is an IPv6 address without brackets", fix);
        }
        if (host.isEmpty()) {
            throw new ConfigException(key, quote(text) + " has no host", fix);
        }
        if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65_535) {
            throw new ConfigException(key, quote(port) + " is not a port (0-65535)", fix);
        }
        InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(port));
        if (address.isUnresolved()) {
            throw new ConfigException(key, "host " + quote(host) + " does not resolve", fix);
        }
        return address;
    }

    static String formatAddress(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        // NetUtil writes IPv6 in the RFC 5952 short form (::1), not Java's 0:0:0:0:0:0:0:1.
        String host = ip == null ? address.getHostString() : NetUtil.toAddressString(ip);
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Parses a backend base URL and returns it as {@code http://host:port} or {@code https://host:port}, the port made
     * explicit.
     */
    static URI backend(String key, JsonNode node) throws ConfigException {
        String fix = "write http://host:port or https://host:port, e.g. http://127.0.0.1:9001";
        String text = text(key, node, fix);
        if (!text.contains("://")) {
            throw new ConfigException(key, quote(text) + " has no scheme", fix);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(key, quote(text) + " is not a URL (" + e.getReason() + ")", fix);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ConfigException(key, quote(text) + " is not an http:// or https:// URL", fix);
        }
        if (uri.getHost() == null) {
            throw new ConfigException(key, quote(text) + " has no host", fix);
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
            throw new ConfigException(key, quote(text) + " has more than scheme, host and port",
                    "remove the path, query or user part: kerbgate forwards each request's path as it is");
        }
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        try {
            return new URI(scheme, null, uri.getHost(), port, null, null, null);
        } catch (URISyntaxException e) {
            throw new ConfigException(key, quote(text) + " is not a URL (" + e.getReason() + ")", fix);
        }
    }

    /** A DNS host name without port, lower-cased: what a client may send in {@code Host}. */
    static String hostName(String key, JsonNode node) throws ConfigException {
        String fix = "write the name alone, without scheme or port, e.g. kerbgate-1.example.test";
        String name = text(key, node, fix);
        if (!HOST_NAME.matcher(name).matches()) {
            throw new ConfigException(key, quote(name) + " is not a host name", fix);
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static final Pattern HOST_NAME =
            Pattern.compile("(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\\.?");

    static String headerName(String key, JsonNode node) throws ConfigException {
        String fix = "use a header of its own such as X-Remote-User";
        String name = text(key, node, fix);
        if (!HTTP_TOKEN.matcher(name).matches()) {
            throw new ConfigException(key, quote(name) + " is not a valid HTTP header name", fix);
        }
        if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new ConfigException(key, quote(name) + " is a header the proxy consumes or rewrites itself", fix);
        }
        return name;
    }

    /**
     * What is wrong with a {@link java.util.regex.Matcher#replaceFirst} replacement for a pattern with {@code groups}
     * groups, or {@code null}: group references are {@code $1}..{@code $9} (one digit, then more while the number
     * stays a group, as the JDK reads them); a backslash escapes the next character; named groups are not supported.
     */
    static @Nullable String replacementProblem(String replacement, int groups) {
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "holds a control character, which cannot go into a header";
            }
            if (c == '\\') {
                if (++i == replacement.length()) {
                    return "ends with a lone \\";
                }
            } else if (c == '$') {
                int group = i + 1 < replacement.length() ? replacement.charAt(i + 1) - '0' : -1;
                if (group < 0 || group > 9) {
                    return "has a $ that is not followed by a group number";
                }
                if (group > groups) {
                    return "refers to group " + group + " but match has " + groups;
                }
            }
        }
        return null;
    }

    static String principal(String key, JsonNode node) throws ConfigException {
        String fix = "write name[/instance]@REALM, e.g. HTTP/array.example.test@ARRAY.TEST";
        String principal = text(key, node, fix);
        if (!PRINCIPAL.matcher(principal).matches()) {
            throw new ConfigException(key, quote(principal) + " is not a Kerberos principal", fix);
        }
        return principal;
    }

    /** A client principal as the acceptor reports it, {@code name[/instance]@REALM}. */
    static String clientPrincipal(String key, JsonNode node) throws ConfigException {
        String fix = "write name[/instance]@REALM, e.g. keyadmin@ARRAY.TEST";
        String principal = text(key, node, fix);
        if (!PRINCIPAL.matcher(principal).matches()) {
            throw new ConfigException(key, quote(principal) + " is not a Kerberos principal", fix);
        }
        return principal;
    }

    static String realm(String key, JsonNode node) throws ConfigException {
        String fix = "write the realm alone, e.g. EXAMPLE.COM";
        String realm = text(key, node, fix);
        if (!REALM.matcher(realm).matches()) {
            throw new ConfigException(key, quote(realm) + " is not a realm name", fix);
        }
        return realm;
    }

    /**
     * Refuses a secret file that others may read or change ({@link SecretFiles}): the same rule for the keytab and
     * every other key or password file, at check-config, at start and at reload.
     */
    static void requirePrivate(String key, Path path) throws ConfigException {
        String exposure;
        try {
            exposure = SecretFiles.exposure(path);
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")",
                    "let the user that runs kerbgate read it, and nobody else", e);
        }
        if (exposure != null) {
            throw new ConfigException(key, exposure, SecretFiles.fix(path));
        }
    }

    /** The node as the message shows it: strings quoted, collections named by kind. */
    static String describe(JsonNode node) {
        if (node.isTextual()) {
            return quote(node.textValue());
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        return node.asText();
    }

    static String quote(String text) {
        String shown = text.length() > 80 ? text.substring(0, 77) + "..." : text;
        return '"' + shown + '"';
    }
}
