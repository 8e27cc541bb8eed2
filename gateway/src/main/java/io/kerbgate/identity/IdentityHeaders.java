package io.kerbgate.identity;

import io.kerbgate.config.GatewayConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Rewrites the headers of an authenticated request before it goes to a backend. Backends trust the identity header
 * blindly, so the gateway must be its only source:
 *
 * <ul>
 *   <li>every client-supplied copy of the identity header is removed, in any case and any count, and so are look-alikes
 *       that differ only in {@code _} for {@code -} (CGI, PHP and some frameworks map both to {@code HTTP_X_REMOTE_USER});
 *       then the header is set once to the authenticated principal, as {@link PrincipalMapper} maps it (not at all
 *       on an anonymous route);
 *   <li>with {@code identity.groups_header}, the same for that header, then set to the verified PAC's group SIDs
 *       (absent when there are none);
 *   <li>with {@code identity.group_names_header}, the same for that header, then set to the names of those groups
 *       when {@link GroupNames} has them all cached (absent otherwise: a lookup never holds up a request);
 *   <li>the same goes for the assertion header ({@code X-Kerbgate-Assertion}), whether or not assertions are on:
 *       with them on, it is set to a fresh {@link IdentityAssertion} of the forwarded name;
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
    private final @Nullable AsciiString groupsHeader;
    private final AsciiString assertionHeader;
    private final Set<String> normalizedHeaders;
    private final PrincipalMapper mapper;
    private final @Nullable IdentityAssertion assertion;
    private final @Nullable AsciiString groupNamesHeader;
    private final @Nullable GroupNames groupNames;

    /** @param header the identity header, {@code identity.header} of the configuration (e.g. {@code X-Remote-User}) */
    public IdentityHeaders(String header) {
        this(header, null);
    }

    /**
     * @param groupsHeader {@code identity.groups_header}: carries the verified PAC's group SIDs, comma-separated; it is
     *                     stripped from client requests like the identity header, and absent when there are no groups
     */
    public IdentityHeaders(String header, @Nullable String groupsHeader) {
        this(header, groupsHeader, GatewayConfig.Assertion.DEFAULT_HEADER, PrincipalMapper.UNCHANGED, null);
    }

    /**
     * @param assertionHeader the header of {@code assertion}; client copies are removed even when it is {@code null}
     * @param assertion       signs the forwarded name, or {@code null} for no assertion
     */
    public IdentityHeaders(String header, String assertionHeader, PrincipalMapper mapper,
                           @Nullable IdentityAssertion assertion) {
        this(header, null, assertionHeader, mapper, assertion);
    }

    /**
     * @param header          the identity header
     * @param groupsHeader    the groups header, or {@code null} for none
     * @param assertionHeader the header of {@code assertion}; client copies are removed even when it is {@code null}
     * @param mapper          maps the principal to the forwarded name
     * @param assertion       signs the forwarded name, or {@code null} for no assertion
     */
    public IdentityHeaders(String header, @Nullable String groupsHeader, String assertionHeader,
                           PrincipalMapper mapper, @Nullable IdentityAssertion assertion) {
        this(header, groupsHeader, assertionHeader, mapper, assertion, null, null);
    }

    /**
     * As {@link #IdentityHeaders(String, String, String, PrincipalMapper, IdentityAssertion)}, with the names of the
     * groups.
     *
     * @param groupNamesHeader the header of the groups' names, or {@code null} for none
     * @param groupNames       where the names come from; needed with {@code groupNamesHeader}
     */
    public IdentityHeaders(String header, @Nullable String groupsHeader, String assertionHeader,
                           PrincipalMapper mapper, @Nullable IdentityAssertion assertion,
                           @Nullable String groupNamesHeader, @Nullable GroupNames groupNames) {
        if (groupNamesHeader != null && groupNames == null) {
            throw new IllegalArgumentException("identity.group_names_header needs identity.group_names");
        }
        if (groupNamesHeader != null && (normalize(groupNamesHeader).equals(normalize(header))
                || groupsHeader != null && normalize(groupNamesHeader).equals(normalize(groupsHeader))
                || normalize(groupNamesHeader).equals(normalize(assertionHeader)))) {
            throw new IllegalArgumentException(
                    "identity.group_names_header must differ from the other identity headers: " + groupNamesHeader);
        }
        this.groupNamesHeader = groupNamesHeader == null
                ? null : headerName("identity.group_names_header", groupNamesHeader);
        this.groupNames = groupNamesHeader == null ? null : groupNames;
        this.header = headerName("identity.header", header);
        this.groupsHeader = groupsHeader == null ? null : headerName("identity.groups_header", groupsHeader);
        this.assertionHeader = headerName("identity.assertion.header", assertionHeader);
        if (normalize(header).equals(normalize(assertionHeader))) {
            throw new IllegalArgumentException("identity.assertion.header must differ from identity.header: " + header);
        }
        if (groupsHeader != null && normalize(groupsHeader).equals(normalize(header))) {
            throw new IllegalArgumentException("identity.groups_header must differ from identity.header: " + header);
        }
        if (groupsHeader != null && normalize(groupsHeader).equals(normalize(assertionHeader))) {
            throw new IllegalArgumentException(
                    "identity.assertion.header must differ from identity.groups_header: " + groupsHeader);
        }
        Set<String> normalized = new java.util.HashSet<>();
        normalized.add(normalize(header));
        normalized.add(normalize(assertionHeader));
        if (groupsHeader != null) {
            normalized.add(normalize(groupsHeader));
        }
        if (groupNamesHeader != null) {
            normalized.add(normalize(groupNamesHeader));
        }
        this.normalizedHeaders = Set.copyOf(normalized);
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.assertion = assertion;
    }

    /**
     * The headers of {@code identity}: its groups header, its mapping rules, and its assertion with the key read from
     * its key file.
     *
     * @throws IllegalArgumentException naming the key when the assertion key cannot be read
     */
    public static IdentityHeaders of(GatewayConfig.Identity identity, Clock clock) {
        return of(identity, clock, Set::of);
    }

    /**
     * As {@link #of(GatewayConfig.Identity, Clock)}, with the keytab's principals now, whose realms are the local
     * realms when {@code identity.local_realms} is not set (see {@link PrincipalMapper}).
     */
    public static IdentityHeaders of(GatewayConfig.Identity identity, Clock clock,
                                     Supplier<? extends Collection<String>> keytabPrincipals) {
        GatewayConfig.Assertion config = identity.assertion();
        GroupNames names = identity.groupNamesHeader() == null || identity.groupNames() == null
                ? null : GroupNames.of(identity.groupNames());
        return new IdentityHeaders(identity.header(), identity.groupsHeader(),
                config == null ? GatewayConfig.Assertion.DEFAULT_HEADER : config.header(),
                PrincipalMapper.of(identity, keytabPrincipals), config == null ? null : IdentityAssertion.load(config, clock),
                identity.groupNamesHeader(), names);
    }

    private static AsciiString headerName(String key, String name) {
        Objects.requireNonNull(name, key);
        if (name.isEmpty() || !name.chars().allMatch(IdentityHeaders::isTokenChar)) {
            throw new IllegalArgumentException(key + " is not a valid header name: '" + name + "'");
        }
        return AsciiString.cached(name);
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
     * @throws IllegalArgumentException if the principal, as mapped, is empty or contains control characters (it could
     *                                  split the header)
     */
    public void forward(HttpHeaders headers, @Nullable String principal, InetAddress client, String proto) {
        forward(headers, principal, List.of(), client, proto);
    }

    /** As {@link #forward(HttpHeaders, String, InetAddress, String)}, with the PAC's group SIDs when configured. */
    public void forward(HttpHeaders headers, @Nullable String principal, List<String> groupSids, InetAddress client,
            String proto) {
        String name = mapped(principal);
        removeClientCopies(headers);
        identify(headers, name, groupSids);
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

    /**
     * The identity headers alone, as {@link #forward} sets them, on {@code headers} that hold none yet: the answer of
     * forward-auth mode, whose proxy copies them into the request it forwards. Every configured header is there, empty
     * when it has nothing to say (an anonymous route, no groups, no names cached): a proxy that copies a header only
     * when the answer has it (Envoy's {@code allowed_upstream_headers}, Caddy's {@code copy_headers}) would otherwise
     * leave the client's own copy in the request, or, Caddy 2.6, its placeholder's text.
     *
     * @param principal the authenticated client, or {@code null} for none
     * @throws IllegalArgumentException as {@link #forward} does
     */
    public void answer(HttpHeaders headers, @Nullable String principal, List<String> groupSids) {
        headers.set(header, "");
        if (groupsHeader != null) {
            headers.set(groupsHeader, "");
        }
        if (groupNamesHeader != null) {
            headers.set(groupNamesHeader, "");
        }
        if (assertion != null) {
            headers.set(assertionHeader, "");
        }
        identify(headers, mapped(principal), groupSids);
    }

    private @Nullable String mapped(@Nullable String principal) {
        String name = principal == null ? null : mapper.map(principal);
        if (name != null && (name.isEmpty() || hasControl(name))) {
            throw new IllegalArgumentException("principal is not a valid header value: " + name.length() + " chars");
        }
        return name;
    }

    private void identify(HttpHeaders headers, @Nullable String name, List<String> groupSids) {
        if (name != null) {
            // As UTF-8 octets: a String value is written one char per octet, which turns every character above U+00FF
            // into '?' and so gives łukasz and śukasz one name.
            headers.set(header, headerValue(name));
            if (assertion != null) {
                headers.set(assertionHeader, headerValue(assertion.create(name)));
            }
        }
        if (groupsHeader != null && !groupSids.isEmpty()) {
            // SIDs are S-1-... of digits and dashes: nothing in them can split or fold the header.
            headers.set(groupsHeader, String.join(",", groupSids));
        }
        if (groupNamesHeader != null && !groupSids.isEmpty()) {
            List<String> names = groupNames.cachedNames(groupSids);
            if (names != null && !names.isEmpty()) {
                // GroupNames percent-encodes anything that could split or fold the header.
                headers.set(groupNamesHeader, String.join(",", names));
            }
        }
    }

    /** {@code name} as the UTF-8 octets of a header value. */
    static AsciiString headerValue(String name) {
        return new AsciiString(name.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Removes every header that a backend could read as the identity, groups or assertion header. */
    public void removeClientCopies(HttpHeaders headers) {
        headers.remove(header);
        if (groupsHeader != null) {
            headers.remove(groupsHeader);
        }
        if (groupNamesHeader != null) {
            headers.remove(groupNamesHeader);
        }
        headers.remove(assertionHeader);
        List<CharSequence> lookAlikes = null;
        // Names as the headers hold them, not as Strings: this runs over every header of every request.
        Iterator<Map.Entry<CharSequence, CharSequence>> names = headers.iteratorCharSequence();
        while (names.hasNext()) {
            CharSequence name = names.next().getKey();
            if (isLookAlike(name)) {
                if (lookAlikes == null) {
                    lookAlikes = new ArrayList<>(1);
                }
                lookAlikes.add(name);
            }
        }
        if (lookAlikes != null) {
            lookAlikes.forEach(headers::remove);
        }
    }

    private static String normalize(String name) {
        return name.replace('_', '-').toLowerCase(Locale.ROOT);
    }

    /**
     * {@code normalizedHeaders.contains(normalize(name))}, without building the normalized name when the name is ASCII
     * (as a decoded header name always is); anything else takes the exact path, whose Unicode case folding maps some
     * non-ASCII letters onto ASCII ones.
     */
    private boolean isLookAlike(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                return normalizedHeaders.contains(normalize(name.toString()));
            }
        }
        for (String target : normalizedHeaders) {
            if (target.length() == name.length() && asciiNormalizedEquals(name, target)) {
                return true;
            }
        }
        return false;
    }

    private static boolean asciiNormalizedEquals(CharSequence name, String normalized) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            char n = c == '_' ? '-' : c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
            if (n != normalized.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControl(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
