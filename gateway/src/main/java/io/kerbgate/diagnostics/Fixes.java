package io.kerbgate.diagnostics;

import io.kerbgate.acceptor.RejectReason;

/** What an operator does about each refusal of the acceptor: the advice both diagnostics print next to a verdict. */
public final class Fixes {

    private Fixes() {}

    /** The fix for a refusal, one or two sentences. */
    public static String forReason(RejectReason reason) {
        return switch (reason) {
            case NTLM, MECH_UNSUPPORTED -> "the client sent NTLM (or prefers it): it has no Kerberos ticket for this"
                    + " name. Check that the SPN exists (setspn -Q HTTP/<host>, kadmin getprinc), that the client is"
                    + " logged in to the realm, and that the browser allows Negotiate for the host (intranet zone,"
                    + " --auth-server-allowlist, network.negotiate-auth.trusted-uris)";
            case UNKNOWN_SERVICE -> "the client asked for a principal the keytab does not hold: compare the ticket's"
                    + " sname with klist -k; usually DNS made the client ask for another host name (CNAME or PTR"
                    + " canonicalization: set rdns = false / dns_canonicalize_hostname = false, or fix the PTR), or"
                    + " the SPN belongs to another account";
            case BADKEYVER -> "the keytab is stale (or the ticket is): the KDC issued the ticket under a kvno this"
                    + " keytab lacks. After a key roll, copy the array's current keytab to every node (kadmin ktadd"
                    + " -norandkey, or the rollover tool); if the keytab is the newer one, the client must get a"
                    + " new ticket (kdestroy; kinit) or wait for the old one to expire";
            case INTEGRITY -> "the keytab's key for this kvno is not the KDC's: the keytab was exported with a new"
                    + " random key (ktadd without -norandkey bumps the key), or comes from another account or KDC."
                    + " Re-export with -norandkey and copy it to every node";
            case ENCTYPE -> "the enctype is not allowed (DES never; RC4 only with acceptor.allow_rc4): give the service"
                    + " account AES keys (AD: msDS-SupportedEncryptionTypes) and re-export the keytab";
            case SKEW -> "the client's and this node's clocks differ by more than clock_skew: fix NTP on both"
                    + " (chronyc tracking, timedatectl)";
            case EXPIRED -> "the ticket expired: the client must get a new one (kinit, or log in again)";
            case NOT_YET_VALID -> "the ticket starts in the future: a postdated ticket, or this node's clock is behind"
                    + " (check NTP)";
            case REPLAY -> "the authenticator was seen before: every request needs a fresh token (a pasted token"
                    + " is a replay the second time), or a node restarted less than clock_skew ago";
            case BADADDR -> "the ticket is bound to client addresses that do not include the peer: set noaddresses ="
                    + " true on the clients (the default), or check for NAT between client and gateway";
            case BADMATCH -> "the authenticator was not made with this ticket: a corrupted or crafted token";
            case BAD_CHECKSUM -> "the authenticator checksum is malformed or does not verify: a broken client or a"
                    + " crafted token";
            case TRANSITED -> "a cross-realm ticket whose path the KDC did not check: fix [capaths] on the KDCs";
            case REALM_NOT_ALLOWED -> "the client's realm is not in acceptor.allowed_client_realms: add it, or use an"
                    + " account of an allowed realm";
            case USER_TO_USER -> "user-to-user tickets are not supported: the service needs a keytab, not a TGT";
            case TOO_LARGE -> "the token exceeds limits.max_header_size: raise it (AD users in many groups carry"
                    + " large PACs)";
            case REPLAY_CACHE_UNAVAILABLE -> "the replay cache is full or down: raise"
                    + " acceptor.replay_cache_max_entries or restore the shared cache";
            case NO_HEADER, OTHER_SCHEME -> "the client sent no Negotiate credentials";
            case DUPLICATE_HEADER -> "send exactly one Authorization header";
            case CHANNEL_BINDING -> "the channel bindings do not match the TLS connection";
            case MALFORMED, NOT_INITIAL_TOKEN, BAD_TOKEN_ID, BAD_VERSION, BAD_MSG_TYPE -> "the token is not a"
                    + " client's first Kerberos token: paste the whole Authorization value of one request, without"
                    + " line breaks";
        };
    }
}
