package io.kerbgate.acceptor;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeyVersion;
import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What an operator should check for each {@link RejectReason}, in plain words, for the refusal log line. The acceptor's
 * {@code detail} says what was wrong with the token; the hint says what usually causes that and where to look.
 * Hints that depend on the keys compare what the ticket carried with what the keytab holds.
 *
 * <p>The table is an exhaustive {@code switch}: a new reason does not compile without its hint.
 */
public final class RefusalHints {

    private static final String NO_TICKET_CHECKS = "check the SPN (setspn -Q HTTP/<host>; behind a CNAME clients ask "
            + "for the canonical name), that the client can reach the KDC, and that the site is in the browser's "
            + "intranet zone / auth-server allowlist";

    private RefusalHints() {}

    /**
     * @param reason why the request was refused
     * @param facts  what the acceptor saw of the token
     * @param keys   the keys this node holds now (may be {@link KeySet#EMPTY})
     */
    public static String hint(RejectReason reason, TokenFacts facts, KeySet keys) {
        return switch (reason) {
            case OTHER_SCHEME -> "the client sent Basic or another scheme instead of Negotiate: it did not try Kerberos"
                    + " (no ticket, or the site is not trusted for Negotiate)";
            case NTLM -> "client fell back to NTLM: " + NO_TICKET_CHECKS;
            case TOO_LARGE -> "the token or the header block is over limits.max_header_size: users in many groups "
                    + "carry a large PAC (Active Directory tokens reach ~64 KiB of base64); raise "
                    + "limits.max_header_size, and any limit of a proxy in front, or trim group memberships";
            case MALFORMED -> "not valid base64/DER: a client library bug, or a proxy in front that rewrites or "
                    + "truncates the Authorization header";
            case NOT_INITIAL_TOKEN -> "a continuation token without a NegTokenInit: the client thinks a context "
                    + "is in progress (a multi-leg mechanism); it should start over";
            case MECH_UNSUPPORTED -> "Kerberos is not the client's first mechanism (usually NTLM inside SPNEGO), so "
                    + "it has no Kerberos ticket for this name: " + NO_TICKET_CHECKS;
            case BAD_TOKEN_ID, BAD_VERSION, BAD_MSG_TYPE -> "not a Kerberos 5 AP-REQ: a client bug, or a token of "
                    + "another protocol";
            case USER_TO_USER -> "the client asked for user-to-user authentication (no service key at the KDC for "
                    + "this name?); register the SPN on the array's service account";
            case UNKNOWN_SERVICE -> "ticket is for " + orDash(facts.sname()) + " but the keytab has "
                    + principals(keys) + ": the client asked for a name this array does not serve; check the name "
                    + "the client used (DNS CNAMEs), the SPN registration, and acceptor principals";
            case BADKEYVER -> badKeyVersion(facts, keys);
            case ENCTYPE -> "enctype " + enctype(facts.enctype()) + " is not allowed: RC4 is refused unless "
                    + "acceptor.allow_rc4; let the account use AES (AD: msDS-SupportedEncryptionTypes) and have the "
                    + "client get a new ticket";
            case INTEGRITY -> "keytab key differs from the KDC's for kvno " + kvno(facts) + ": the keytab was "
                    + "exported before a password change, from another account, or a roll was committed with a "
                    + "different key; export the keytab again and compare kvnos (klist -k)";
            case BADMATCH -> "the authenticator names another client than the ticket: a broken or forged client";
            case SKEW -> "client and gateway clocks differ by more than clock_skew: check NTP on the client and on "
                    + "this node";
            case NOT_YET_VALID -> "the ticket starts in the future: check NTP on the KDC, the client and this node";
            case EXPIRED -> "the ticket expired: the client must get a new service ticket (klist purge / kinit); "
                    + "if tickets look fresh, check this node's clock";
            case REPLAY -> "this authenticator was seen before: a replayed token, a client or library re-sending the "
                    + "same header (retries, redirects), or a token stamped before this node's start + skew while it runs"
                    + " without acceptor.replay_cache_file (refused for up to two skew intervals after start)";
            case REPLAY_QUOTA -> "this client principal or address holds its share of the replay cache (a fresh token "
                    + "per request faster than the share allows, or a flood): only it is refused until its entries "
                    + "expire; raise acceptor.replay_cache_max_entries_per_principal or _per_address if it is legitimate";
            case BADADDR -> "the ticket is bound to client addresses that do not include this connection's: NAT or "
                    + "a proxy between client and gateway; use address-less tickets (noaddresses = true)";
            case BAD_CHECKSUM -> "the authenticator checksum does not verify: a client bug or a tampered token";
            case CHANNEL_BINDING -> "channel bindings do not match: TLS is terminated somewhere else than the client"
                    + " thinks";
            case TRANSITED -> "a cross-realm ticket whose path the KDC did not check: fix the realm trust path or "
                    + "the KDC's transited policy";
            case REALM_NOT_ALLOWED -> "the client's realm is not in acceptor.allowed_client_realms: add it if that "
                    + "realm is to be trusted";
            case REPLAY_CACHE_UNAVAILABLE -> "the replay cache is full (fail closed): raise "
                    + "acceptor.replay_cache_max_entries, or look for a flood of fresh authenticators";
            case PAC_INVALID -> "the ticket's PAC failed verification with the service key (tampered, an unkeyed "
                    + "signature, or malformed buffers): if every AD ticket fails, check that the keytab holds the "
                    + "account's current key; see the README, Active Directory";
            case PRINCIPAL_NAME -> "the KDC issued a ticket for a name with a control character or a leading or "
                    + "trailing space, which a backend could read as another name: rename the principal; see the "
                    + "README, Identity headers";
        };
    }

