package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.access.RequestReason;
import io.kerbgate.metrics.AuthMetrics;
import io.kerbgate.sessions.SessionCookies;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

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
 *   <tr><td>{@code kerbgate.proxy.backend.up} ({@code kerbgate_proxy_backend_up})</td><td>{@code backend}</td>
 *       <td>gauge: 1 while the backend may get requests (up by its health checks and not ejected), else 0</td></tr>
 *   <tr><td>{@code kerbgate.proxy.pool.connections} ({@code kerbgate_proxy_pool_connections})</td>
 *       <td>{@code backend}, {@code state} active/idle</td>
 *       <td>gauge: open backend connections, leased to a request (or connecting) or idle in the pool</td></tr>
 *   <tr><td>{@code kerbgate.proxy.retries} ({@code kerbgate_proxy_retries_total})</td><td>{@code backend}</td>
 *       <td>requests sent again to another backend after {@code backend} failed them before responding</td></tr>
 *   <tr><td>{@code kerbgate.proxy.bytes} ({@code kerbgate_proxy_bytes_total})</td><td>{@code direction} in/out</td>
 *       <td>body bytes received from clients ({@code in}) and sent to them ({@code out}), WebSocket bytes
 *           included</td></tr>
 *   <tr><td>{@code kerbgate.proxy.client.connections} ({@code kerbgate_proxy_client_connections})</td><td></td>
 *       <td>gauge: open client connections</td></tr>
 *   <tr><td>{@code kerbgate.proxy.client.rejected} ({@code kerbgate_proxy_client_rejected_total})</td><td></td>
 *       <td>client connections closed at accept because {@code limits.max_connections} were open</td></tr>
 *   <tr><td>{@code kerbgate.proxy.refused} ({@code kerbgate_proxy_refused_total})</td>
 *       <td>{@code reason}: {@link Refusal}</td>
 *       <td>requests refused for their framing or size (400, 431) before any backend saw them, and backend
 *           connections closed instead of pooled because of what their backend sent</td></tr>
 * </table>
 */
public final class ProxyMetrics {

    public static final String PROXY_REQUESTS = "kerbgate.proxy.requests";
    public static final String UPSTREAM_LATENCY = "kerbgate.proxy.upstream.latency";
    public static final String AUTH_REQUESTS = AuthMetrics.AUTH_REQUESTS;
    public static final String AUTH_LATENCY = AuthMetrics.AUTH_LATENCY;
    public static final String BACKEND_UP = "kerbgate.proxy.backend.up";
    public static final String POOL_CONNECTIONS = "kerbgate.proxy.pool.connections";
    public static final String RETRIES = "kerbgate.proxy.retries";
    public static final String BYTES = "kerbgate.proxy.bytes";
    public static final String CLIENT_CONNECTIONS = "kerbgate.proxy.client.connections";
    public static final String CLIENT_REJECTED = "kerbgate.proxy.client.rejected";
    public static final String REFUSED = "kerbgate.proxy.refused";

    /** Why a request, or a backend connection, was refused: the {@code reason} tag of {@link #REFUSED}. */
    enum Refusal {
        /** The framing guard ({@link RequestFraming}): ambiguous or malformed framing, 400. */
        FRAMING("framing"),
        /** A header block or line over the limits, 431 (the decoder's and the guard's alike). */
        TOO_LARGE("too_large"),
        /** Anything else the HTTP decoder could not read, 400. */
        MALFORMED("malformed"),
        /** A body no {@code Content-Length} or {@code Transfer-Encoding} announces (Hixie-76), 400. */
        IMPLIED_BODY("implied_body"),
        /** A backend sent bytes after a complete response: its connection was closed, not pooled. */
        BACKEND_EXTRA_BYTES("backend_extra_bytes"),
        /** A connection without a valid PROXY header, or from outside {@code proxy_protocol.from}: closed. */
        PROXY_PROTOCOL("proxy_protocol"),
        /** Forward-auth mode: a request from outside {@code forward_auth.trusted_from}, 403 and a close. */
        FORWARD_AUTH_UNTRUSTED("forward_auth_untrusted");

