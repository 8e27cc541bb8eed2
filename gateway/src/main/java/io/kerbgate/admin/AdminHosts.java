package io.kerbgate.admin;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Host} values the admin listener answers, against DNS rebinding: a page on {@code evil.example} whose
 * name is made to resolve to 127.0.0.1 can have the victim's browser send {@code GET /config} to the admin port
 * as a same-origin request, and read the answer. The browser sends {@code Host: evil.example}; the listener answers
 * only:
 *
 * <ul>
 *   <li>an IP literal ({@code 127.0.0.1:9090}, {@code [::1]:9090}): a page can only be same-origin with one by
 *       being served from it;</li>
 *   <li>{@code localhost};</li>
 *   <li>this machine's name, as {@link InetAddress#getLocalHost()} gives it (short and canonical);</li>
 *   <li>the names in {@code admin.allowed_hosts} (a Prometheus target or probe that uses a DNS name);</li>
 *   <li>no {@code Host} at all (HTTP/1.0 tools; a browser always sends one).</li>
 * </ul>
 * Names compare ignoring ASCII case and one trailing dot; a port, when present, is ignored.
 */
final class AdminHosts {

    private final Set<String> names;

    private AdminHosts(Set<String> names) {
        this.names = Set.copyOf(names);
    }

    static AdminHosts of(List<String> allowedHosts) {
        Set<String> names = new HashSet<>();
        names.add("localhost");
        try {
            InetAddress self = InetAddress.getLocalHost();
            names.add(normalize(self.getHostName()));
            names.add(normalize(self.getCanonicalHostName()));
        } catch (UnknownHostException e) {
            // No resolvable name of its own: IP literals, localhost and allowed_hosts still work.
        }
        allowedHosts.forEach(h -> names.add(normalize(h)));
        return new AdminHosts(names);
    }

    boolean allows(@Nullable String host) {
        if (host == null) {
            return true;
        }
        String name = hostPart(host.strip());
        if (name == null) {
            return false;
        }
        if (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name)) {
            return true;
        }
        return names.contains(normalize(name));
    }

    /** The host of {@code host[:port]} or {@code [v6][:port]}, brackets removed; {@code null} when malformed. */
    private static @Nullable String hostPart(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0 || (close + 1 < host.length() && !isPort(host.substring(close + 1)))) {
                return null;
            }
            return host.substring(1, close);
        }
        int colon = host.indexOf(':');
        if (colon >= 0) {
            return isPort(host.substring(colon)) ? host.substring(0, colon) : null;
        }
        return host;
    }

    private static boolean isPort(String colonPort) {
        return colonPort.length() > 1 && colonPort.length() <= 6 && colonPort.charAt(0) == ':'
                && colonPort.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