    private static String badKeyVersion(TokenFacts facts, KeySet keys) {
        String sname = facts.sname();
        SortedSet<Integer> kvnos = sname == null ? new TreeSet<>() : keys.kvnos(sname);
        if (facts.kvno() >= 0 && kvnos.contains(facts.kvno())) {
            return "ticket enctype " + enctype(facts.enctype()) + " but keytab has " + enctypes(keys, sname,
                    facts.kvno()) + " at kvno " + facts.kvno() + ": export the keytab with every enctype the KDC "
                    + "uses for this account";
        }
        return "ticket kvno " + kvno(facts) + " but keytab has " + join(kvnos) + ": the client holds a ticket from "
                + "before the last roll, or the KDC was updated before this node (compare kerbgate_keys_newest_kvno "
                + "across nodes; the client can klist purge)";
    }

    /** The keytab's kvnos for the ticket's principal, or for every principal when it is unknown: {@code 4,5}. */
    public static String keytabKvnos(KeySet keys, @Nullable String sname) {
        if (sname != null && keys.principals().contains(sname)) {
            return join(keys.kvnos(sname));
        }
        SortedSet<Integer> all = new TreeSet<>();
        keys.principals().forEach(p -> all.addAll(keys.kvnos(p)));
        return join(all);
    }

    /** The keytab's enctypes for the ticket's principal (all kvnos), or every principal's: {@code aes256-...,...}. */
    public static String keytabEnctypes(KeySet keys, @Nullable String sname) {
        Collection<String> principals = sname != null && keys.principals().contains(sname) ? List.of(sname)
                : keys.principals();
        TreeSet<Integer> enctypes = new TreeSet<>();
        for (String p : principals) {
            keys.versions(p).forEach(v -> enctypes.addAll(v.enctypes()));
        }
        StringJoiner out = new StringJoiner(",");
        enctypes.descendingSet().forEach(e -> out.add(Enctype.describe(e)));
        return out.length() == 0 ? "-" : out.toString();
    }

    private static String enctypes(KeySet keys, @Nullable String sname, int kvno) {
        if (sname == null) {
            return "-";
        }
        StringJoiner out = new StringJoiner(",");
        keys.version(sname, kvno).map(KeyVersion::enctypes)
                .ifPresent(set -> set.forEach(e -> out.add(Enctype.describe(e))));
        return out.length() == 0 ? "-" : out.toString();
    }

    private static String principals(KeySet keys) {
        return keys.principals().isEmpty() ? "no principals" : String.join(", ", keys.principals());
    }

    static String enctype(int id) {
        return id < 0 ? "-" : Enctype.describe(id);
    }

    private static String kvno(TokenFacts facts) {
        return facts.kvno() < 0 ? "-" : Integer.toString(facts.kvno());
    }

    private static String orDash(@Nullable String s) {
        return s == null ? "-" : s;
    }

    private static String join(Collection<Integer> kvnos) {
        StringJoiner out = new StringJoiner(",");
        kvnos.forEach(k -> out.add(k.toString()));
        return out.length() == 0 ? "none" : out.toString();
    }
}
