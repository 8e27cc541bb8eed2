package io.kerbgate.metrics;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.access.RequestReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of authentication verdicts, recorded once per request by the proxy's Negotiate step. Tag values are
 * bounded: reasons are an enum, and {@code service}/{@code kvno} are only set on accepted tickets, whose service is a
 * keytab principal and whose kvno is one the keytab holds (or held, within the grace period). A refused ticket's
 * service and kvno are the client's to choose, so refusals carry {@code none} there.
 *
 * <table>
 *   <caption>Meters (Prometheus names in parentheses)</caption>
 *   <tr><th>Meter</th><th>Tags</th><th>Meaning</th></tr>
 *   <tr><td>{@code kerbgate.auth.requests} ({@code kerbgate_auth_requests_total})</td>
 *       <td>{@code result} ok/rejected; {@code reason} {@code ok}, a {@link RejectReason#tag()}, a
 *           {@link RequestReason#tag()} or {@code acceptor_error}; {@code service} the keytab principal that
 *           decrypted the ticket, or {@code none}; {@code kvno} its key version, or {@code none}</td>
 *       <td>authentication verdicts, including the proxy's own {@code no_header}, {@code duplicate_header} and
 *           {@code too_large} (header block over the limit). {@code access_denied} is not counted here: see
 *           {@code kerbgate_access_requests_total}</td></tr>
 *   <tr><td>{@code kerbgate.auth.latency} ({@code kerbgate_auth_latency_seconds})</td>
 *       <td>{@code result} ok/rejected; {@code ticket} {@code cold} (the ticket was decrypted) or {@code cached}
 *           (the ticket cache had it) for ok, {@code none} for rejected</td>
 *       <td>time spent in the acceptor per call; histogram from 1 µs to 1 s</td></tr>
 * </table>
 */
public final class AuthMetrics {

    public static final String AUTH_REQUESTS = "kerbgate.auth.requests";
    public static final String AUTH_LATENCY = "kerbgate.auth.latency";

    /** The {@code reason} tag when the acceptor broke its contract and threw. */
    public static final String ACCEPTOR_ERROR = "acceptor_error";

    /** The value of {@code service}, {@code kvno} and {@code ticket} where they do not apply. */
    public static final String NONE = "none";

    private final MeterRegistry registry;
    /** Accepted counters by (service, kvno), registered on first use: the key set decides which exist. */
    private final Map<ServiceKvno, Counter> accepted = new ConcurrentHashMap<>();
    private final Counter acceptorError;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Map<RequestReason, Counter> refused = new EnumMap<>(RequestReason.class);
    private final Timer latencyCold;
    private final Timer latencyCached;
    private final Timer latencyRejected;

    private record ServiceKvno(String service, int kvno) {}

    private AuthMetrics(MeterRegistry registry) {
        this.registry = registry;
        acceptorError = counter(registry, "rejected", ACCEPTOR_ERROR, NONE, NONE);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, counter(registry, "rejected", reason.tag(), NONE, NONE));
        }
        for (RequestReason reason : RequestReason.values()) {
            // Refusals after authentication are counted by their own step (access routes, delegation).
            if (reason != RequestReason.ACCESS_DENIED && reason != RequestReason.DELEGATION_REFUSED
                    && reason != RequestReason.DELEGATION_UNAVAILABLE) {
                refused.put(reason, counter(registry, "rejected", reason.tag(), NONE, NONE));
            }
        }
        latencyCold = timer(registry, "ok", "cold");
        latencyCached = timer(registry, "ok", "cached");
        latencyRejected = timer(registry, "rejected", NONE);
    }

    public static AuthMetrics create(MeterRegistry registry) {
        return new AuthMetrics(registry);
    }

    /** An accepted ticket and the acceptor's time on it. */
    public void accepted(Accepted accepted, long nanos) {
        this.accepted.computeIfAbsent(new ServiceKvno(accepted.service(), accepted.kvno()),
                k -> counter(registry, "ok", "ok", k.service(), Integer.toString(k.kvno()))).increment();
        (accepted.cachedTicket() ? latencyCached : latencyCold).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A refused token; {@code nanos} is negative when the acceptor was not called (headers too large). */
    public void rejected(RejectReason reason, long nanos) {
        rejected.get(reason).increment();
        if (nanos >= 0) {
            latencyRejected.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A request the gateway refused without asking the acceptor; {@code access_denied} is the access meter's. */
    public void refused(RequestReason reason) {
        Counter counter = refused.get(reason);
        if (counter != null) {
            counter.increment();
        }
    }

    public void acceptorError(long nanos) {
        acceptorError.increment();
        latencyRejected.record(nanos, TimeUnit.NANOSECONDS);
    }

    private static Counter counter(MeterRegistry registry, String result, String reason, String service, String kvno) {
        return Counter.builder(AUTH_REQUESTS)
                .description("Authentication verdicts")
                .tag("result", result)
                .tag("reason", reason)
                .tag("service", service)
                .tag("kvno", kvno)
                .register(registry);
    }

    private static Timer timer(MeterRegistry registry, String result, String ticket) {
        return Timer.builder(AUTH_LATENCY)
                .description("Time spent in the acceptor")
                .tag("result", result)
                .tag("ticket", ticket)
                .publishPercentileHistogram()
                // A cached ticket takes microseconds; the default histogram would start at 1 ms.
                .minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofSeconds(1))
                .register(registry);
    }
}
