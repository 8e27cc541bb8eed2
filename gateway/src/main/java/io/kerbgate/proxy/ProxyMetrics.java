package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.metrics.AuthMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every meter of the proxy, registered once when the server is built; outcomes are tags, never names. Tag values are
 * bounded: backends come from the configuration.
 *
 * <table>
 *   <caption>Meters (Prometheus names in parentheses)</caption>
 *   <tr><th>Meter</th><th>Tags</th><th>Meaning</th></tr>
 *   <tr><td>{@code kerbgate.proxy.requests} ({@code kerbgate_proxy_requests_total})</td>
 *       <td>{@code status_class} 2xx..5xx, {@code backend} host:port or {@code none}</td>
 *       <td>responses sent to clients; {@code none} when the proxy answered by itself (refusals, bad requests).
 *           Exchanges cut off after the response head are not counted.</td></tr>
 *   <tr><td>{@code kerbgate.proxy.upstream.latency} ({@code kerbgate_proxy_upstream_latency_seconds})</td>
 *       <td>{@code backend}</td>
 *       <td>from writing the request head to the backend until its response head arrived; histogram</td></tr>
 *   <tr><td>{@code kerbgate.auth.*}</td><td colspan="2">authentication verdicts and acceptor latency: see
 *       {@link AuthMetrics}, to which this class hands them</td></tr>
 * </table>
 */
public final class ProxyMetrics {

    public static final String PROXY_REQUESTS = "kerbgate.proxy.requests";
    public static final String UPSTREAM_LATENCY = "kerbgate.proxy.upstream.latency";
    public static final String AUTH_REQUESTS = AuthMetrics.AUTH_REQUESTS;
    public static final String AUTH_LATENCY = AuthMetrics.AUTH_LATENCY;

    /** The {@code backend} tag of responses the proxy made itself. */
    public static final String NO_BACKEND = "none";

    /** The {@code reason} tag when the acceptor broke its contract and threw. */
    static final String ACCEPTOR_ERROR = AuthMetrics.ACCEPTOR_ERROR;

    private static final String[] STATUS_CLASSES = {"2xx", "3xx", "4xx", "5xx"};

    /** [backend index + 1][status class]: row 0 is {@link #NO_BACKEND}. */
    private final Counter[][] requests;
    private final Timer[] upstreamLatency;
    private final AuthMetrics auth;

    private ProxyMetrics(MeterRegistry registry, List<String> backends) {
        requests = new Counter[backends.size() + 1][STATUS_CLASSES.length];
        upstreamLatency = new Timer[backends.size()];
        for (int b = 0; b <= backends.size(); b++) {
            String backend = b == 0 ? NO_BACKEND : backends.get(b - 1);
            for (int c = 0; c < STATUS_CLASSES.length; c++) {
                requests[b][c] = Counter.builder(PROXY_REQUESTS)
                        .description("Responses sent to clients")
                        .tag("status_class", STATUS_CLASSES[c])
                        .tag("backend", backend)
                        .register(registry);
            }
            if (b > 0) {
                upstreamLatency[b - 1] = Timer.builder(UPSTREAM_LATENCY)
                        .description("Backend time to response head")
                        .tag("backend", backend)
                        .publishPercentileHistogram()
                        .register(registry);
            }
        }
        auth = AuthMetrics.create(registry);
    }

    static ProxyMetrics create(MeterRegistry registry, List<String> backendTags) {
        return new ProxyMetrics(registry, backendTags);
    }

    /** @param backend the backend's index, or -1 when the proxy answered by itself */
    void response(int backend, int status) {
        // Informational statuses are never final; anything above 599 is a broken backend.
        int statusClass = Math.min(Math.max(status / 100, 2), 5) - 2;
        requests[backend + 1][statusClass].increment();
    }

    void upstreamLatency(int backend, long nanos) {
        upstreamLatency[backend].record(nanos, TimeUnit.NANOSECONDS);
    }

    void authenticated(Accepted accepted, long nanos) {
        auth.accepted(accepted, nanos);
    }

    /** A refusal; {@code nanos} is negative when the acceptor was not called (no or two headers). */
    void rejected(RejectReason reason, long nanos) {
        auth.rejected(reason, nanos);
    }

    void acceptorError(long nanos) {
        auth.acceptorError(nanos);
    }
}
