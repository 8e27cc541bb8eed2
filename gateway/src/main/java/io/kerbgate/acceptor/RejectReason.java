package io.kerbgate.acceptor;

/**
 * Why the acceptor said no. Each reason carries the Kerberos error code it corresponds to (RFC 4120 §7.5.9,
 * 0 where none applies) and the tag used in metrics and logs. The HTTP status a client gets is the edge's mapping
 * ({@code proxy.Responses.status}), not the acceptor's. Refusals that are no verdict on a token (no or two
 * {@code Authorization} headers, a bad target, no keys yet, a route's refusal) are the gateway's
 * ({@code access.RequestReason}).
 */
public enum RejectReason {
    OTHER_SCHEME(0, "other_scheme", "Authorization scheme is not Negotiate"),
    NTLM(0, "ntlm", "NTLM is not supported"),
    TOO_LARGE(0, "too_large", "Negotiate token exceeds the configured header size limit"),
    MALFORMED(0, "malformed", "token is not well-formed base64/DER"),
    NOT_INITIAL_TOKEN(0, "not_initial", "first SPNEGO token is not a NegTokenInit"),
    MECH_UNSUPPORTED(0, "mech_unsupported", "client's preferred mechanism is not Kerberos"),
    BAD_TOKEN_ID(0, "bad_tok_id", "krb5 token is not an AP-REQ"),
    BAD_VERSION(39, "bad_version", "protocol version is not 5"),
    BAD_MSG_TYPE(40, "bad_msg_type", "message type is not AP-REQ"),
    USER_TO_USER(0, "user_to_user", "user-to-user authentication is not supported"),
    UNKNOWN_SERVICE(45, "unknown_service", "no key for the ticket's service principal"),
    BADKEYVER(44, "badkeyver", "no key for the ticket's key version or enctype"),
    ENCTYPE(14, "enctype", "encryption type not allowed"),
    INTEGRITY(31, "integrity", "decryption integrity check failed"),
    BADMATCH(36, "badmatch", "ticket and authenticator don't match"),
    SKEW(37, "skew", "clock skew too great"),
    NOT_YET_VALID(33, "not_yet_valid", "ticket not yet valid"),
    EXPIRED(32, "expired", "ticket expired"),
    REPLAY(34, "replay", "request is a replay"),
    BADADDR(38, "badaddr", "ticket addresses do not include the client's address"),
    BAD_CHECKSUM(50, "bad_checksum", "inappropriate or invalid authenticator checksum"),
    CHANNEL_BINDING(0, "channel_binding", "channel bindings do not match"),
    TRANSITED(43, "transited", "cross-realm path not checked by the KDC"),
    REALM_NOT_ALLOWED(0, "realm_not_allowed", "client realm is not allowed"),
    PAC_INVALID(0, "pac_invalid", "the ticket's PAC failed verification"),
    /** Issue #11 item 5: the client's principal or address holds its share of the replay cache; only it is refused. */
    REPLAY_QUOTA(0, "replay_quota", "the client or its address holds its share of the replay cache"),
    /**
     * The ticket is valid, but its client name cannot reach a backend unambiguously: a control character or a leading
     * or trailing space in a component or the realm (see {@link io.kerbgate.messages.PrincipalName#headerProblem}).
     */
    PRINCIPAL_NAME(0, "principal_name", "client principal name cannot be forwarded in a header"),
    REPLAY_CACHE_UNAVAILABLE(0, "replay_cache_unavailable", "replay cache cannot record the authenticator");

    private final int krbErrorCode;
    private final String tag;
    private final String summary;

    RejectReason(int krbErrorCode, String tag, String summary) {
        this.krbErrorCode = krbErrorCode;
        this.tag = tag;
        this.summary = summary;
    }

    /** The Kerberos error code of RFC 4120 §7.5.9, or 0 where none applies. */
    public int krbErrorCode() {
        return krbErrorCode;
    }

    /** The bounded value used as the {@code reason} tag of metrics and in log lines. */
    public String tag() {
        return tag;
    }

    public String summary() {
        return summary;
    }
}
