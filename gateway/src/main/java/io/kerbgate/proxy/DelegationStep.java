package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.TokenFacts;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.access.RequestReason;
import io.kerbgate.delegation.ConstrainedDelegation;
import io.kerbgate.delegation.Delegated;
import io.kerbgate.delegation.Delegated.Reason;
import io.kerbgate.delegation.Delegated.Refused;
import io.kerbgate.delegation.Delegated.Token;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegation step of an authenticated request ({@code delegation}): the backend's {@code Authorization} in the
 * user's name ({@link ConstrainedDelegation}), made on {@code offload} because a miss waits on the KDC, and handed
 * back on the connection's event loop. A refusal is logged ({@code auth refused reason=delegation_refused ...}) and
 * counted; the request never reaches a backend without the token the backend asks for.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Meter (Prometheus)</th><th>Tags</th><th>Meaning</th></tr>
 *   <tr><td>{@code kerbgate.delegation.requests} ({@code kerbgate_delegation_requests_total})</td>
 *       <td>{@code result}: {@code cached} (a cached backend ticket, no KDC exchange), {@code obtained} (an S4U2Proxy
 *           exchange with the KDC), {@code needs_token} (a session request without a cached ticket: 401),
 *           {@code refused} (403), {@code unavailable} (503)</td>
 *       <td>authenticated requests by how their backend token was made</td></tr>
 *   <tr><td>{@code kerbgate.delegation.tickets} ({@code kerbgate_delegation_tickets})</td><td></td>
 *       <td>backend tickets held, one per user</td></tr>
 * </table>
 */
final class DelegationStep {

    static final String REQUESTS = "kerbgate.delegation.requests";

    private static final Logger log = LoggerFactory.getLogger(DelegationStep.class);

    private final ConstrainedDelegation delegation;
    private final Executor offload;
    private final LiveSettings live;
    private final Counter cached;
    private final Counter obtained;
    private final Map<Reason, Counter> refused = new EnumMap<>(Reason.class);

    DelegationStep(ConstrainedDelegation delegation, Executor offload, LiveSettings live, MeterRegistry registry) {
        this.delegation = delegation;
        this.offload = offload;
        this.live = live;
        this.cached = counter(registry, "cached");
        this.obtained = counter(registry, "obtained");
        for (Reason reason : Reason.values()) {
            refused.put(reason, counter(registry, reason.tag()));
        }
        Gauge.builder("kerbgate.delegation.tickets", delegation, ConstrainedDelegation::cachedTickets)
                .description("backend tickets held for constrained delegation")
                .register(registry);
    }

    /**
     * The backend token for {@code accepted}, or a refusal; completed on {@code loop}.
     *
     * @param authorization the request's own {@code Authorization} (its Negotiate token), or {@code null} when a
     *                      session or a Basic login let it through
     * @param basic         a Basic login let it through: it carries no ticket to show the KDC, so without a kept
     *                      one the request is refused rather than challenged (the client would send Basic again)
     */
    Future<Delegated> delegate(Accepted accepted, @Nullable String authorization, boolean basic,
                               InetSocketAddress peer, EventExecutor loop) {
        Promise<Delegated> promise = loop.newPromise();
        try {
            offload.execute(() -> {
                Delegated outcome = run(accepted, authorization);
                if (basic && outcome instanceof Refused r && r.reason() == Reason.NEEDS_TOKEN) {
                    outcome = new Refused(Reason.REFUSED, "a Basic login of " + accepted.client() + " holds no"
                            + " service ticket to show the KDC as evidence (S4U2Proxy needs one; protocol transition,"
                            + " S4U2Self, is not used): the user must sign in with Negotiate");
                }
                Delegated answer = outcome;
                try {
                    loop.execute(() -> promise.setSuccess(counted(answer, accepted, peer)));
                } catch (RejectedExecutionException e) {
                    // The proxy is stopping: the connection goes with its event loop.
                }
            });
        } catch (RejectedExecutionException e) {
            promise.setSuccess(counted(new Refused(Reason.UNAVAILABLE, "too many requests waiting for a KDC: "
                    + e.getMessage()), accepted, peer));
        }
        return promise;
    }

    private Delegated run(Accepted accepted, @Nullable String authorization) {
        try {
            return delegation.delegate(accepted.client(), accepted.service(), authorization);
        } catch (RuntimeException e) {
            // The JDK's Kerberos may throw what it does not declare; refuse (503), never a 500 or a hang.
            log.error("delegation threw for {}", accepted.client(), e);
            return new Refused(Reason.UNAVAILABLE, "delegation threw " + e.getClass().getName());
        }
    }

    private Delegated counted(Delegated outcome, Accepted accepted, InetSocketAddress peer) {
        if (outcome instanceof Token token) {
            (token.cached() ? cached : obtained).increment();
        } else if (outcome instanceof Refused r) {
            refused.get(r.reason()).increment();
            live.current().refusals().refused(refusal(r, accepted), peer, null);
        }
        return outcome;
    }

    /**
     * What the client is answered: a fresh challenge for a token (401), 403 or 503; the refusal names who was
     * refused (the principal authenticated, only the backend token is missing).
     */
    static RequestRefused refusal(Refused refused, Accepted accepted) {
        RequestReason reason = switch (refused.reason()) {
            case NEEDS_TOKEN -> RequestReason.NO_HEADER;
            case REFUSED -> RequestReason.DELEGATION_REFUSED;
            case UNAVAILABLE -> RequestReason.DELEGATION_UNAVAILABLE;
        };
        TokenFacts facts = new TokenFacts(null, accepted.service(), accepted.kvno(), accepted.enctype(),
                accepted.client());
        return new RequestRefused(reason, refused.detail(), facts);
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder(REQUESTS)
                .description("Authenticated requests by how their backend token was made (constrained delegation)")
                .tag("result", result)
                .register(registry);
    }
}
