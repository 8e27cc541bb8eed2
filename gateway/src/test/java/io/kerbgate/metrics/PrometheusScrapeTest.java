package io.kerbgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kerbgate.Kerbgate;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.logging.LogCapture;
import io.kerbgate.testing.FreePorts;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.KerbyKdc;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.RunningProcess;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's metrics as an operator sees them: two gateways in process, a real Kerby KDC and JDK GSS client, and
 * Debian's real Prometheus ({@code /usr/bin/prometheus}) scraping both admin ports every second with the shipped
 * alerting rules loaded. Known traffic goes in; the counts come back out of Prometheus's HTTP API.
 *
 * <p>Node A holds the KDC's key as kvno 1 and has the access routes of the issue. Node B holds the same key but as
 * kvno 5, rolled to 6 once started: it refuses kvno-1 tickets with badkeyver, has kvno 5 in grace, and is a kvno
 * ahead of A, so A "lags" for the alert that compares nodes.
 */
final class PrometheusScrapeTest {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final String REALM = "METRICS.TEST";
    private static final String SERVICE = "HTTP/array.example.test@" + REALM;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static KerbyKdc kdc;
    private static EchoBackend backend;
    private static Kerbgate nodeA;
    private static Kerbgate nodeB;
    private static RunningProcess prometheus;
    private static int prometheusPort;
    private static String a;
    private static String b;
    private static List<String> badkeyverLines;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), PROMETHEUS + " is not installed (Debian package prometheus; "
                + ".ci/install-test-deps installs it): the Prometheus scrape test is skipped");
        backend = EchoBackend.start("node");
        kdc = KerbyKdc.start(REALM);
        kdc.createPrincipal("alice@" + REALM, "alice-pw");
        Path keytabA = dir.resolve("a.keytab");
        kdc.createServicePrincipalWithKeytab(SERVICE, keytabA, 17, 18);
        Path keytabB = dir.resolve("b.keytab");
        KeytabFile.writeAtomically(keytabB, withKvno(keytabA, 5));

        nodeA = Kerbgate.start(ConfigLoader.parse(config(keytabA) + """
                routes:
                  - {name: health, path: /healthz, anonymous: true}
                  - {name: admin, path: /admin/, allow: {principals: [root@METRICS.TEST]}}
                """, dir));
        nodeB = Kerbgate.start(ConfigLoader.parse(config(keytabB), dir));
        a = "127.0.0.1:" + nodeA.adminPort();
        b = "127.0.0.1:" + nodeB.adminPort();
        KeytabFile.writeAtomically(keytabB, withKvno(keytabA, 6));

        prometheus = startPrometheus();
        await("both nodes scraped", "count(up{job=\"kerbgate\"} == 1)", v -> v == 2);
        await("node B reloaded its rolled keytab",
                "kerbgate_keys_newest_kvno{instance=\"" + b + "\"}", v -> v == 6);

        sendTraffic();
        double done = System.currentTimeMillis() / 1000.0;
        await("a scrape after the traffic", "min(timestamp(up{job=\"kerbgate\"}))", v -> v > done + 0.1);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {prometheus, nodeA, nodeB, kdc, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String config(Path keytab) {
        return """
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  replay_cache_file: replay-%s.cache
                """.formatted(keytab.getFileName(), backend.port(), java.util.UUID.randomUUID());
    }

    /** The keytab's entries under another kvno: the same key, as a roll that re-used it would write them. */
    private static List<KeytabEntry> withKvno(Path keytab, int kvno) throws Exception {
        return KeytabFile.parse(Files.readAllBytes(keytab)).stream()
                .map(e -> new KeytabEntry(e.principal(), e.nameType(), e.timestamp(), kvno, e.enctype(), e.key()))
                .toList();
    }

    /**
     * Node A: 5 accepted requests (the first decrypts the ticket, the other four hit the ticket cache), 3 replays of
     * one of those tokens, 2 requests without Authorization, 1 accepted principal refused by the admin route (403),
     * 1 anonymous health check. Node B: 2 kvno-1 tickets, refused with badkeyver.
     */
    private static void sendTraffic() throws Exception {
        try (GssClient client = GssClient.withPassword(kdc.krb5Conf(), "alice@" + REALM, "alice-pw")) {
            String target = SERVICE;
            String replayed = null;
            for (int i = 0; i < 5; i++) {
                String header = client.negotiate(target, GssMech.SPNEGO, true).headerValue();
                assertEquals(200, get(nodeA, "/hello", header));
                replayed = header;
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(401, get(nodeA, "/hello", replayed));
            }
            assertEquals(401, get(nodeA, "/hello", null));
            assertEquals(401, get(nodeA, "/hello", null));
            assertEquals(403, get(nodeA, "/admin/", client.negotiate(target, GssMech.SPNEGO, true).headerValue()));
            assertEquals(200, get(nodeA, "/healthz", null));

            try (LogCapture log = LogCapture.refusals()) {
                for (int i = 0; i < 2; i++) {
                    assertEquals(401, get(nodeB, "/hello", client.negotiate(target, GssMech.SPNEGO, true)
                            .headerValue()));
                }
                badkeyverLines = log.lines();
            }
        }
    }

    private static int get(Kerbgate node, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.frontPort() + path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    // --- the counts, from Prometheus ---

    @Test
    void authentications_byResultAndReason() throws Exception {
        assertEquals(6, value("sum(kerbgate_auth_requests_total{instance=\"" + a + "\",result=\"ok\"})"),
                "5 to /hello and 1 to /admin/ authenticated (the 403 comes after)");
        assertEquals(3, value("sum(kerbgate_auth_requests_total{instance=\"" + a + "\",reason=\"replay\"})"));
        assertEquals(2, value("sum(kerbgate_auth_requests_total{instance=\"" + a + "\",reason=\"no_header\"})"));
        assertEquals(5, value("sum(kerbgate_auth_requests_total{instance=\"" + a + "\",result=\"rejected\"})"));
        assertEquals(2, value("sum(kerbgate_auth_requests_total{instance=\"" + b + "\",reason=\"badkeyver\"})"));
        assertEquals(0, value("sum(kerbgate_auth_requests_total{instance=\"" + b + "\",result=\"ok\"})"));
    }

    @Test
    void accepted_areTaggedWithServiceAndKvno_neverThePrincipal() throws Exception {
        assertEquals(6, value("kerbgate_auth_requests_total{instance=\"" + a + "\",result=\"ok\",service=\""
                + SERVICE + "\",kvno=\"1\"}"));
        assertEquals(0, value("count(kerbgate_auth_requests_total{client=~\".+\"})"));
        assertEquals(0, value("count({__name__=~\"kerbgate_.*\", service=~\"alice.*\"})"));
    }

    @Test
    void acceptorLatency_splitColdAndCached() throws Exception {
        String ok = "kerbgate_auth_latency_seconds_count{instance=\"" + a + "\",result=\"ok\"";
        assertEquals(1, value(ok + ",ticket=\"cold\"}"));
        assertEquals(5, value(ok + ",ticket=\"cached\"}"));
        assertEquals(3, value("kerbgate_auth_latency_seconds_count{instance=\"" + a + "\",result=\"rejected\"}"),
                "the replays went through the acceptor; the requests without a header did not");
        assertTrue(value("histogram_quantile(0.5, sum by (le) (kerbgate_auth_latency_seconds_bucket{instance=\""
                + a + "\",ticket=\"cached\"}))") < 1.0);
    }

    @Test
    void caches() throws Exception {
        assertEquals(1, value("kerbgate_ticket_cache_requests_total{instance=\"" + a + "\",result=\"miss\"}"));
        assertEquals(8, value("kerbgate_ticket_cache_requests_total{instance=\"" + a + "\",result=\"hit\"}"),
                "4 accepted, 1 denied by the route, 3 replays (refused after the ticket)");
        assertEquals(1, value("kerbgate_ticket_cache_entries{instance=\"" + a + "\"}"));
        assertEquals(6, value("kerbgate_replay_cache_entries{instance=\"" + a + "\"}"));
        assertEquals(1_000_000, value("kerbgate_replay_cache_capacity{instance=\"" + a + "\"}"));
    }

    @Test
    void accessRoutes_andProxyResponses() throws Exception {
        String access = "kerbgate_access_requests_total{instance=\"" + a + "\",";
        assertEquals(1, value(access + "route=\"admin\",decision=\"denied\"}"));
        assertEquals(1, value(access + "route=\"health\",decision=\"anonymous\"}"));
        assertEquals(5, value(access + "route=\"none\",decision=\"allowed\"}"));
        String proxy = "sum(kerbgate_proxy_requests_total{instance=\"" + a + "\",";
        assertEquals(6, value(proxy + "status_class=\"2xx\"})"));
        assertEquals(6, value(proxy + "status_class=\"4xx\",backend=\"none\"})"));
        assertEquals(6, value("sum(kerbgate_proxy_upstream_latency_seconds_count{instance=\"" + a + "\"})"));
    }

    @Test
    void keys_currentGraceNewestAndReloads() throws Exception {
        String principal = ",principal=\"" + SERVICE + "\"";
        assertEquals(1, value("kerbgate_keys_newest_kvno{instance=\"" + a + "\"" + principal + "}"));
        assertEquals(6, value("kerbgate_keys_newest_kvno{instance=\"" + b + "\"" + principal + "}"));
        assertEquals(1, value("kerbgate_keys_kvnos{instance=\"" + b + "\"" + principal + ",state=\"current\"}"));
        assertEquals(1, value("kerbgate_keys_kvnos{instance=\"" + b + "\"" + principal + ",state=\"grace\"}"));
        assertEquals(0, value("kerbgate_keys_kvnos{instance=\"" + a + "\"" + principal + ",state=\"grace\"}"));
        // Grace is 10 h plus the 5 min skew, counted from the reload a few seconds ago.
        double left = value("kerbgate_keys_grace_remaining_seconds{instance=\"" + b + "\",kvno=\"5\"}");
        assertTrue(left > 36_300 - 120 && left <= 36_300, "grace left " + left);
        assertEquals(2, value("kerbgate_keytab_reloads_total{instance=\"" + b + "\",result=\"ok\"}"));
        assertEquals(0, value("kerbgate_keytab_reloads_total{instance=\"" + b + "\",result=\"failed\"}"));
        assertTrue(value("time() - kerbgate_keytab_last_reload_seconds{instance=\"" + b + "\"}") < 120);
    }

    @Test
    void shippedAlerts_goPendingForTheLaggingNodeAndTheBadkeyverRefusals() throws Exception {
        await("KerbgateNodeLagsKvno pending", "count(ALERTS{alertname=\"KerbgateNodeLagsKvno\",alertstate="
                + "\"pending\",instance=\"" + a + "\",principal=\"" + SERVICE + "\"})", v -> v == 1);
        await("KerbgateBadKeyVersion pending", "count(ALERTS{alertname=\"KerbgateBadKeyVersion\",alertstate="
                + "\"pending\",instance=\"" + b + "\"})", v -> v == 1);
        assertEquals(0, value("count(ALERTS{alertname=\"KerbgateNodeLagsKvno\",instance=\"" + b + "\"})"));
    }

    @Test
    void badkeyverRefusal_logsTheTicketKvnoAgainstTheKeytabs_withAHint() {
        assertEquals(2, badkeyverLines.size(), badkeyverLines.toString());
        String line = badkeyverLines.get(0);
        assertTrue(line.startsWith("auth refused reason=badkeyver status=401 client=127.0.0.1:"), line);
        assertTrue(line.contains(" service=" + SERVICE + " kvno=1 enctype=aes256-cts-hmac-sha1-96 keytab_kvnos=5,6 "
                + "keytab_enctypes=aes256-cts-hmac-sha1-96,aes128-cts-hmac-sha1-96 "), line);
        assertTrue(line.contains("hint=\"ticket kvno 1 but keytab has 5,6: the client holds a ticket from before the "
                + "last roll, or the KDC was updated before this node"), line);
    }

    @Test
    void everyMetricTheAlertsAndTheDashboardUse_isExported() throws Exception {
        JsonNode names = api("/api/v1/label/__name__/values").path("data");
        Set<String> exported = new TreeSet<>();
        names.forEach(n -> exported.add(n.asText()));
        Set<String> used = new TreeSet<>();
        for (String file : List.of("kerbgate-alerts.yml", "grafana-dashboard.json")) {
            Matcher m = Pattern.compile("kerbgate_[a-z_]+").matcher(Files.readString(confPrometheus().resolve(file)));
            while (m.find()) {
                used.add(m.group());
            }
        }
        used.removeAll(exported);
        // The rollover's metrics come from keys roll --metrics-file through node_exporter, not from a node:
        // RolloverMetricsFileTest checks those names against the file.
        used.removeIf(name -> name.startsWith("kerbgate_rollover_"));
        assertEquals(Set.of(), used, "used by the alerts or the dashboard but not exported");
    }

    // --- Prometheus ---

    private static RunningProcess startPrometheus() throws Exception {
        prometheusPort = FreePorts.tcp();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: kerbgate
                    scrape_timeout: 1s
                    static_configs:
                      - targets: ['%s', '%s']
                        labels: {array: test}
                """.formatted(confPrometheus().resolve("kerbgate-alerts.yml"), a, b));
        RunningProcess process = Processes.command(PROMETHEUS.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("tsdb")),
                "--web.listen-address=127.0.0.1:" + prometheusPort,
                "--log.level=warn").start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String err = process.stderr();
                process.close();
                throw new AssertionError("prometheus did not become ready:\n" + err);
            }
            Thread.sleep(200);
        }
    }

    private static String base() {
        return "http://127.0.0.1:" + prometheusPort;
    }

    private static JsonNode api(String pathAndQuery) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("success", body.path("status").asText(), r.body());
        return body;
    }

    /** The instant vector of {@code promql}, as label maps with their value. */
    private static List<Map.Entry<JsonNode, Double>> query(String promql) throws Exception {
        JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data");
        List<Map.Entry<JsonNode, Double>> out = new ArrayList<>();
        if (data.path("resultType").asText().equals("scalar")) {
            out.add(Map.entry(JSON.createObjectNode(), data.path("result").get(1).asDouble()));
            return out;
        }
        for (JsonNode series : data.path("result")) {
            out.add(Map.entry(series.path("metric"), series.path("value").get(1).asDouble()));
        }
        return out;
    }

    /** The one value of {@code promql}; an empty result counts as 0 (a count() over nothing is empty). */
    private static double value(String promql) throws Exception {
        List<Map.Entry<JsonNode, Double>> result = query(promql);
        if (result.isEmpty()) {
            return 0;
        }
        assertEquals(1, result.size(), promql + " returned " + result);
        return result.get(0).getValue();
    }

    private static void await(String what, String promql, DoublePredicate done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        double last = Double.NaN;
        while (System.nanoTime() < deadline) {
            List<Map.Entry<JsonNode, Double>> result = query(promql);
            if (result.size() == 1) {
                last = result.get(0).getValue();
                if (done.test(last)) {
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for " + what + ": " + promql + " = " + last
                + "\n--- prometheus stderr ---\n" + prometheus.stderr());
    }

    /** {@code conf/prometheus} of the repository; surefire runs in the module directory. */
    static Path confPrometheus() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("conf/prometheus");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("conf/prometheus not found above " + Path.of("").toAbsolutePath());
    }
}
