package io.kerbgate.metrics;

import io.kerbgate.cache.TicketCache;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeyVersion;
import io.kerbgate.keys.KeytabWatcher;
import io.kerbgate.replay.LocalReplayCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Binds the state of the key ring, the keytab watcher and the caches to meters, read when Prometheus scrapes. The
 * request path records its own meters ({@link AuthMetrics}, {@code proxy.ProxyMetrics},
 * {@code access.AccessRules}); nothing here costs anything per request. Per-principal and per-kvno gauges are
 * re-registered after every key swap, so their rows follow the keytab: a retired kvno's row disappears.
 *
 * <p>Every meter kerbgate exports, by area. Prometheus names; the README (Operations) has the same table with the
 * alerts that use them.
 *
 * <table>
 *   <caption>kerbgate meters</caption>
 *   <tr><th>Prometheus name</th><th>Type</th><th>Labels</th><th>Meaning</th></tr>
 *   <tr><td>{@code kerbgate_auth_requests_total}</td><td>counter</td>
 *       <td>{@code result} ok|rejected, {@code reason}, {@code service}, {@code kvno}</td>
 *       <td>authentication verdicts; {@code service}/{@code kvno} set on accepted tickets, {@code none} otherwise
 *           ({@link AuthMetrics})</td></tr>
 *   <tr><td>{@code kerbgate_auth_latency_seconds}</td><td>histogram</td><td>{@code result}, {@code ticket}
 *       cold|cached|none</td><td>acceptor time per request; {@code cached} when the ticket cache saved the ticket
 *       decryption</td></tr>
 *   <tr><td>{@code kerbgate_access_requests_total}</td><td>counter</td><td>{@code route}, {@code decision}
 *       anonymous|allowed|denied</td><td>requests by the access route that decided them</td></tr>
 *   <tr><td>{@code kerbgate_proxy_requests_total}</td><td>counter</td><td>{@code status_class}, {@code backend}</td>
 *       <td>responses sent to clients; backend {@code none} when the gateway answered itself</td></tr>
 *   <tr><td>{@code kerbgate_proxy_upstream_latency_seconds}</td><td>histogram</td><td>{@code backend}</td>
 *       <td>backend time to response head</td></tr>
 *   <tr><td>{@code kerbgate_keys_versions}</td><td>gauge</td><td></td>
 *       <td>key versions accepted, current and in grace, all principals</td></tr>
 *   <tr><td>{@code kerbgate_keys_kvnos}</td><td>gauge</td><td>{@code principal}, {@code state} current|grace</td>
 *       <td>number of kvnos of the principal in each state</td></tr>
 *   <tr><td>{@code kerbgate_keys_newest_kvno}</td><td>gauge</td><td>{@code principal}</td>
 *       <td>the newest kvno the keytab lists; differs across nodes while one lags behind a roll</td></tr>
 *   <tr><td>{@code kerbgate_keys_current_kvno_first_seen_seconds}</td><td>gauge</td><td>{@code principal}</td>
 *       <td>epoch seconds when this node first loaded the newest kvno: {@code time() - x} is the age of the current
 *       key as the node sees it (from its start, when the kvno was already there)</td></tr>
 *   <tr><td>{@code kerbgate_keys_grace_remaining_seconds}</td><td>gauge</td><td>{@code principal}, {@code kvno}</td>
 *       <td>for each kvno in grace (gone from the keytab, still accepted): seconds until it retires</td></tr>
 *   <tr><td>{@code kerbgate_keytab_reloads_total}</td><td>counter</td><td>{@code result} ok|failed</td>
 *       <td>keytab loads by outcome (the first load included); a failed one keeps the current keys</td></tr>
 *   <tr><td>{@code kerbgate_keytab_identity_refusals_total}</td><td>counter</td><td></td>
 *       <td>keytabs refused because they lack the principals the node serves (configured or pinned): another
 *       service's keytab swapped in; each is also a {@code failed} reload</td></tr>
 *   <tr><td>{@code kerbgate_keys_awaiting}</td><td>gauge</td><td></td>
 *       <td>1 while the node has no key at all yet (started before keys init/add-node): it answers 503</td></tr>
 *   <tr><td>{@code kerbgate_keytab_last_reload_seconds}</td><td>gauge</td><td></td>
 *       <td>epoch seconds of the last good load</td></tr>
 *   <tr><td>{@code kerbgate_ticket_cache_requests_total}</td><td>counter</td><td>{@code result} hit|miss</td>
 *       <td>ticket cache lookups</td></tr>
 *   <tr><td>{@code kerbgate_ticket_cache_evictions_total}</td><td>counter</td><td></td>
 *       <td>tickets dropped for size or expiry</td></tr>
 *   <tr><td>{@code kerbgate_ticket_cache_entries}</td><td>gauge</td><td></td><td>decrypted tickets held</td></tr>
 *   <tr><td>{@code kerbgate_replay_cache_entries}</td><td>gauge</td><td></td>
 *       <td>authenticators held by the local replay cache</td></tr>
 *   <tr><td>{@code kerbgate_replay_cache_capacity}</td><td>gauge</td><td></td>
 *       <td>{@code acceptor.replay_cache_max_entries}; at capacity new authenticators are refused (503)</td></tr>
 *   <tr><td>{@code kerbgate_delegation_requests_total}</td><td>counter</td>
 *       <td>{@code result} cached|obtained|needs_token|refused|unavailable</td>
 *       <td>with {@code delegation}: how each authenticated request's backend token was made (registered by
 *       {@code proxy.DelegationStep})</td></tr>
 *   <tr><td>{@code kerbgate_delegation_tickets}</td><td>gauge</td><td></td>
 *       <td>with {@code delegation}: backend tickets kept, one per user</td></tr>
 * </table>
 *
 * <p>The ticket cache is exported with kerbgate's own names rather than Micrometer's {@code CaffeineCacheMetrics},
 * whose meters are named {@code cache_gets_total{cache="kerbgate_ticket_cache",result="hit"}},
 * {@code cache_evictions_total}, {@code cache_size} and so on: outside the {@code kerbgate_} namespace, and not
 * covered by the tag-set guard of {@link Metrics}.
 */
