package io.kerbgate.identity;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Rewrites the headers of an authenticated request before it goes to a backend. Backends trust the identity header
 * blindly, so the gateway must be its only source:
 *
 * <ul>
 *   <li>every client-supplied copy of the identity header is removed, in any case and any count, and so are look-alikes
 *       that differ only in {@code _} for {@code -} (CGI, PHP and some frameworks map both to {@code HTTP_X_REMOTE_USER});
 *       then the header is set once to the authenticated principal;
 *   <li>with {@code identity.groups_header}, the same for that header, then set to the verified PAC's group SIDs
 *       (absent when there are none);
 *   <li>{@code Authorization} is removed: the backend (and its access logs) must not see the ticket, a credential that
 *       another node of the array would accept until its replay cache has seen it;
 *   <li>{@code X-Forwarded-For} gets the client's socket address appended; {@code X-Forwarded-Proto} and
 *       {@code X-Forwarded-Host} are set, replacing client values.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class IdentityHeaders {

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

    private final AsciiString header;
    private final String normalizedHeader;
    private final @Nullable IdentityHeaders groups;

    /** @param header the identity header, {@code identity.header} of the configuration (e.g. {@code X-Remote-User}) */
    public IdentityHeaders(String header) {
        this(header, null);
    }

    /**
     * @param groupsHeader {@code identity.groups_header}: carries the verified PAC's group SIDs, comma-separated; it is
     *                     stripped from client requests like the identity header, and absent when there are no groups
     */
    public IdentityHeaders(String header, @Nullable String groupsHeader) {
        Objects.requireNonNull(header, "header");
        if (header.isEmpty() || !header.chars().allMatch(IdentityHeaders::isTokenChar)) {
            throw new IllegalArgumentException("identity.header is not a valid header name: '" + header + "'");
        }
        this.header = AsciiString.cached(header);
        this.normalizedHeader = normalize(header);
        this.groups = groupsHeader == null ? null : new IdentityHeaders(groupsHeader, null);
    }

    public String header() {
        return header.toString();
    }

    /**
     * Prepares {@code headers} of an authenticated request for the backend.
     *
     * @param principal the authenticated client, {@code name@REALM}; {@code null} for a request on an anonymous
     *                  route, which gets no identity header (client copies are still removed)
     * @param client    the client's address on the socket
     * @param proto     the scheme the client used ({@code http} or {@code https})
     * @throws IllegalArgumentException if the principal contains control characters (it could split the header)
     */
    public void forward(HttpHeaders headers, @Nullable String principal, InetAddress client, String proto) {
        forward(headers, principal, List.of(), client, proto);
    }

    /** As {@link #forward(HttpHeaders, String, InetAddress, String)}, with the PAC's group SIDs when configured. */
    public void forward(HttpHeaders headers, @Nullable String principal, List<String> groupSids, InetAddress client,
            String proto) {
        if (principal != null && (principal.isEmpty() || principal.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
            throw new IllegalArgumentException("principal is not a valid header value: " + principal.length() + " chars");
        }
        removeClientCopies(headers);
        if (principal != null) {
            headers.set(header, principal);
        }
        if (groups != null && !groupSids.isEmpty()) {
            // SIDs are S-1-... of digits and dashes: nothing in them can split or fold the header.
            headers.set(groups.header, String.join(",", groupSids));
        }
        headers.remove(HttpHeaderNames.AUTHORIZATION);

        List<String> chain = headers.getAll(X_FORWARDED_FOR);
        String address = client.getHostAddress();
        headers.set(X_FORWARDED_FOR, chain.isEmpty() ? address : String.join(", ", chain) + ", " + address);
        headers.set(X_FORWARDED_PROTO, proto);
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null) {
            headers.remove(X_FORWARDED_HOST);
        } else {
            headers.set(X_FORWARDED_HOST, host);
        }
    }

    /** Removes every header that a backend could read as the identity header. */
    public void removeClientCopies(HttpHeaders headers) {
        if (groups != null) {
            groups.removeClientCopies(headers);
        }
        headers.remove(header);
        List<String> lookAlikes = null;
        for (Map.Entry<String, String> entry : headers) {
            if (normalize(entry.getKey()).equals(normalizedHeader)) {
                if (lookAlikes == null) {
                    lookAlikes = new ArrayList<>(1);
                }
                lookAlikes.add(entry.getKey());
            }
        }
        if (lookAlikes != null) {
            lookAlikes.forEach(headers::remove);
        }
    }

    private static String normalize(String name) {
        return name.replace('_', '-').toLowerCase(Locale.ROOT);
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
