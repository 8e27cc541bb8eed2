package io.kerbgate.acceptor;

import io.kerbgate.cache.DecryptedTicket;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.IntegrityException;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.der.DerException;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.Lookup;
import io.kerbgate.messages.ApReq;
import io.kerbgate.messages.Authenticator;
import io.kerbgate.messages.Checksum;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.messages.PrincipalName;
import io.kerbgate.messages.EncryptedData;
import io.kerbgate.messages.EncryptionKey;
import io.kerbgate.messages.PrincipalName;
import io.kerbgate.pac.PacException;
import io.kerbgate.pac.PacVerifier;
import io.kerbgate.replay.ReplayCache;
import io.kerbgate.replay.ReplayCacheUnavailableException;
import io.kerbgate.replay.ReplayKey;
import io.kerbgate.replay.ReplayQuotaExceededException;
import io.kerbgate.replay.Requester;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Verifies an AP-REQ offline with the keytab's keys: every check of RFC 4120 §3.2.3 and RFC 4121 §4.1 that applies
 * to an HTTP acceptor, in one fixed order, each failure with its own {@link RejectReason}
 * ({@code shared/ACCEPTOR-CHECKLIST.md} items 8–25 are the specification).
 *
 * <p>The order: envelope (pvno, msg-type, options) → ticket enctype policy → key by (principal, kvno, enctype) →
 * ticket decryption (or the ticket cache) → session key policy → PAC (when {@code acceptor.pac} asks) →
 * authenticator decryption → cname/crealm match → skew → GSS checksum → subkey policy → transited → client realm →
 * addresses → ticket times → replay. The replay
 * check is last so that only authenticators that passed everything else occupy the cache.
 *
 * <p>Thread-safe and allocation-conscious: one {@link KeySet} snapshot is read per request by the caller, no
 * string-to-key ever happens here, and at most one key is tried per ticket (the sname selects it).
 */
public final class ApReqVerifier {
    private static final int USAGE_TICKET = 2;
    private static final int USAGE_AUTHENTICATOR_CKSUM = 10;
    private static final int USAGE_AUTHENTICATOR = 11;

    private final AcceptorPolicy policy;
    private final Clock clock;
    private final ReplayCache replayCache;
    private final TicketCache ticketCache;
    /**
     * How long an authenticator stays in the replay cache: it is acceptable from skew before to skew after its ctime.
     * Computed once: {@link Duration#multipliedBy} goes through BigDecimal and BigInteger, about 250 bytes and 7% of
     * the CPU samples of a cached accept (AcceptorBenchmark with -prof gc and JFR, issue "The hot path").
     */
    private final Duration replayTtl;

    /** The outcome of a successful verification; what the AP-REP and the identity header are built from. */
    public record Verified(
            String client,
            String service,
            int kvno,
            int enctype,
            KerberosKey sessionKey,
            Authenticator authenticator,
            boolean mutualRequested,
            boolean cachedTicket,
            List<String> groups,
            Instant endtime) {

        /** Without the ticket's end time ({@link Instant#MAX}: no bound known). */
        public Verified(String client, String service, int kvno, int enctype, KerberosKey sessionKey,
                Authenticator authenticator, boolean mutualRequested, boolean cachedTicket, List<String> groups) {
            this(client, service, kvno, enctype, sessionKey, authenticator, mutualRequested, cachedTicket, groups,
                    Instant.MAX);
        }
    }

    public ApReqVerifier(AcceptorPolicy policy, Clock clock, ReplayCache replayCache, TicketCache ticketCache) {
        this.policy = policy;
        this.clock = clock;
        this.replayCache = replayCache;
        this.ticketCache = ticketCache;
        this.replayTtl = policy.clockSkew().multipliedBy(2);
    }