public final class GatewayMetrics {

    public static final String KEYS_KVNOS = "kerbgate.keys.kvnos";
    public static final String KEYS_NEWEST_KVNO = "kerbgate.keys.newest.kvno";
    public static final String KEYS_GRACE_REMAINING = "kerbgate.keys.grace.remaining";
    public static final String KEYS_CURRENT_FIRST_SEEN = "kerbgate.keys.current.kvno.first.seen.seconds";

    private final KeyRing ring;
    private final Clock clock;
    private final MultiGauge kvnos;
    private final MultiGauge newest;
    private final MultiGauge graceRemaining;
    private final MultiGauge currentFirstSeen;
    /** The rows registered last; held here because a gauge keeps only a weak reference to what it reads. */
    private List<MultiGauge.Row<?>> rows = List.of();

    private GatewayMetrics(MeterRegistry registry, KeyRing ring, Clock clock) {
        this.ring = ring;
        this.clock = clock;
        this.kvnos = MultiGauge.builder(KEYS_KVNOS)
                .description("kvnos of each principal by state: current (in the keytab) or grace")
                .register(registry);
        this.newest = MultiGauge.builder(KEYS_NEWEST_KVNO)
                .description("newest kvno the keytab lists for the principal")
                .register(registry);
        this.graceRemaining = MultiGauge.builder(KEYS_GRACE_REMAINING)
                .description("seconds until a kvno in grace retires")
                .baseUnit("seconds")
                .register(registry);
        this.currentFirstSeen = MultiGauge.builder(KEYS_CURRENT_FIRST_SEEN)
                .description("when this node first loaded the newest kvno of the principal, epoch seconds")
                .register(registry);
    }

