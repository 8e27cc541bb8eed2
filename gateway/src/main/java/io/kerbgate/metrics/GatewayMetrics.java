package io.kerbgate.metrics;

import io.kerbgate.cache.TicketCache;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeytabWatcher;
import io.kerbgate.replay.LocalReplayCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/**
 * Binds the state of the key ring, the keytab watcher and the caches to meters, read when Prometheus scrapes. The
 * request path records its own meters in {@code proxy}; nothing here costs anything per request.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><td>{@code kerbgate_keys_versions}</td><td>key versions accepted (current and in grace)</td></tr>
 * <tr><td>{@code kerbgate_keys_newest_kvno}</td><td>the newest kvno of the first principal, to spot a lagging node</td></tr>
 * <tr><td>{@code kerbgate_keytab_reloads_total{result=ok|failed}}</td><td>keytab reloads by outcome</td></tr>
 * <tr><td>{@code kerbgate_keytab_last_reload_seconds}</td><td>epoch seconds of the last good reload</td></tr>
 * <tr><td>{@code kerbgate_ticket_cache_*}</td><td>Caffeine statistics of the ticket cache</td></tr>
 * <tr><td>{@code kerbgate_replay_cache_entries}</td><td>authenticators held by the local replay cache</td></tr>
 * </table>
 */
public final class GatewayMetrics {
    private GatewayMetrics() {}

    public static void bind(MeterRegistry registry, KeyRing ring, KeytabWatcher watcher, TicketCache ticketCache,
            LocalReplayCache replayCache) {
        Gauge.builder("kerbgate.keys.versions", ring, r -> r.current().allVersions().size())
                .description("key versions accepted, current and in grace")
                .register(registry);
        Gauge.builder("kerbgate.keys.newest.kvno", ring, r -> newestKvno(r.current()))
                .description("newest key version loaded (first acceptor principal)")
                .register(registry);
        FunctionCounter.builder("kerbgate.keytab.reloads", watcher, KeytabWatcher::reloadsOk)
                .tag("result", "ok").register(registry);
        FunctionCounter.builder("kerbgate.keytab.reloads", watcher, KeytabWatcher::reloadsFailed)
                .tag("result", "failed").register(registry);
        Gauge.builder("kerbgate.keytab.last.reload.seconds", watcher,
                        w -> w.lastReload() == null ? 0 : w.lastReload().getEpochSecond())
                .description("time of the last successful keytab load, epoch seconds")
                .register(registry);
        CaffeineCacheMetrics.monitor(registry, ticketCache.caffeine(), "kerbgate_ticket_cache");
        Gauge.builder("kerbgate.replay.cache.entries", replayCache, LocalReplayCache::size)
                .description("authenticators held by the local replay cache")
                .register(registry);
    }

    private static double newestKvno(KeySet keys) {
        return keys.principals().stream().sorted().findFirst()
                .map(p -> keys.kvnos(p).isEmpty() ? Double.NaN : keys.kvnos(p).last().doubleValue())
                .orElse(Double.NaN);
    }
}