    /**
     * Runs the checks in their fixed order; each step stops at its first failed check with a {@link Refusal}. The
     * item numbers are those of {@code shared/ACCEPTOR-CHECKLIST.md} (one {@code itemNN_} test each in
     * {@code AcceptorChecklistTest}); README "The acceptor's checks" lists the same order with the reason tags.
     *
     * @param bindings what the GSS checksum's channel-binding hash must be (checklist item 21)
     */
    public Verified verify(byte[] apReqDer, KeySet keys, InetAddress peer, ChannelBindings bindings, FactsSink facts)
            throws Refusal {
        ApReq req = decodeRequest(apReqDer);
        String sname = req.ticket().servicePrincipal();
        EncryptedData encTicket = req.ticket().encPart();
        facts.ticket(sname, encTicket.kvno(), encTicket.etype());
        Lookup.Found found = findServiceKey(keys, sname, encTicket);
        // Keyed on the key itself, not the cleartext sname/kvno: see TicketCache (issue #11 items 4 and 6).
        DecryptedTicket cachedTicket = ticketCache == null ? null : ticketCache.get(found.key(), encTicket);
        DecryptedTicket dt = cachedTicket != null ? cachedTicket : decryptTicket(found, encTicket, sname);
        facts.client(dt.client());

        Instant now = clock.instant();
        Authenticator auth = checkAuthenticator(req.authenticator(), dt, sname, found.kvno(), now);
        boolean mutual = checkChecksumAndSubkey(req, auth, dt.sessionKey(), bindings);
        checkTicketPolicy(dt, peer, now);
        checkReplay(req.authenticator(), dt.client(), peer, auth.clientTime());
        checkName(dt);
        return new Verified(dt.client(), sname, found.kvno(), encTicket.etype(), dt.sessionKey(), auth, mutual,
                cachedTicket != null, dt.groups(), dt.endtime());
    }

    /**
     * Items 4, 8 and 27: the AP-REQ is strict DER (a decoding failure is {@code malformed}, never a throw), pvno 5 and
     * msg-type 14 (RFC 4120 §5.5.1), no user-to-user (ap-options use-session-key), and the ticket's tkt-vno 5 (§5.3).
     */
    private static ApReq decodeRequest(byte[] apReqDer) throws Refusal {
        ApReq req = decode(() -> ApReq.decode(apReqDer), "AP-REQ");
        if (req.pvno() != 5) {
            throw new Refusal(RejectReason.BAD_VERSION, "AP-REQ pvno " + req.pvno());
        }
        if (req.msgType() != ApReq.MSG_TYPE) {
            throw new Refusal(RejectReason.BAD_MSG_TYPE, "msg-type " + req.msgType() + " where AP-REQ (14) expected");
        }
        if ((req.apOptions() & ApReq.USE_SESSION_KEY) != 0) {
            throw new Refusal(RejectReason.USER_TO_USER, "ap-options has use-session-key (user-to-user)");
        }
        if (req.ticket().tktVno() != 5) {
            throw new Refusal(RejectReason.BAD_VERSION, "ticket tkt-vno " + req.ticket().tktVno());
        }
        return req;
    }

    /**
     * Items 11, 9 and 10 (RFC 4120 §3.2.3): the ticket's enctype is allowed, then the key is chosen by (principal,
     * kvno, enctype) among the keytab's principals; the cleartext sname only selects, it never names the service.
     */
    private Lookup.Found findServiceKey(KeySet keys, String sname, EncryptedData encTicket) throws Refusal {
        Enctype ticketEtype = allowedEnctype(encTicket.etype(), "ticket");
        return findKey(keys, sname, encTicket, ticketEtype);
    }

    /**
     * Items 10, 12, 11 and 23 (RFC 4120 §3.2.3, key usage 2): the ticket decrypts with the service key (else
     * {@code integrity}), its session key is of an allowed enctype and length, and its PAC verifies when
     * {@code acceptor.pac} asks; the result joins the ticket cache.
     */
    private DecryptedTicket decryptTicket(Lookup.Found found, EncryptedData encTicket, String sname) throws Refusal {
        KerberosKey serviceKey = found.key();
        byte[] plain = decrypt(serviceKey, USAGE_TICKET, encTicket.cipher(), "ticket", sname, found.kvno());
        EncTicketPart part = decode(() -> EncTicketPart.decode(plain), "EncTicketPart");
        Enctype sessionEtype = allowedEnctype(part.key().keytype(), "session key");
        PacVerifier.PacInfo pac = verifiedPac(part, serviceKey);
        DecryptedTicket dt = DecryptedTicket.of(part, key(sessionEtype, part.key(), "session key"),
                pac == null ? List.of() : pac.groups(), client(part, pac));
        if (ticketCache != null) {
            ticketCache.put(serviceKey, encTicket, dt, clock.instant(), policy.clockSkew());
        }
        return dt;
    }

