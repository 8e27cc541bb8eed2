package io.kerbgate.basic;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.acceptor.TokenFacts;
import io.kerbgate.access.AccessDecision;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.access.AccessDecision.TokenRefused;
import io.kerbgate.access.RequestReason;
import io.kerbgate.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Authorization: Basic} in, a verdict out, in this order: decode the header, map the user name to a principal
 * ({@link LoginNames}), answer from the {@link LoginCache} if it holds the outcome, else take one attempt from the
 * client address's and the principal's rate limits ({@link RateLimiter}) and log in with the KDC
 * ({@link PasswordLogin}). Blocks for the KDC: never call it on an event loop (the proxy gives it a bounded pool of its
 * own, which also bounds how many logins wait on the KDC at once). Only over TLS: the proxy checks that before
 * anything here sees the header.
 *
 * <p>Every way to fail is a refusal with one of four reasons: {@link RequestReason#BAD_PASSWORD} (bad header,
 * refused user name, wrong password, unknown or locked user, a ticket our acceptor refused: one answer, so that a
 * client cannot tell users that exist from those that do not), {@link RequestReason#BASIC_RATE_LIMITED},
 * {@link RequestReason#KDC_UNAVAILABLE}, or the acceptor's own when its policy (realms, PAC, replay cache) refuses the
 * ticket.
 *
 * <table>
 *   <caption>Meter {@code kerbgate.basic.logins{result}}</caption>
 *   <tr><td>{@code ok}</td><td>a login with the KDC, accepted</td></tr>
 *   <tr><td>{@code cached}</td><td>accepted from the cache (or another request's login in flight)</td></tr>
 *   <tr><td>{@code bad_credentials}</td><td>the KDC said no</td></tr>
 *   <tr><td>{@code cached_failure}</td><td>the same wrong password again, not sent to the KDC</td></tr>
 *   <tr><td>{@code malformed}</td><td>a header or user name refused before any KDC</td></tr>
 *   <tr><td>{@code rate_limited}</td><td>over {@code per_source} or {@code per_principal}</td></tr>
 *   <tr><td>{@code kdc_unavailable}</td><td>no KDC answered, or it refused for a reason that is not the
 *       password</td></tr>
 *   <tr><td>{@code ticket_refused}</td><td>the KDC said yes, our acceptor refused its ticket</td></tr>
 * </table>
 */
public final class BasicAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(BasicAuthenticator.class);

    private enum Result { OK, CACHED, BAD_CREDENTIALS, CACHED_FAILURE, MALFORMED, RATE_LIMITED, KDC_UNAVAILABLE,
        TICKET_REFUSED }

    private static final Set<RejectReason> POLICY_REASONS = EnumSet.of(RejectReason.REALM_NOT_ALLOWED,
            RejectReason.PAC_INVALID, RejectReason.REPLAY_CACHE_UNAVAILABLE, RejectReason.REPLAY_QUOTA,
            RejectReason.PRINCIPAL_NAME);

    private final LoginNames names;
    private final PasswordLogin login;
    private final LoginCache cache;
    private final RateLimiter perSource;
    private final RateLimiter perPrincipal;
    private final Map<Result, Counter> counters = new EnumMap<>(Result.class);

    BasicAuthenticator(GatewayConfig.Basic settings, PasswordLogin login, MeterRegistry registry, Clock clock,
            Ticker ticker) {
        this.names = new LoginNames(settings.realm());
        this.login = login;
        this.cache = new LoginCache(settings.successCache(), settings.failureCache(), clock, ticker);
        this.perSource = new RateLimiter(settings.perSource().attempts(), settings.perSource().per(), ticker);
        this.perPrincipal = new RateLimiter(settings.perPrincipal().attempts(), settings.perPrincipal().per(), ticker);
        for (Result result : Result.values()) {
            counters.put(result, Counter.builder("kerbgate.basic.logins")
                    .tag("result", result.name().toLowerCase(Locale.ROOT))
                    .description("Basic authentication attempts by outcome").register(registry));
        }
    }

    /**
     * The gateway's: logs in with the KDCs of the JDK's krb5.conf ({@code basic.krb5_conf} sets it for the process)
     * and checks the ticket with {@code acceptor}.
     */
    public static BasicAuthenticator create(GatewayConfig.Basic settings, HttpAuthenticator acceptor,
            MeterRegistry registry) {
        if (settings.krb5Conf() != null) {
            // Process-wide: the JDK has one krb5.conf; delegation.krb5_conf may only name the same file (ConfigFile).
            System.setProperty("java.security.krb5.conf", settings.krb5Conf().toString());
        }
        log.info("basic: on over TLS for realm {}, tickets for {}, krb5.conf {}", settings.realm(), settings.service(),
                settings.krb5Conf() == null ? "(the JDK's default)" : settings.krb5Conf());
        return new BasicAuthenticator(settings, new KdcPasswordLogin(settings.service(), acceptor), registry,
                Clock.systemUTC(), Ticker.systemTicker());
    }

    /** {@code Basic realm="REALM", charset="UTF-8"}: the challenge offered beside Negotiate (RFC 7617 §2.1). */
    public String challenge() {
        return "Basic realm=\"" + names.realm() + "\", charset=\"UTF-8\"";
    }

    /** What a 429 may promise in {@code Retry-After}: the longest wait for one more attempt under either limit. */
    public Duration retryAfter() {
        Duration a = perSource.refill();
        Duration b = perPrincipal.refill();
        return a.compareTo(b) > 0 ? a : b;
    }

    /** Whether {@code authorization} is of the Basic scheme, without decoding it. */
    public static boolean isBasic(String authorization) {
        return BasicCredentials.isBasic(authorization);
    }

    /** What a Basic header came to. */
    public sealed interface Verdict permits LoggedIn, NotLoggedIn {}

    /** The login worked: the principal of the ticket our acceptor decrypted. */
    public record LoggedIn(Accepted accepted) implements Verdict {}

    /** No login: the gateway's reason, or the acceptor's when its policy refused the KDC's ticket. */
    public record NotLoggedIn(AccessDecision.Refused refused) implements Verdict {}

    /** @param authorization an {@code Authorization: Basic} value, received over TLS */
    public Verdict authenticate(String authorization, InetAddress peer) {
        BasicCredentials credentials;
        String principal;
        try {
            credentials = BasicCredentials.parse(authorization);
        } catch (BasicCredentials.Malformed e) {
            return refused(Result.MALFORMED, "Basic header: " + e.getMessage());
        }
        try (credentials) {
            try {
                principal = names.principal(credentials.user());
            } catch (LoginNames.Refused e) {
                return refused(Result.MALFORMED, e.getMessage());
            }
            LoginCache.Answer answer;
            try {
                answer = cache.get(cache.key(principal, credentials.passwordBytes()),
                        () -> attempt(principal, credentials, peer));
            } catch (RuntimeException e) {
                log.warn("basic: login of {} failed unexpectedly", principal, e);
                return refused(Result.KDC_UNAVAILABLE, RequestReason.KDC_UNAVAILABLE,
                        "login of " + principal + " failed: " + e.getClass().getSimpleName(), principal);
            }
            return verdict(answer, principal);
        }
    }

    private Outcome attempt(String principal, BasicCredentials credentials, InetAddress peer) {
        long wait = perSource.acquire(sourceKey(peer));
        if (wait > 0) {
            return new Outcome.RateLimited("client address over basic.per_source; one more attempt in "
                    + seconds(wait) + "s (principal " + principal + ")");
        }
        wait = perPrincipal.acquire(LoginNames.limitKey(principal));
        if (wait > 0) {
            return new Outcome.RateLimited(principal + " over basic.per_principal; one more attempt in "
                    + seconds(wait) + "s");
        }
        char[] password = null;
        try {
            password = credentials.passwordChars();
            return login.login(principal, password, peer);
        } catch (BasicCredentials.Malformed e) {
            return new Outcome.BadCredentials(principal + ": " + e.getMessage());
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** @param principal the principal tried, for the refusal line's {@code principal=} */
    private Verdict verdict(LoginCache.Answer answer, String principal) {
        boolean shared = answer.shared();
        Outcome outcome = answer.outcome();
        if (outcome instanceof Outcome.Success s) {
            counters.get(shared ? Result.CACHED : Result.OK).increment();
            return new LoggedIn(s.accepted());
        }
        if (outcome instanceof Outcome.BadCredentials b) {
            return refused(shared ? Result.CACHED_FAILURE : Result.BAD_CREDENTIALS, RequestReason.BAD_PASSWORD,
                    b.detail() + (shared ? " (again: not sent to the KDC)" : ""), principal);
        }
        if (outcome instanceof Outcome.TicketRefused t) {
            counters.get(Result.TICKET_REFUSED).increment();
            // The acceptor's own policy (realms, PAC, replay cache) keeps its reason; any other refusal of the KDC's
            // ticket (a key that is not ours) is a login that failed.
            RejectReason reason = t.rejected().reason();
            return new NotLoggedIn(POLICY_REASONS.contains(reason) ? new TokenRefused(t.rejected())
                    : new RequestRefused(RequestReason.BAD_PASSWORD, "ticket from the KDC refused by this node: "
                            + reason.tag() + ": " + t.rejected().detail(), t.rejected().facts()));
        }
        if (outcome instanceof Outcome.RateLimited r) {
            return refused(Result.RATE_LIMITED, RequestReason.BASIC_RATE_LIMITED, r.detail(), principal);
        }
        return refused(Result.KDC_UNAVAILABLE, RequestReason.KDC_UNAVAILABLE, ((Outcome.Unavailable) outcome).detail(),
                principal);
    }

    /** Refused before there is a principal to name. */
    private NotLoggedIn refused(Result result, String detail) {
        counters.get(result).increment();
        return new NotLoggedIn(RequestRefused.of(RequestReason.BAD_PASSWORD, detail));
    }

    private NotLoggedIn refused(Result result, RequestReason reason, String detail, String principal) {
        counters.get(result).increment();
        return new NotLoggedIn(new RequestRefused(reason, detail, new TokenFacts(null, null, -1, -1, principal)));
    }

    /** An IPv4 address, or the /64 of an IPv6 one: one host has a whole /64 to pick its addresses from. */
    static String sourceKey(InetAddress peer) {
        byte[] address = peer.getAddress();
        if (peer instanceof Inet6Address) {
            return "v6:" + HexFormat.of().formatHex(address, 0, 8);
        }
        return peer.getHostAddress();
    }

    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
