package io.kerbgate.rollover.node;

import io.kerbgate.config.Durations;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.keys.KeysReport;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.rollover.HeldKeys;
import io.kerbgate.rollover.NodeException;
import io.kerbgate.rollover.NodeTarget;
import io.kerbgate.rollover.kdc.Kadmin;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A node reached through its admin API. This is the client side of the contract the admin server implements:
 * <ul>
 *   <li>{@code GET /keys}: 200 with a {@link KeysReport} (JSON), what the gateway has loaded;</li>
 *   <li>{@code PUT /keys}, body a keytab ({@code application/octet-stream}): the node adds these entries to the keytab
 *       it watches, alongside its own (an entry of the same principal, kvno and enctype is replaced), writes it
 *       atomically and answers 2xx once the file is written. The same body twice changes nothing;</li>
 *   <li>{@code DELETE /keys?principal=P&below_kvno=N}: the node removes P's kvnos below N from its keytab; 2xx.</li>
 * </ul>
 * Keys never travel in clear: {@link #install} and {@link #retireBelow} refuse an {@code http://} admin URL unless
 * its host is a loopback address (the tool runs on the node); use {@code https://}, verified against the array file's
 * {@code admin_ca} with the host name checked ({@link AdminTransport}). The node refuses plain writes from elsewhere
 * too ({@code admin.plain_key_writes_from}).
 *
 * <p>Loading is the gateway's own business (its watcher), so {@link #verify} polls {@code GET /keys} until the new kvno
 * shows up or the verify timeout passes. The report carries no key bytes, so only kvno and enctypes are compared.
 */
public final class AdminApiNode implements NodeTarget {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(250);

    private final String name;
    private final URI base;
    private final @Nullable URI front;
    private final HttpClient http;
    private final AdminAuth auth;
    private final Duration verifyTimeout;

    public AdminApiNode(String name, URI base, @Nullable URI front, HttpClient http, AdminAuth auth, Duration verifyTimeout) {
        this.name = name;
        this.base = base;
        this.front = front;
        this.http = http;
        this.auth = auth;
        this.verifyTimeout = verifyTimeout;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public HeldKeys held(String principal) throws NodeException {
        Map<Integer, Set<Integer>> byKvno = new TreeMap<>();
        // What the node's keytab lists, as a keytab file node reports it: a version in grace has left the keytab and
        // is only still accepted (GET /keys shows it; keys status reads the report itself).
        for (KeysReport.Version v : report().versions(principal)) {
            if (!v.inGrace()) {
                byKvno.put(v.kvno(), new TreeSet<>(v.enctypeIds()));
            }
        }
        return HeldKeys.of(byKvno);
    }

    /** What {@code GET /keys} answers now. */
    KeysReport report() throws NodeException {
        HttpResponse<String> response = send(request("/keys").GET(), HttpResponse.BodyHandlers.ofString());
        requireSuccess("GET /keys", response.statusCode(), response.body());
        try {
            return KeysReport.fromJson(response.body());
        } catch (IllegalArgumentException e) {
            throw new NodeException(name, "GET /keys answered something else than a keys report: " + e.getMessage());
        }
    }

    @Override
    public void install(List<KeytabEntry> entries) throws NodeException {
        requireConfidential("PUT /keys");
        HttpResponse<String> response = send(request("/keys")
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(KeytabFile.write(entries))),
                HttpResponse.BodyHandlers.ofString());
        requireSuccess("PUT /keys", response.statusCode(), response.body());
    }

    @Override
    public void verify(List<KeytabEntry> expected) throws NodeException {
        Map<String, Map<Integer, Set<Integer>>> wanted = new TreeMap<>();
        for (KeytabEntry e : expected) {
            wanted.computeIfAbsent(e.principal(), p -> new TreeMap<>())
                    .computeIfAbsent(e.kvno(), k -> new TreeSet<>()).add(e.enctype());
        }
        long deadline = System.nanoTime() + verifyTimeout.toNanos();
        String missing;
        while (true) {
            missing = missing(report(), wanted);
            if (missing == null) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new NodeException(name, "GET /keys still lacks " + missing + " after "
                        + Durations.format(verifyTimeout) + " (is its gateway watching the keytab it was given?)");
            }
            sleep();
        }
    }

    private static @Nullable String missing(KeysReport report, Map<String, Map<Integer, Set<Integer>>> wanted) {
        for (var principal : wanted.entrySet()) {
            for (var kvno : principal.getValue().entrySet()) {
                Optional<KeysReport.Version> v = report.version(principal.getKey(), kvno.getKey());
                if (v.isEmpty() || v.get().inGrace() || !v.get().enctypeIds().containsAll(kvno.getValue())) {
                    List<String> names = new ArrayList<>();
                    kvno.getValue().forEach(id -> names.add(Enctype.describe(id)));
                    return principal.getKey() + " kvno " + kvno.getKey() + " " + names;
                }
            }
        }
        return null;
    }

    @Override
    public List<Integer> retireBelow(String principal, int keepFrom) throws NodeException {
        List<Integer> before = new ArrayList<>(held(principal).kvnos().headSet(keepFrom));
        if (before.isEmpty()) {
            return before;
        }
        requireConfidential("DELETE /keys");
        String query = "?principal=" + URLEncoder.encode(principal, StandardCharsets.UTF_8) + "&below_kvno=" + keepFrom;
        HttpResponse<String> response = send(request("/keys" + query).DELETE(), HttpResponse.BodyHandlers.ofString());
        requireSuccess("DELETE /keys", response.statusCode(), response.body());
        return before;
    }

    /** Refuses a key write that would cross the network in clear: {@code http://} to anything but loopback. */
    private void requireConfidential(String what) throws NodeException {
        if ("https".equalsIgnoreCase(base.getScheme()) || isLoopback(base.getHost())) {
            return;
        }
        throw new NodeException(name, "refusing " + what + " to " + base + ": plain HTTP to another host would carry"
                + " the key in clear. Give the node admin.tls and use https:// (with admin_ca in the array file)");
    }

    /** A loopback literal ({@code 127.0.0.0/8}, {@code ::1}) or {@code localhost}; never a name resolved by DNS. */
    static boolean isLoopback(@Nullable String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** {@code GET /readyz} and {@code GET /keys}: what the gateway itself has loaded; down when neither answers. */
    @Override
    public Optional<GatewayState> gateway(String principal) {
        HttpResponse<String> readyz;
        try {
            readyz = http.send(HttpRequest.newBuilder(base.resolve("/readyz")).timeout(REQUEST_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Optional.of(GatewayState.down("admin API " + base + " does not answer (" + e
                    + "): the gateway is down or unreachable"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(GatewayState.down("interrupted"));
        }
        Map<Integer, Set<Integer>> current = new TreeMap<>();
        java.util.SortedSet<Integer> grace = new TreeSet<>();
        try {
            for (KeysReport.Version v : report().versions(principal)) {
                if (v.inGrace()) {
                    grace.add(v.kvno());
                } else {
                    current.put(v.kvno(), new TreeSet<>(v.enctypeIds()));
                }
            }
        } catch (NodeException e) {
            return Optional.of(GatewayState.down(e.getMessage()));
        }
        boolean ready = readyz.statusCode() == 200;
        return Optional.of(new GatewayState(true, ready, Kadmin.oneLine(readyz.body().strip()), HeldKeys.of(current),
                grace));
    }

    @Override
    public Optional<List<KeytabEntry>> entries() {
        return Optional.empty();
    }

    @Override
    public Optional<URI> front() {
        return Optional.ofNullable(front);
    }

    private HttpRequest.Builder request(String pathAndQuery) throws NodeException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(REQUEST_TIMEOUT);
        try {
            auth.apply(builder);
        } catch (IOException e) {
            throw new NodeException(name, "cannot authenticate to the admin API: " + e.getMessage(), e);
        }
        return builder;
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler)
            throws NodeException {
        HttpRequest built = request.build();
        try {
            return http.send(built, handler);
        } catch (IOException e) {
            throw new NodeException(name, built.method() + " " + built.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException(name, "interrupted during " + built.method() + " " + built.uri(), e);
        }
    }

    private void requireSuccess(String what, int status, String body) throws NodeException {
        if (status / 100 != 2) {
            String snippet = body.length() > 200 ? body.substring(0, 200) + "..." : body;
            throw new NodeException(name, what + " answered " + status + (snippet.isBlank() ? "" : ": "
                    + Kadmin.oneLine(snippet)));
        }
    }

    private void sleep() throws NodeException {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException(name, "interrupted while waiting for GET /keys", e);
        }
    }
}