    /**
     * Items 11, 13, 14 and 16 (RFC 4120 §3.2.3, key usage 11): the authenticator is under the session key's enctype
     * and decrypts with it, its vno is 5, its cname and crealm are the ticket's, and its time is within the skew.
     */
    private Authenticator checkAuthenticator(EncryptedData encAuth, DecryptedTicket dt, String sname, int kvno,
            Instant now) throws Refusal {
        if (encAuth.etype() != dt.sessionKey().enctype().id()) {
            throw new Refusal(RejectReason.ENCTYPE, "authenticator enctype " + Enctype.describe(encAuth.etype())
                    + " differs from the session key's " + dt.sessionKey().enctype().kerberosName());
        }
        byte[] authPlain = decrypt(dt.sessionKey(), USAGE_AUTHENTICATOR, encAuth.cipher(), "authenticator", sname, kvno);
        Authenticator auth = decode(() -> Authenticator.decode(authPlain), "Authenticator");
        if (auth.vno() != 5) {
            throw new Refusal(RejectReason.BAD_VERSION, "authenticator-vno " + auth.vno());
        }
        // RFC 4120 §3.2.3: both cname and crealm must match (gokrb5 compares only the cname).
        if (!auth.crealm().equals(dt.crealm()) || !auth.cname().components().equals(dt.cname().components())) {
            throw new Refusal(RejectReason.BADMATCH, "authenticator names " + auth.cname().withRealm(auth.crealm())
                    + " but the ticket is for " + dt.client());
        }
        if (auth.cusec() < 0 || auth.cusec() > 999_999) {
            throw new Refusal(RejectReason.MALFORMED, "authenticator cusec " + auth.cusec() + " out of 0..999999");
        }
        Instant ctime = auth.clientTime();
        Duration skew = policy.clockSkew();
        if (Duration.between(ctime, now).abs().compareTo(skew) > 0) {
            throw new Refusal(RejectReason.SKEW, "authenticator time " + ctime + " is " + describeOffset(ctime, now)
                    + " from this node's clock " + now + " (allowed " + skew + "): check NTP on the client and here");
        }
        return auth;
    }

    /**
     * Items 20, 21, 15 and 8 (RFC 4121 §4.1.1): the authenticator's checksum and channel bindings, then its subkey.
     * Returns whether the client asked for mutual authentication (GSS flags or ap-options mutual-required).
     */
    private boolean checkChecksumAndSubkey(ApReq req, Authenticator auth, KerberosKey sessionKey,
            ChannelBindings bindings) throws Refusal {
        boolean mutualByFlags = checkChecksum(auth, sessionKey, bindings);
        if (auth.subkey() != null) {
            // Checklist item 15: never used here, but a subkey must be a well-formed key of an allowed enctype.
            requireKeyLength(allowedEnctype(auth.subkey().keytype(), "authenticator subkey"), auth.subkey(),
                    "authenticator subkey");
        }
        return mutualByFlags || (req.apOptions() & ApReq.MUTUAL_REQUIRED) != 0;
    }

