package io.kerbgate.acceptor;

import java.util.List;
import java.util.Objects;

/**
 * Reads the GSS token out of an {@code Authorization: Negotiate <base64>} value (RFC 4559 §4.2).
 *
 * <p>Grammar (RFC 7235 §2.1, §4.2): {@code credentials = auth-scheme [ 1*SP token68 ]}. The scheme is compared
 * case-insensitively in ASCII only, so {@code NEGOTİATE} with a Turkish dotted capital I (which {@link
 * String#equalsIgnoreCase} folds to {@code i}) is another scheme. Several spaces before the token are allowed, as
 * {@code 1*SP} says; spaces and tabs around the whole value are the field's optional whitespace (RFC 7230 §3.2.4)
 * and are ignored. Exactly one token follows, in strict base64 ({@link StrictBase64}).
 *
 * <p>The length is checked before anything is decoded (checklist item 2), so the cost of a request is bounded by
 * the limit, not by what the client sends.
 */
public final class NegotiateHeader {
    private static final String NEGOTIATE = "Negotiate";
    private static final String NTLM = "NTLM";
    /** {@code "NTLMSS"}, the first six octets of the NTLMSSP signature, in base64: Windows' NTLM fallback. */
    private static final String NTLMSSP_BASE64_PREFIX = "TlRMTVNT";
    /**
     * The schemes of the IANA HTTP Authentication Scheme Registry, and the unregistered ones clients commonly send:
     * the only scheme names the refusal log repeats.
     */
    private static final List<String> KNOWN_SCHEMES = List.of("Basic", "Bearer", "Concealed", "Digest", "DPoP",
            "GNAP", "HOBA", "Mutual", "OAuth", "PrivateToken", "SCRAM-SHA-1", "SCRAM-SHA-256", "vapid", "Kerberos",
            "AWS4-HMAC-SHA256", "Token", "ApiKey", "MAC", "Hawk");

    private NegotiateHeader() {}

    /**
     * @param authorizationValue the whole header value, e.g. {@code "Negotiate YIIC..."}
     * @param maxTokenBytes      the largest decoded token accepted, positive
     * @return the decoded GSS token, never empty
     * @throws Refusal {@code OTHER_SCHEME} for any scheme but Negotiate and NTLM; {@code NTLM} for the NTLM scheme
     *                 or an NTLMSSP message sent as Negotiate; {@code TOO_LARGE} when the token exceeds
     *                 {@code maxTokenBytes}; {@code MALFORMED} for a missing, repeated or non-base64 token
     */
    public static byte[] decode(String authorizationValue, int maxTokenBytes) throws Refusal {
        Objects.requireNonNull(authorizationValue, "authorizationValue");
        if (maxTokenBytes <= 0) {
            throw new IllegalArgumentException("maxTokenBytes must be positive: " + maxTokenBytes);
        }
        String v = authorizationValue;
        int start = 0;
        int end = v.length();
        while (start < end && isOws(v.charAt(start))) {
            start++;
        }
        while (end > start && isOws(v.charAt(end - 1))) {
            end--;
        }
        int schemeEnd = v.indexOf(' ', start);
        if (schemeEnd < 0 || schemeEnd > end) {
            schemeEnd = end;
        }
        if (!asciiEqualsIgnoreCase(v, start, schemeEnd, NEGOTIATE)) {
            if (asciiEqualsIgnoreCase(v, start, schemeEnd, NTLM)) {
                throw new Refusal(RejectReason.NTLM, "NTLM is not supported");
            }
            throw new Refusal(RejectReason.OTHER_SCHEME, "scheme " + loggableScheme(v, start, schemeEnd));
        }
        int tokenStart = schemeEnd;
        while (tokenStart < end && v.charAt(tokenStart) == ' ') {
            tokenStart++;
        }
        if (tokenStart == end) {
            throw new Refusal(RejectReason.MALFORMED, "Negotiate without a token");
        }
        long maxLength = maxBase64Length(maxTokenBytes);
        if (end - tokenStart > maxLength) {
            throw new Refusal(RejectReason.TOO_LARGE, "token of " + (end - tokenStart)
                    + " base64 characters, limit " + maxLength + " (" + maxTokenBytes + " bytes)");
        }
        if (v.startsWith(NTLMSSP_BASE64_PREFIX, tokenStart)) {
            throw new Refusal(RejectReason.NTLM, "NTLM is not supported");
        }
        int space = v.indexOf(' ', tokenStart);
        if (space >= 0 && space < end) {
            throw new Refusal(RejectReason.MALFORMED, "more than one token after Negotiate");
        }
        byte[] token = StrictBase64.decode(v, tokenStart, end);
        // The base64 bound above rounds up to whole groups of 3 bytes; this is the exact limit.
        if (token.length > maxTokenBytes) {
            throw new Refusal(RejectReason.TOO_LARGE, "token of " + token.length + " bytes, limit " + maxTokenBytes);
        }
        return token;
    }

    /** The longest base64 text of a token of at most {@code maxTokenBytes}: {@code 4 * ceil(max / 3)}. */
    public static long maxBase64Length(int maxTokenBytes) {
        return 4L * ((maxTokenBytes + 2L) / 3);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean asciiEqualsIgnoreCase(String s, int from, int to, String expected) {
        if (to - from != expected.length()) {
            return false;
        }
        for (int i = 0; i < expected.length(); i++) {
            char c = s.charAt(from + i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != Character.toLowerCase(expected.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The scheme as the log may show it: its registered name when it is one of the schemes in {@link #KNOWN_SCHEMES}
     * (compared ignoring ASCII case), otherwise only its length. A value without a scheme ({@code Authorization:
     * hunter2}) has the secret itself where the scheme should be, and a short password is a perfectly good RFC 7230
     * token: nothing a client typed but a registered scheme name reaches the log.
     */
    static String loggableScheme(String s, int from, int to) {
        if (to == from) {
            return "(empty)";
        }
        for (String known : KNOWN_SCHEMES) {
            if (asciiEqualsIgnoreCase(s, from, to, known)) {
                return known;
            }
        }
        return "(not a known scheme, " + (to - from) + " characters)";
    }
}
