package io.kerbgate.access;

/**
 * Why the gateway refused a request on its own, with no verdict of the acceptor's on a token: nothing or too much to
 * hand it, a request target no route can be trusted with, no keys yet, or a route that refuses an authenticated
 * principal. The acceptor's reasons, each with its Kerberos error code, are {@link io.kerbgate.acceptor.RejectReason};
 * the HTTP status of either is the edge's mapping ({@code proxy.Responses.status}).
 */
public enum RequestReason {
    NO_HEADER("no_header", "first leg of Negotiate, normal once per connection; if the client never answers the "
            + "challenge it has no ticket for this name (SPN, intranet zone) or a proxy in front strips "
            + "Authorization"),
    DUPLICATE_HEADER("duplicate_header", "two Authorization headers: a proxy or client library in front adds its "
            + "own; only one may reach the gateway"),
    /**
     * Not the token's fault: the node started before it had keys ({@code keys.state_dir}) and none are installed yet;
     * 503, so a load balancer or client tries another node rather than asking the user for credentials.
     */
    NO_KEYS("no_keys", "this node started before it had keys: install them with kerbgate keys init (new array) "
            + "or kerbgate keys add-node (new node); GET /readyz on the admin port says what it watches"),
    /** The principal authenticated, but an access route ({@code routes}) refuses it. */
    ACCESS_DENIED("access_denied", "the principal authenticated but the route refuses it: change the route's allow "
            + "or deny if it should pass"),
    /**
     * The request target or {@code Host} is malformed, or its path can be read under more than one route
     * ({@link RequestTarget}); checked before any authentication.
     */
    BAD_TARGET("bad_target", "the path or Host is malformed, or spelled so that backends could read it under "
            + "another route (see the README, Access rules): a scanner, or a client bug; the detail says what"),
    /**
     * The principal authenticated, but no backend ticket in its name may be had ({@code delegation}): its ticket is
     * not forwardable, or the KDC does not let the gateway delegate to the backend; 403.
     */
    DELEGATION_REFUSED("delegation_refused", "the user needs a forwardable ticket (kinit -f; not a 'sensitive'"
            + " account), and the gateway's account needs the backend's SPN in msDS-AllowedToDelegateTo; see"
            + " docs/delegation.md"),
    /** Not the client's: no KDC answered the gateway's request for a backend ticket ({@code delegation}); 503. */
    DELEGATION_UNAVAILABLE("delegation_unavailable", "no KDC answered the gateway's login or S4U2Proxy request:"
            + " check delegation.krb5_conf, that the KDC is reachable from this node, and that the gateway's"
            + " principal is its account's UPN");

    private final String tag;
    private final String hint;

    RequestReason(String tag, String hint) {
        this.tag = tag;
        this.hint = hint;
    }

    /** The bounded value used as the {@code reason} tag of metrics and in log lines, beside the acceptor's. */
    public String tag() {
        return tag;
    }

    /** What an operator should check, in plain words, for the refusal log line. */
    public String hint() {
        return hint;
    }
}