    /**
     * Items 24, 25 and 17 (RFC 4120 §3.2.3, §2.7): a cross-realm path the KDC checked, an allowed client realm, the
     * peer among the ticket's addresses when it has any, and the ticket's times (start, with skew; INVALID; end,
     * with skew).
     */
    private void checkTicketPolicy(DecryptedTicket dt, InetAddress peer, Instant now) throws Refusal {
        if (dt.transitedContents().length > 0 && !dt.hasFlag(EncTicketPart.FLAG_TRANSITED_POLICY_CHECKED)) {
            throw new Refusal(RejectReason.TRANSITED,
                    "cross-realm ticket for " + dt.client() + " without transited-policy-checked");
        }
        if (!policy.allowedClientRealms().isEmpty() && !policy.allowedClientRealms().contains(dt.crealm())) {
            throw new Refusal(RejectReason.REALM_NOT_ALLOWED, "client realm " + dt.crealm() + " not in "
                    + policy.realmsForLog());
        }
        if (!dt.addresses().isEmpty() && dt.addresses().stream().noneMatch(a -> a.matches(peer))) {
            throw new Refusal(RejectReason.BADADDR, "ticket addresses do not include " + peer.getHostAddress());
        }
        if (dt.hasFlag(EncTicketPart.FLAG_INVALID)) {
            throw new Refusal(RejectReason.NOT_YET_VALID, "ticket has the INVALID flag (postdated, not validated)");
        }
        Duration skew = policy.clockSkew();
        Instant start = dt.starttime() != null ? dt.starttime() : dt.authtime();
        if (start.isAfter(now.plus(skew))) {
            throw new Refusal(RejectReason.NOT_YET_VALID, "ticket starts at " + start + ", now is " + now);
        }
        if (now.isAfter(dt.endtime().plus(skew))) {
            throw new Refusal(RejectReason.EXPIRED, "ticket ended at " + dt.endtime() + ", now is " + now
                    + ": the client must get a new service ticket");
        }
    }

    /**
     * Not a checklist item (README "The acceptor's checks", 8): a client name a backend would read as another name.
     * Last, once the client has proven the ticket is theirs: a 403 that names the reason, not a challenge.
     */
    private static void checkName(DecryptedTicket dt) throws Refusal {
        String nameProblem = dt.cname().headerProblem(dt.crealm());
        if (nameProblem != null) {
            throw new Refusal(RejectReason.PRINCIPAL_NAME, "client principal's " + nameProblem);
        }
    }

    private Lookup.Found findKey(KeySet keys, String sname, EncryptedData enc, Enctype etype) throws Refusal {
        // Kvnos above 2^31 do not occur in keytabs (the reader refuses them), so such a ticket finds no key.
        int kvno = enc.kvno() == EncryptedData.NO_KVNO ? KeySet.NO_KVNO
                : enc.kvno() > Integer.MAX_VALUE ? Integer.MIN_VALUE : (int) enc.kvno();
        Lookup lookup = keys.find(sname, kvno, etype.id());
        if (lookup instanceof Lookup.Found f) {
            if (f.key() == null) {
                throw new Refusal(RejectReason.BADKEYVER, "keytab entry for " + sname + " kvno " + f.kvno() + " "
                        + etype.kerberosName() + " has a key of the wrong length: re-export the keytab");
            }
            return f;
        }
        if (lookup instanceof Lookup.NoPrincipal) {
            throw new Refusal(RejectReason.UNKNOWN_SERVICE, "ticket is for " + sname + " but the keytab has "
                    + String.join(", ", keys.principals()) + ": the client asked for a name this array does not serve"
                    + " (check the SPN and the acceptor principals)");
        }
        if (lookup instanceof Lookup.NoKvno n) {
            throw new Refusal(RejectReason.BADKEYVER, "ticket kvno " + enc.kvno() + " but keytab has "
                    + join(n.kvnosPresent()) + " for " + sname + ": the client holds a ticket from before the last"
                    + " roll (past the grace period), or the KDC was updated before this node");
        }
        Lookup.NoEnctype e = (Lookup.NoEnctype) lookup;
        throw new Refusal(RejectReason.BADKEYVER, "ticket " + etype.kerberosName() + " kvno " + enc.kvno()
                + " but keytab has only enctypes " + Arrays.stream(e.enctypesPresent()).mapToObj(Enctype::describe)
                .collect(Collectors.joining(", ")) + " at that kvno for " + sname);
    }

    /**
     * Checklist item 23: with {@code acceptor.pac} on, the ticket's PAC is verified ({@link PacVerifier}) once, when
     * the ticket is decrypted; a cached ticket keeps its groups and name. Off, the PAC is never read.
     *
     * @return the verified PAC, or null when it is off or the ticket has none
     */
    private PacVerifier.@Nullable PacInfo verifiedPac(EncTicketPart part, KerberosKey serviceKey) throws Refusal {
        if (policy.pac() == PacPolicy.OFF) {
            return null;
        }
        try {
            Optional<PacVerifier.PacInfo> pac =
                    PacVerifier.verify(part.authorizationData(), serviceKey, part.cname(), part.crealm(),
                            part.authtime());
            if (pac.isEmpty() && policy.pac() == PacPolicy.REQUIRE) {
                throw new Refusal(RejectReason.PAC_INVALID, "ticket for " + part.client() + " has no PAC "
                        + "(acceptor.pac: require)");
            }
            return pac.orElse(null);
        } catch (PacException e) {
            throw new Refusal(RejectReason.PAC_INVALID, "ticket for " + part.client() + ": " + e.getMessage());
        }
    }

