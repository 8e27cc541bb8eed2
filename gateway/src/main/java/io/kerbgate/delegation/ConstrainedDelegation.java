package io.kerbgate.delegation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.sun.security.jgss.ExtendedGSSContext;
import com.sun.security.jgss.InquireType;
import io.kerbgate.delegation.Delegated.Reason;
import io.kerbgate.delegation.Delegated.Refused;
import io.kerbgate.delegation.Delegated.Token;
import io.kerbgate.initiator.GssMech;
import java.io.IOException;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosTicket;
import javax.security.auth.login.LoginException;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSCredential;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.Oid;
import org.jspecify.annotations.Nullable;

/**
 * Constrained delegation (S4U2Proxy, MS-SFU §3.2.5.2) through the JDK's Kerberos: a {@code Negotiate} token to the
 * backend's SPN in the name of a user the gateway authenticated, as mod_auth_gssapi's {@code GssapiUseS4U2Proxy} makes.
 *
 * <p>On a miss, the user's Negotiate token (already verified by the gateway's acceptor) is accepted a second time, by
 * the JDK, in a subject of the gateway's login ({@link ServiceLogin}): that yields the ticket inside it as evidence
 * ({@code GSSContext.getDelegCred()}, a proxy credential), and a context to the backend with it sends the KDC a
 * TGS-REQ with the gateway's TGT, the evidence ticket in additional-tickets and cname-in-addl-tkt. The KDC checks
 * that the evidence is forwardable and that the gateway's account may delegate to the backend
 * ({@code msDS-AllowedToDelegateTo}). The backend ticket is stored in that subject, which then turns read-only.
 *
 * <p>On a hit, a new context in the cached subject finds the ticket there: a fresh authenticator (new ctime and
 * subkey), no KDC exchange, no evidence needed, so a request that came through a session cookie is served too.
 *
 * <p>The cache key is the user as the gateway's acceptor (or the session cookie's seal) vouches for it, escaped so
 * that no two names collide. The gateway principal and the backend SPN are fixed per instance, and a user's token
 * for another gateway principal is refused before the KDC is asked, so a ticket the KDC granted under one account's
 * delegation rights is never served under another's. An entry ends {@code renewBefore} before its ticket does. The
 * gateway's own key is in none of it: the backend ticket is sealed with the backend's key, so a rollover of the
 * gateway's key leaves every entry valid, and the keytab is read afresh at each miss.
 *
 * <p>Blocking (a KDC round trip on a miss): never call it on an event loop.
 */
public final class ConstrainedDelegation implements AutoCloseable {

    private static final Oid KRB5_PRINCIPAL_NAME = oid("1.2.840.113554.1.2.2.1");
    private static final String SCHEME = "Negotiate ";
    /** KRB5_GET_TKT_FLAGS: the ticket flags of RFC 4120 §5.3, bit 1 forwardable. */
    private static final int FORWARDABLE = 1;

    private final DelegationSettings settings;
    private final ServiceLogin login;
    private final Clock clock;
    private final Cache<Key, Entry> cache;

    /**
     * Who the backend ticket is for. The gateway principal that asked is {@code settings.principal()} for every entry
     * (evidence for any other is refused before the KDC is asked) and the backend SPN is fixed, so both are implicit.
     */
    private record Key(String user) {}

    /** A read-only subject holding one backend ticket, and the proxy credential that uses it. */
    private record Entry(Subject subject, GSSCredential proxy, long ttlNanos) {}