        final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }
    }
    /** Requests that went through on a session instead of a Negotiate token; tags {@code kind}, {@code result}. */
    public static final String SESSION_REQUESTS = "kerbgate.sessions.requests";

    /** The {@code backend} tag of responses the proxy made itself. */
    public static final String NO_BACKEND = "none";

    /** The {@code reason} tag when the acceptor broke its contract and threw. */
    static final String ACCEPTOR_ERROR = AuthMetrics.ACCEPTOR_ERROR;

    private static final String[] STATUS_CLASSES = {"2xx", "3xx", "4xx", "5xx"};

    /** [backend index + 1][status class]: row 0 is {@link #NO_BACKEND}. */
    private final Counter[][] requests;
    private final Timer[] upstreamLatency;
    private final AuthMetrics auth;
    private final Counter[] retries;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter clientRejected;
    private final Counter[] refused;
    private final Counter connectionSessionUsed;
    private final Counter cookieUsed;
    private final Counter cookieInvalid;
    private final Counter cookieExpired;
    private final MeterRegistry registry;

    private ProxyMetrics(MeterRegistry registry, List<String> backends) {
        this.registry = registry;
        retries = new Counter[backends.size()];
        for (int b = 0; b < backends.size(); b++) {
            retries[b] = Counter.builder(RETRIES)
                    .description("Requests retried on another backend after this one failed before responding")
                    .tag("backend", backends.get(b))
                    .register(registry);
        }
        bytesIn = Counter.builder(BYTES).description("Body bytes").baseUnit("bytes").tag("direction", "in")
                .register(registry);
        bytesOut = Counter.builder(BYTES).description("Body bytes").baseUnit("bytes").tag("direction", "out")
                .register(registry);
        clientRejected = Counter.builder(CLIENT_REJECTED)
                .description("Client connections closed at accept: limits.max_connections reached")
                .register(registry);
        refused = new Counter[Refusal.values().length];
        for (Refusal r : Refusal.values()) {
            refused[r.ordinal()] = Counter.builder(REFUSED)
                    .description("Requests refused for their framing or size; backend connections not pooled")
                    .tag("reason", r.tag)
                    .register(registry);
        }
        connectionSessionUsed = Counter.builder(SESSION_REQUESTS)
                .description("Requests authenticated by a session (sessions.*) rather than a Negotiate token")
                .tag("kind", "connection")
                .tag("result", "used")
                .register(registry);
        cookieUsed = cookieCounter(registry, "used");
        cookieInvalid = cookieCounter(registry, "invalid");
        cookieExpired = cookieCounter(registry, "expired");
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

    /** Registers the gauges that read the pool and its health. */
    void bindPool(List<Backend> backends, BackendHealth health, IntSupplier clientConnections) {
        for (Backend backend : backends) {
            int index = backend.index();
            Gauge.builder(BACKEND_UP, health, h -> h.view().available(index, h.now()) ? 1 : 0)
                    .description("1 while the backend may get requests")
                    .tag("backend", backend.authority())
                    .register(registry);
            Gauge.builder(POOL_CONNECTIONS, backend, b -> Math.max(0, b.openConnections() - b.idleConnections()))
                    .description("Open backend connections")
                    .tag("backend", backend.authority())
                    .tag("state", "active")
                    .register(registry);
            Gauge.builder(POOL_CONNECTIONS, backend, Backend::idleConnections)
                    .description("Open backend connections")
                    .tag("backend", backend.authority())
                    .tag("state", "idle")
                    .register(registry);
        }
        Gauge.builder(CLIENT_CONNECTIONS, clientConnections::getAsInt)
                .description("Open client connections")
                .register(registry);
    }

    void retry(int backend) {
        retries[backend].increment();
    }

    void bytesIn(long bytes) {
        bytesIn.increment(bytes);
    }

    void bytesOut(long bytes) {
        bytesOut.increment(bytes);
    }

    void clientRejected() {
        clientRejected.increment();
    }

    void refused(Refusal reason) {
        refused[reason.ordinal()].increment();
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

    /** A refused token; {@code nanos} is negative when the acceptor was not called (headers too large). */
    void rejected(RejectReason reason, long nanos) {
        auth.rejected(reason, nanos);
    }

    /** A request refused without the acceptor (no or two headers, a bad target, no keys yet). */
    void requestRefused(RequestReason reason) {
        auth.refused(reason);
    }

    private static Counter cookieCounter(MeterRegistry registry, String result) {
        return Counter.builder(SESSION_REQUESTS)
                .description("Requests authenticated by a session (sessions.*) rather than a Negotiate token")
                .tag("kind", "cookie")
                .tag("result", result)
                .register(registry);
    }

    /** A request without {@code Authorization} and its session cookie: used, or ignored as invalid or expired. */
    void cookieSession(SessionCookies.Result result) {
        switch (result) {
            case USED -> cookieUsed.increment();
            case INVALID -> cookieInvalid.increment();
            case EXPIRED -> cookieExpired.increment();
            case ABSENT -> { }
        }
    }

    /** A request without {@code Authorization} that went through as its connection's principal. */
    void connectionSessionUsed() {
        connectionSessionUsed.increment();
    }

    void acceptorError(long nanos) {
        auth.acceptorError(nanos);
    }
}