    /**
     * The client's name as it is forwarded, limited, logged and matched: the ticket's, except that a one-part name
     * that differs from the verified PAC's account name in case only is spelled as the directory spells it. Active
     * Directory compares names without case and names the client as it was typed ({@code kinit ALICE}, a Basic login
     * as {@code ALICE}); without this, one account would reach routes, replay shares and backends under two names.
     */
    private static String client(EncTicketPart part, PacVerifier.@Nullable PacInfo pac) {
        List<String> components = part.cname().components();
        String account = pac == null ? null : pac.accountName();
        if (account == null || components.size() != 1 || components.get(0).equals(account)
                || !components.get(0).equalsIgnoreCase(account)) {
            return part.client();
        }
        return new PrincipalName(part.cname().nameType(), List.of(account)).withRealm(part.crealm());
    }

    private Enctype allowedEnctype(int id, String what) throws Refusal {
        Enctype e = Enctype.fromId(id);
        if (e == null) {
            throw new Refusal(RejectReason.ENCTYPE, what + " enctype " + Enctype.describe(id) + " is not supported");
        }
        if (e.weak() && !policy.allowRc4()) {
            throw new Refusal(RejectReason.ENCTYPE, what + " enctype " + e.kerberosName()
                    + " (RC4) is refused; set acceptor.allow_rc4: true only if clients cannot use AES");
        }
        return e;
    }

    /** The key of an EncryptionKey whose enctype is allowed; a value of the wrong length is a refusal, not a throw. */
    private static KerberosKey key(Enctype e, EncryptionKey k, String what) throws Refusal {
        requireKeyLength(e, k, what);
        return new KerberosKey(e, k.keyvalue());
    }

    /** A key of the wrong length is a refusal, not a throw; checked without building a key nobody uses. */
    private static void requireKeyLength(Enctype e, EncryptionKey k, String what) throws Refusal {
        if (k.keyvalue().length != e.keyLength()) {
            throw new Refusal(RejectReason.MALFORMED, what + " of " + k.keyvalue().length + " bytes for "
                    + e.kerberosName() + " (needs " + e.keyLength() + ")");
        }
    }

    /** Items 20 and 21: returns whether the client asked for mutual authentication through the GSS flags. */
    private boolean checkChecksum(Authenticator auth, KerberosKey sessionKey, ChannelBindings bindings)
            throws Refusal {
        Checksum c = auth.cksum();
        if (c == null) {
            // Some clients send none: accept with no flags (a NULL checksum crashed MIT, CVE-2010-1321).
            bindings.checkUnbound("the authenticator has no checksum, so no channel bindings,");
            return false;
        }
        if (c.cksumtype() == Checksum.GSS_API) {
            GssChecksum gss = GssChecksum.parse(c.checksum());
            // Without TLS (ChannelBindings.NONE), like MIT and the JDK, whatever hash the client sent is accepted.
            bindings.check(gss.bindingHash());
            return gss.has(GssChecksum.MUTUAL_FLAG);
        }
        // A raw Kerberos checksum (Samba, some Java clients): MIT accepts it if it is keyed and verifies over empty
        // data with the subkey or session key.
        if (!KerberosCrypto.isKeyedChecksum(c.cksumtype())) {
            throw new Refusal(RejectReason.BAD_CHECKSUM, "unkeyed authenticator checksum type " + c.cksumtype());
        }
        KerberosKey key = sessionKey;
        EncryptionKey sub = auth.subkey();
        if (sub != null) {
            key = key(allowedEnctype(sub.keytype(), "authenticator subkey"), sub, "authenticator subkey");
        }
        if (!KerberosCrypto.verifyChecksum(key, USAGE_AUTHENTICATOR_CKSUM, c.cksumtype(), new byte[0], c.checksum())) {
            throw new Refusal(RejectReason.BAD_CHECKSUM, "authenticator checksum type " + c.cksumtype()
                    + " does not verify");
        }
        bindings.checkUnbound("a raw Kerberos authenticator checksum carries no channel bindings,");
        return true;
    }