    /**
     * Registers every meter of the table above.
     *
     * @param clock          the clock of the key ring, for the time left in grace
     * @param replayCapacity {@code acceptor.replay_cache_max_entries}
     */
    public static GatewayMetrics bind(MeterRegistry registry, Clock clock, KeyRing ring, KeytabWatcher watcher,
            TicketCache ticketCache, LocalReplayCache replayCache, long replayCapacity) {
        Objects.requireNonNull(registry, "registry");
        GatewayMetrics metrics = new GatewayMetrics(registry, ring, Objects.requireNonNull(clock, "clock"));
        Gauge.builder("kerbgate.keys.versions", ring, r -> r.current().allVersions().size())
                .description("key versions accepted, current and in grace")
                .register(registry);
        ring.addListener(change -> metrics.refreshKeys());
        metrics.refreshKeys();

        FunctionCounter.builder("kerbgate.keytab.reloads", watcher, KeytabWatcher::reloadsOk)
                .description("keytab loads by outcome")
                .tag("result", "ok").register(registry);
        FunctionCounter.builder("kerbgate.keytab.reloads", watcher, KeytabWatcher::reloadsFailed)
                .description("keytab loads by outcome")
                .tag("result", "failed").register(registry);
        FunctionCounter.builder("kerbgate.keytab.identity.refusals", watcher, KeytabWatcher::identityRefusals)
                .description("keytabs refused because they lack the principals this node serves")
                .register(registry);
        Gauge.builder("kerbgate.keys.awaiting", watcher, w -> w.awaitingKeys() ? 1 : 0)
                .description("1 while the node has no key at all yet (it answers 503)")
                .register(registry);
        Gauge.builder("kerbgate.keytab.last.reload.seconds", watcher,
                        w -> w.lastReload() == null ? 0 : w.lastReload().getEpochSecond())
                .description("time of the last successful keytab load, epoch seconds")
                .register(registry);

        FunctionCounter.builder("kerbgate.ticket.cache.requests", ticketCache, c -> c.caffeine().stats().hitCount())
                .description("ticket cache lookups")
                .tag("result", "hit").register(registry);
        FunctionCounter.builder("kerbgate.ticket.cache.requests", ticketCache, c -> c.caffeine().stats().missCount())
                .description("ticket cache lookups")
                .tag("result", "miss").register(registry);
        FunctionCounter.builder("kerbgate.ticket.cache.evictions", ticketCache,
                        c -> c.caffeine().stats().evictionCount())
                .description("decrypted tickets dropped for size or expiry")
                .register(registry);
        Gauge.builder("kerbgate.ticket.cache.entries", ticketCache, c -> c.caffeine().estimatedSize())
                .description("decrypted tickets held")
                .register(registry);

        Gauge.builder("kerbgate.replay.cache.entries", replayCache, LocalReplayCache::size)
                .description("authenticators held by the local replay cache")
                .register(registry);
        Gauge.builder("kerbgate.replay.cache.capacity", () -> replayCapacity)
                .description("most authenticators the replay cache holds before it refuses new ones")
                .strongReference(true)
                .register(registry);
        return metrics;
    }

    /** Re-registers the per-principal and per-kvno rows from the current key set. */
    synchronized void refreshKeys() {
        KeySet keys = ring.current();
        List<MultiGauge.Row<?>> kvnoRows = new ArrayList<>();
        List<MultiGauge.Row<?>> newestRows = new ArrayList<>();
        List<MultiGauge.Row<?>> graceRows = new ArrayList<>();
        List<MultiGauge.Row<?>> firstSeenRows = new ArrayList<>();
        for (String principal : keys.principals()) {
            kvnoRows.add(row(Tags.of("principal", principal, "state", "current"),
                    () -> count(principal, false)));
            kvnoRows.add(row(Tags.of("principal", principal, "state", "grace"), () -> count(principal, true)));
            newestRows.add(row(Tags.of("principal", principal), () -> newestListed(principal)));
            firstSeenRows.add(row(Tags.of("principal", principal), () -> newestFirstSeen(principal)));
            for (KeyVersion version : keys.versions(principal)) {
                if (version.inGrace()) {
                    int kvno = version.kvno();
                    graceRows.add(row(Tags.of("principal", principal, "kvno", Integer.toString(kvno)),
                            () -> graceSeconds(principal, kvno)));
                }
            }
        }
        kvnos.register(kvnoRows, true);
        newest.register(newestRows, true);
        graceRemaining.register(graceRows, true);
        currentFirstSeen.register(firstSeenRows, true);
        List<MultiGauge.Row<?>> all = new ArrayList<>(kvnoRows);
        all.addAll(firstSeenRows);
        all.addAll(newestRows);
        all.addAll(graceRows);
        rows = List.copyOf(all);
    }

    private static MultiGauge.Row<?> row(Tags tags, Supplier<Number> value) {
        return MultiGauge.Row.of(tags, value);
    }

    private double count(String principal, boolean inGrace) {
        return ring.current().versions(principal).stream().filter(v -> v.inGrace() == inGrace).count();
    }

    /** The highest kvno the keytab itself lists; a kvno in grace is not the newest even when it is higher. */
    private double newestListed(String principal) {
        return ring.current().versions(principal).stream().filter(v -> !v.inGrace())
                .mapToInt(KeyVersion::kvno).max().orElse(-1);
    }

    /** When the node first loaded the kvno {@link #newestListed} reports, epoch seconds; NaN without one. */
    private double newestFirstSeen(String principal) {
        return ring.current().versions(principal).stream().filter(v -> !v.inGrace())
                .max(Comparator.comparingInt(KeyVersion::kvno))
                .map(v -> v.firstSeen().toEpochMilli() / 1000.0).orElse(Double.NaN);
    }

    private double graceSeconds(String principal, int kvno) {
        return ring.current().version(principal, kvno)
                .flatMap(KeyVersion::retiresAt)
                .map(at -> Math.max(0, Duration.between(clock.instant(), at).toMillis() / 1000.0))
                .orElse(Double.NaN);
    }
}
