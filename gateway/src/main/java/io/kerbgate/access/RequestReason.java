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
     * {@code Authorization: Basic} on a plain HTTP connection ({@code basic}), refused without reading it. The password
     * has crossed the network in clear; the client should use https.
     */
    BASIC_NEEDS_TLS("basic_needs_tls", "a client sent Basic over plain HTTP (its password crossed the network in"
            + " clear): point it at the https listener, or at Negotiate"),
    /**
     * The Basic user name and password did not log in ({@code basic}): wrong password, unknown, locked or expired
     * account, a malformed header or refused user name, or a ticket this node could not decrypt. One reason, so that a
     * client cannot tell them apart; the detail says which.
     */
    BAD_PASSWORD("bad_password", "the detail says which: wrong password, unknown, locked or expired account (the"
            + " KDC's answer), a user name of another realm than basic.realm, or a ticket this node's keytab could not"
            + " decrypt (then an error line names the KDC as spoofed or out of step)"),
    /** The client's address or the principal is over its Basic rate limit ({@code basic.per_source|per_principal}). */
    BASIC_RATE_LIMITED("basic_rate_limited", "basic.per_source or basic.per_principal: a client repeating a wrong"
            + " password, or password guessing; the detail names the principal"),
    /** No KDC answered a Basic login, or too many wait on it already ({@code basic}); 503. */
    KDC_UNAVAILABLE("kdc_unavailable", "the password login could not be decided: check that basic.krb5_conf names"
            + " reachable KDCs for basic.realm, that basic.service exists at the KDC, and the KDC's log"),
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