    /**
     * Checklist items 18 and 19 (RFC 4120 §3.2.3). The replay key is the authenticator's MAC tag alone: never the ticket's cleartext
     * sname, realm or kvno, which anyone can rewrite (issue #11 item 4).
     */
    private void checkReplay(EncryptedData encAuth, String client, InetAddress peer, Instant ctime) throws Refusal {
        // RFC 4120 §3.2.3: a server that lost its replay cache must not accept what it may have seen before. The
        // previous run, up to just before startedAt, accepted authenticators stamped up to one skew ahead of its
        // clock, so anything stamped before startedAt + skew may have been seen (issue #11 item 8: a client 240 s
        // fast). The skew check refuses those by startedAt + 2 × skew; clients with good clocks are refused for one
        // skew. With a replay file, or a shared store that always answers, startedAt is the epoch: no guard.
        Instant guardEnds = policy.startedAt().plus(policy.clockSkew());
        if (ctime.isBefore(guardEnds)) {
            throw new Refusal(RejectReason.REPLAY, "authenticator stamped " + ctime + " may have been accepted by this"
                    + " node's previous run (this run started " + policy.startedAt() + " with an empty replay cache):"
                    + " refused if stamped before " + guardEnds + "; set acceptor.replay_cache_file to keep the cache"
                    + " across restarts");
        }
        try {
            if (!replayCache.firstSeen(new ReplayKey(macTag(encAuth)), Requester.of(client, peer), replayTtl)) {
                throw new Refusal(RejectReason.REPLAY, "authenticator already seen (ctime " + ctime + ")");
            }
        } catch (ReplayCacheUnavailableException e) {
            throw new Refusal(RejectReason.REPLAY_CACHE_UNAVAILABLE, e.getMessage());
        } catch (ReplayQuotaExceededException e) {
            throw new Refusal(RejectReason.REPLAY_QUOTA, e.getMessage());
        }
    }

    /** The MAC of the authenticator ciphertext: trailing for the AES families, leading for RC4 (RFC 4757). */
    static byte[] macTag(EncryptedData enc) {
        byte[] c = enc.cipher();
        int n = switch (enc.etype()) {
            case 17, 18 -> 12;
            case 19 -> 16;
            case 20 -> 24;
            default -> 16;
        };
        n = Math.min(n, c.length);
        return enc.etype() == 23 ? Arrays.copyOfRange(c, 0, n) : Arrays.copyOfRange(c, c.length - n, c.length);
    }

    private byte[] decrypt(KerberosKey key, int usage, byte[] cipher, String what, String sname, int kvno)
            throws Refusal {
        try {
            return KerberosCrypto.decrypt(key, usage, cipher);
        } catch (IntegrityException e) {
            throw new Refusal(RejectReason.INTEGRITY, "ticket".equals(what)
                    ? "ticket does not decrypt with " + sname + " kvno " + kvno + " " + key.enctype().kerberosName()
                            + ": the keytab's key differs from the KDC's for this kvno (a roll committed with another key?)"
                    : "authenticator does not decrypt with the ticket's " + key.enctype().kerberosName()
                            + " session key: forged or corrupted authenticator");
        }
    }

    private static String describeOffset(Instant client, Instant now) {
        Duration d = Duration.between(now, client);
        return d.abs().toSeconds() + "s " + (d.isNegative() ? "behind" : "ahead");
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    @FunctionalInterface
    private interface Decoder<T> {
        T decode() throws DerException;
    }

    private static <T> T decode(Decoder<T> d, String what) throws Refusal {
        try {
            return d.decode();
        } catch (DerException e) {
            throw new Refusal(RejectReason.MALFORMED, what + ": " + e.getMessage());
        }
    }

    /** Receives what the verifier learned before it stopped, for the refusal log line. */
    public interface FactsSink {
        void ticket(String sname, long kvno, int enctype);

        void client(String client);
    }
}
