package io.kerbgate.acceptor;

/**
 * Why the acceptor said no. Each reason carries the Kerberos error code it corresponds to (RFC 4120 §7.5.9,
 * 0 where none applies), the tag used in metrics and logs, and the HTTP status the client gets.
 *
 * <p>Everything a client can send maps to a 4xx: a refused token is 401 with a fresh {@code WWW-Authenticate:
 * Negotiate} challenge, except framing errors of the HTTP request itself (400, 431).
 */
public enum RejectReason {
    NO_HEADER(0, "no_header", 401, "no Authorization header"),
    DUPLICATE_HEADER(0, "duplicate_header", 400, "more than one Authorization header"),
    OTHER_SCHEME(0, "other_scheme", 401, "Authorization scheme is not Negotiate"),
    NTLM(0, "ntlm", 401, "NTLM is not supported"),
    TOO_LARGE(0, "too_large", 431, "Negotiate token exceeds the configured header size limit"),
    MALFORMED(0, "malformed", 401, "token is not well-formed base64/DER"),
    NOT_INITIAL_TOKEN(0, "not_initial", 401, "first SPNEGO token is not a NegTokenInit"),
    MECH_UNSUPPORTED(0, "mech_unsupported", 401, "client's preferred mechanism is not Kerberos"),
    BAD_TOKEN_ID(0, "bad_tok_id", 401, "krb5 token is not an AP-REQ"),
    BAD_VERSION(39, "bad_version", 401, "protocol version is not 5"),
    BAD_MSG_TYPE(40, "bad_msg_type", 401, "message type is not AP-REQ"),
    USER_TO_USER(0, "user_to_user", 401, "user-to-user authentication is not supported"),
    UNKNOWN_SERVICE(45, "unknown_service", 401, "no key for the ticket's service principal"),
    BADKEYVER(44, "badkeyver", 401, "no key for the ticket's key version or enctype"),
    ENCTYPE(14, "enctype", 401, "encryption type not allowed"),
    INTEGRITY(31, "integrity", 401, "decryption integrity check failed"),
    BADMATCH(36, "badmatch", 401, "ticket and authenticator don't match"),
    SKEW(37, "skew", 401, "clock skew too great"),
    NOT_YET_VALID(33, "not_yet_valid", 401, "ticket not yet valid"),
    EXPIRED(32, "expired", 401, "ticket expired"),
    REPLAY(34, "replay", 401, "request is a replay"),
    BADADDR(38, "badaddr", 401, "ticket addresses do not include the client's address"),
    BAD_CHECKSUM(50, "bad_checksum", 401, "inappropriate or invalid authenticator checksum"),
    CHANNEL_BINDING(0, "channel_binding", 401, "channel bindings do not match"),
    TRANSITED(43, "transited", 401, "cross-realm path not checked by the KDC"),
    REALM_NOT_ALLOWED(0, "realm_not_allowed", 401, "client realm is not allowed"),
    PAC_INVALID(0, "pac_invalid", 401, "the ticket's PAC failed verification"),
    /** Issue #11 item 5: the client's principal or address holds its share of the replay cache; only it is refused. */
    REPLAY_QUOTA(0, "replay_quota", 429, "the client or its address holds its share of the replay cache"),
    /**
     * The ticket is valid, but its client name cannot reach a backend unambiguously: a control character or a leading
     * or trailing space in a component or the realm (see {@link io.kerbgate.messages.PrincipalName#headerProblem}).
     */
    PRINCIPAL_NAME(0, "principal_name", 403, "client principal name cannot be forwarded in a header"),
    REPLAY_CACHE_UNAVAILABLE(0, "replay_cache_unavailable", 503, "replay cache cannot record the authenticator"),
    /**
     * Not the token's fault: the node started before it had keys ({@code keys.state_dir}) and none are installed yet;
     * 503, so a load balancer or client tries another node rather than asking the user for credentials.
     */
    NO_KEYS(0, "no_keys", 503, "this node has no keys yet"),
    /** Not the acceptor's: the principal authenticated, but an access route ({@code routes}) refuses it. */
    ACCESS_DENIED(0, "access_denied", 403, "principal not allowed on this route"),
    /**
     * Not the acceptor's: the request target or {@code Host} is malformed, or its path can be read under more than
     * one route ({@link io.kerbgate.access.RequestTarget}); checked before any authentication.
     */
    BAD_TARGET(0, "bad_target", 400, "request target or Host is malformed or ambiguous");

    private final int krbErrorCode;
    private final String tag;
    private final int httpStatus;
    private final String summary;

    RejectReason(int krbErrorCode, String tag, int httpStatus, String summary) {
        this.krbErrorCode = krbErrorCode;
        this.tag = tag;
        this.httpStatus = httpStatus;
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

    public int httpStatus() {
        return httpStatus;
    }

    public String summary() {
        return summary;
    }
}
