package io.kerbgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabWatcher;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exported names of {@link GatewayMetrics} and {@link AuthMetrics}, as Prometheus scrapes them. */
final class GatewayMetricsTest {

    private static final String HTTP = "HTTP/array.example.test@ARRAY.TEST";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final Metrics metrics = Metrics.create();
    private final KeyRing ring = new KeyRing(List.of(), Duration.ofHours(10), clock);

    @AfterEach
    void close() {
        metrics.close();
    }

    // Held by the test as the acceptor holds them in a gateway: Micrometer's gauges keep only weak references, and a
    // cache collected before the scrape reads NaN.
    private final TicketCache ticketCache = new TicketCache(100, Ticker.systemTicker());
    private final LocalReplayCache replayCache = new LocalReplayCache(5_000, Ticker.systemTicker());
    private KeytabWatcher watcher;

    private void bind() {
        watcher = new KeytabWatcher(Path.of("unused.keytab"), ring);
        GatewayMetrics.bind(metrics.registry(), clock, ring, watcher, ticketCache, replayCache, 5_000);
    }

    private static KeytabEntry entry(int kvno) {
        return new KeytabEntry(HTTP, 1, 0, kvno, 18, new byte[32]);
    }

    private String scrape() {
        return metrics.registry().scrape();
    }

    private void assertLine(String line) {
        String scrape = scrape();
        assertTrue(scrape.lines().anyMatch(line::equals), line + " not in\n" + scrape);
    }

    @Test
    void keys_afterARoll_showCurrentAndGrace_newestKvno_andTimeLeftInGrace() throws Exception {
        bind();
        ring.update(List.of(entry(3)), T0);
        ring.update(List.of(entry(4)), T0);
        clock.advance(Duration.ofHours(1));

        assertLine("kerbgate_keys_kvnos{principal=\"" + HTTP + "\",state=\"current\",} 1.0");
        assertLine("kerbgate_keys_kvnos{principal=\"" + HTTP + "\",state=\"grace\",} 1.0");
        assertLine("kerbgate_keys_newest_kvno{principal=\"" + HTTP + "\",} 4.0");
        assertLine("kerbgate_keys_grace_remaining_seconds{kvno=\"3\",principal=\"" + HTTP + "\",} 32400.0");
        assertLine("kerbgate_keys_versions 2.0");

        clock.advance(Duration.ofHours(9));
        ring.retireExpired();

        assertLine("kerbgate_keys_kvnos{principal=\"" + HTTP + "\",state=\"grace\",} 0.0");
        assertFalse(scrape().contains("kerbgate_keys_grace_remaining_seconds{"), "retired kvno's row is gone");
    }

    @Test
    void currentKvnoFirstSeen_isWhenThisNodeFirstLoadedTheNewestKvno_andMovesWithARoll() throws Exception {
        bind();
        ring.update(List.of(entry(3)), T0);
        clock.advance(Duration.ofHours(5));
        // Reloading the same keytab keeps kvno 3's first sighting.
        ring.update(List.of(entry(3)), clock.instant());

        assertLine("kerbgate_keys_current_kvno_first_seen_seconds{principal=\"" + HTTP + "\",} " + seconds(T0));

        Instant rolled = clock.instant();
        ring.update(List.of(entry(3), entry(4)), rolled);

        assertLine("kerbgate_keys_current_kvno_first_seen_seconds{principal=\"" + HTTP + "\",} " + seconds(rolled));
    }

    private static String seconds(Instant at) {
        return Double.toString(at.getEpochSecond());
    }

    @Test
    void caches_andKeytab_areExportedUnderKerbgateNames() {
        bind();

        assertLine("kerbgate_ticket_cache_requests_total{result=\"hit\",} 0.0");
        assertLine("kerbgate_ticket_cache_requests_total{result=\"miss\",} 0.0");
        assertLine("kerbgate_ticket_cache_evictions_total 0.0");
        assertLine("kerbgate_ticket_cache_entries 0.0");
        assertLine("kerbgate_replay_cache_entries 0.0");
        assertLine("kerbgate_replay_cache_capacity 5000.0");
        assertLine("kerbgate_keytab_reloads_total{result=\"ok\",} 0.0");
        assertLine("kerbgate_keytab_reloads_total{result=\"failed\",} 0.0");
        assertLine("kerbgate_keytab_last_reload_seconds 0.0");
        // What Micrometer's CaffeineCacheMetrics would have exported instead.
        assertFalse(scrape().contains("cache_gets_total"), scrape());
    }

    @Test
    void auth_acceptedCarryServiceAndKvno_refusalsNone_latencySplitColdCached() {
        AuthMetrics auth = AuthMetrics.create(metrics.registry());

        auth.accepted(new Accepted("alice@ARRAY.TEST", HTTP, 4, 18, null, false), 50_000);
        auth.accepted(new Accepted("bob@ARRAY.TEST", HTTP, 4, 18, null, true), 5_000);
        auth.accepted(new Accepted("carol@ARRAY.TEST", HTTP, 3, 18, null, true), 5_000);
        auth.rejected(RejectReason.BADKEYVER, 10_000);

        assertLine("kerbgate_auth_requests_total{kvno=\"4\",reason=\"ok\",result=\"ok\",service=\"" + HTTP + "\",} 2.0");
        assertLine("kerbgate_auth_requests_total{kvno=\"3\",reason=\"ok\",result=\"ok\",service=\"" + HTTP + "\",} 1.0");
        assertLine("kerbgate_auth_requests_total{kvno=\"none\",reason=\"badkeyver\",result=\"rejected\","
                + "service=\"none\",} 1.0");
        assertLine("kerbgate_auth_latency_seconds_count{result=\"ok\",ticket=\"cold\",} 1.0");
        assertLine("kerbgate_auth_latency_seconds_count{result=\"ok\",ticket=\"cached\",} 2.0");
        assertLine("kerbgate_auth_latency_seconds_count{result=\"rejected\",ticket=\"none\",} 1.0");
        assertFalse(scrape().contains("alice"), "no principal names in metrics");
        assertFalse(scrape().contains("reason=\"access_denied\""), "access denials are counted by the routes");
    }
}