    public ConstrainedDelegation(DelegationSettings settings, Clock clock, Ticker ticker) {
        this.settings = settings;
        this.clock = clock;
        this.login = new ServiceLogin(settings.principal(), settings.keytab(), settings.renewBefore(), clock);
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.maxEntries())
                .ticker(ticker)
                .recordStats()
                .expireAfter(Expiry.<Key, Entry>creating((k, e) -> Duration.ofNanos(e.ttlNanos())))
                .build();
    }

    public DelegationSettings settings() {
        return settings;
    }

    /** The backend tickets held now. */
    public long cachedTickets() {
        return cache.estimatedSize();
    }

    /**
     * A backend token in {@code user}'s name.
     *
     * @param user        the client principal the gateway's acceptor verified, {@code name@REALM} escaped
     * @param service     the gateway principal whose key decrypted the user's ticket; {@code ""} for a session
     *                    request (the cookie names no ticket), which only a cached ticket serves
     * @param negotiate   the request's {@code Authorization} value ({@code Negotiate <base64>}), or {@code null} when
     *                    the request came through a session: then only a cached ticket serves
     */
    public Delegated delegate(String user, String service, @Nullable String negotiate) {
        Key key = new Key(user);
        Entry entry = cache.getIfPresent(key);
        if (entry != null) {
            try {
                return new Token(initiate(entry.subject(), entry.proxy()), true);
            } catch (GSSException e) {
                // The ticket went stale before its entry did (the clock moved): drop it and ask the KDC afresh.
                cache.invalidate(key);
            }
        }
        if (negotiate == null) {
            return new Refused(Reason.NEEDS_TOKEN, "no backend ticket cached for " + user
                    + " and no Negotiate token in the request to ask the KDC with");
        }
        if (!service.equals(settings.principal())) {
            return new Refused(Reason.REFUSED, "the ticket of " + user + " is for " + service
                    + ", but delegation logs in as " + settings.principal());
        }
        byte[] token;
        try {
            token = Base64.getDecoder().decode(negotiate.substring(SCHEME.length()).trim());
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            // The acceptor accepted it, so this cannot be; refuse rather than guess.
            return new Refused(Reason.REFUSED, "the Negotiate token is not base64");
        }
        Subject subject;
        try {
            subject = login.freshSubject();
        } catch (LoginException e) {
            return new Refused(Reason.UNAVAILABLE, "the gateway's login as " + settings.principal()
                    + " failed (keytab " + settings.keytab() + "): " + e.getMessage());
        }
        try {
            return doAs(subject, () -> obtain(key, subject, token));
        } catch (GSSException e) {
            return new Refused(unreachable(e) ? Reason.UNAVAILABLE : Reason.REFUSED,
                    "S4U2Proxy for " + user + " to " + settings.backendSpn() + ": " + message(e));
        }
    }

    /** Runs in {@code subject}: accepts the user's token, then asks the KDC for the backend ticket. */
    private Delegated obtain(Key key, Subject subject, byte[] token) throws GSSException {
        GSSManager manager = GSSManager.getInstance();
        GSSContext accepted = manager.createContext((GSSCredential) null);
        try {
            accepted.acceptSecContext(token, 0, token.length);
            if (!accepted.isEstablished()) {
                return new Refused(Reason.REFUSED, "the JDK's acceptor wants another leg for the token of "
                        + key.user());
            }
            String peer = accepted.getSrcName().toString();
            if (!peer.equals(key.user())) {
                // Never file a ticket under a name other than the one the JDK got it for.
                return new Refused(Reason.REFUSED, "the JDK reads the client as " + peer + ", the gateway as "
                        + key.user());
            }
            if (!forwardable(accepted)) {
                return new Refused(Reason.REFUSED, "the ticket of " + key.user() + " is not forwardable: the user"
                        + " needs a forwardable TGT (kinit -f; forwardable = true in krb5.conf), and an account"
                        + " that is not 'sensitive and cannot be delegated'");
            }
            GSSCredential proxy = accepted.getDelegCred();
            if (proxy == null) {
                return new Refused(Reason.REFUSED, "the JDK made no proxy credential for " + key.user());
            }
            String header = initiate(subject, proxy);
            subject.setReadOnly();
            Instant end = backendTicketEnd(subject);
            Duration ttl = end == null ? Duration.ZERO
                    : Duration.between(clock.instant(), end).minus(settings.renewBefore());
            if (!ttl.isNegative() && !ttl.isZero()) {
                cache.put(key, new Entry(subject, proxy, ttl.toNanos()));
            }
            return new Token(header, false);
        } finally {
            accepted.dispose();
        }
    }

    /**
     * A new context to the backend with {@code proxy}, in {@code subject}: its first token as a header value. SPNEGO,
     * as browsers send it, so that any Negotiate acceptor takes it; no mutual authentication (HTTP has no leg for
     * the answer here) and no delegated TGT (the backend gets a service ticket, never the user's TGT).
     */
    private String initiate(Subject subject, GSSCredential proxy) throws GSSException {
        return doAs(subject, () -> {
            GSSManager manager = GSSManager.getInstance();
            GSSName backend = manager.createName(settings.backendSpn(), KRB5_PRINCIPAL_NAME);
            GSSContext context = manager.createContext(backend, GssMech.SPNEGO.oid(), proxy,
                    GSSContext.DEFAULT_LIFETIME);
            try {
                context.requestMutualAuth(false);
                context.requestCredDeleg(false);
                byte[] out = context.initSecContext(new byte[0], 0, 0);
                return SCHEME + Base64.getEncoder().encodeToString(out);
            } finally {
                context.dispose();
            }
        });
    }

    private static boolean forwardable(GSSContext context) throws GSSException {
        if (context instanceof ExtendedGSSContext extended) {
            Object flags = extended.inquireSecContext(InquireType.KRB5_GET_TKT_FLAGS);
            return flags instanceof boolean[] bits && bits.length > FORWARDABLE && bits[FORWARDABLE];
        }
        // Nothing to ask: let the KDC decide.
        return true;
    }

    /** The end time of the one ticket in {@code subject} that is not a TGT: the backend ticket. */
    private static @Nullable Instant backendTicketEnd(Subject subject) {
        Instant end = null;
        for (KerberosTicket ticket : subject.getPrivateCredentials(KerberosTicket.class)) {
            if (!ticket.getServer().getName().startsWith("krbtgt/")) {
                Date t = ticket.getEndTime();
                if (t != null && (end == null || t.toInstant().isBefore(end))) {
                    end = t.toInstant();
                }
            }
        }
        return end;
    }

    /** Whether the failure is the network's (no KDC answered), not a KDC's refusal. */
    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String message(GSSException e) {
        Throwable cause = e.getCause();
        return e.getMessage() + (cause == null ? "" : " (" + cause + ")");
    }

    private static <T> T doAs(Subject subject, PrivilegedExceptionAction<T> action) throws GSSException {
        try {
            return Subject.doAs(subject, action);
        } catch (PrivilegedActionException e) {
            if (e.getException() instanceof GSSException g) {
                throw g;
            }
            GSSException wrapped = new GSSException(GSSException.FAILURE, -1, e.getException().toString());
            wrapped.initCause(e.getException());
            throw wrapped;
        }
    }

    private static Oid oid(String dotted) {
        try {
            return new Oid(dotted);
        } catch (GSSException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void close() throws LoginException {
        cache.invalidateAll();
        login.close();
    }
}
