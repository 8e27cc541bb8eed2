package io.kerbgate;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.AcceptorPolicy;
import io.kerbgate.acceptor.ChannelBindings;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.acceptor.PacPolicy;
import io.kerbgate.acceptor.SpnegoAcceptor;
import io.kerbgate.admin.AdminEndpoints;
import io.kerbgate.admin.AdminServer;
import io.kerbgate.admin.KeyWrites;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeyStateStore;
import io.kerbgate.keys.KeysReport;
import io.kerbgate.keys.KeytabWatcher;
import io.kerbgate.keys.KvnoUsage;
import io.kerbgate.logging.LogFormat;
import io.kerbgate.metrics.GatewayMetrics;
import io.kerbgate.metrics.Metrics;
import io.kerbgate.proxy.ProxyServer;
import io.kerbgate.proxy.TlsContextReloader;
import io.kerbgate.replay.CloseableReplayCache;
import io.kerbgate.replay.Journal;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.replay.ReplayCaches;
import io.kerbgate.replay.ReplayFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: builds every component from the config, starts the listeners, and stops them on
 * {@link #close()}. Wiring only; each part lives in the package named after it.
 */
public final class Kerbgate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Kerbgate.class);

    /** How many decrypted tickets to keep: one per active client session is plenty. */
    private static final long TICKET_CACHE_ENTRIES = 100_000;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Metrics metrics;
    private final KeytabWatcher watcher;
    private final CloseableReplayCache replayCache;
    private final ReplayFile replayFile;
    private final ProxyServer proxy;
    private final AdminServer admin;
    private final int frontPort;
    private final int adminPort;

    private Kerbgate(Metrics metrics, KeytabWatcher watcher, CloseableReplayCache replayCache, ReplayFile replayFile,
            ProxyServer proxy, AdminServer admin, int frontPort, int adminPort) {
        this.metrics = metrics;
        this.watcher = watcher;
        this.replayCache = replayCache;
        this.replayFile = replayFile;
        this.proxy = proxy;
        this.admin = admin;
        this.frontPort = frontPort;
        this.adminPort = adminPort;
    }

    /**
     * Starts the gateway with a validated config.
     *
     * @throws Exception when a component cannot start (a port in use, keys that do not load)
     */
    public static Kerbgate start(GatewayConfig config) throws Exception {
        Clock clock = Clock.systemUTC();
        LogFormat.apply(config.logging().format());
        Metrics metrics = Metrics.create();
        KeytabWatcher watcher = null;
        CloseableReplayCache replayCache = null;
        ReplayFile replayFile = null;
        ProxyServer proxy = null;
        AdminServer admin = null;
        try {
            KeyRing ring = new KeyRing(config.principals(), config.keys().grace(), clock);
            TicketCache ticketCache = new TicketCache(TICKET_CACHE_ENTRIES, Ticker.systemTicker());
            ticketCache.followKeys(ring);
            if (config.keys().stateDir() != null) {
                keepState(ring, KeyStateStore.open(config.keys().stateDir()), clock);
            }
            watcher = new KeytabWatcher(config.keytabs(), config.keys().stateDir() != null, ring,
                    config.keys().pollInterval());
            watcher.start();

            GatewayConfig.Acceptor acceptorConfig = config.acceptor();
            if (acceptorConfig.replayCacheFile() != null) {
                replayFile = ReplayFile.open(acceptorConfig.replayCacheFile(), clock,
                        config.clockSkew().multipliedBy(2));
            }
            LocalReplayCache localReplay = new LocalReplayCache(acceptorConfig.replayCacheMaxEntries(),
                    acceptorConfig.replayCacheMaxEntriesPerPrincipal(), acceptorConfig.replayCacheMaxEntriesPerAddress(),
                    Ticker.systemTicker(), replayFile == null ? Journal.NONE : replayFile);
            replayCache = ReplayCaches.create(config.replay().shared(), localReplay, metrics.registry());
            Instant guardStart = ReplayCaches.restartGuardStart(config.replay().shared(), replayFile, clock.instant(),
                    config.clockSkew());
            SpnegoAcceptor acceptor = SpnegoAcceptor.create(ring::current, acceptorPolicy(config, guardStart), clock,
                    replayCache, ticketCache);
            // Tickets accepted per kvno, for GET /keys: an operator sees the traffic move to a new key.
            KvnoUsage usage = new KvnoUsage(clock);
            ring.addListener(change -> usage.retainOnly(change.keySet()));
            HttpAuthenticator counted = new UsageCounting(acceptor, usage);
            if (config.acceptor().allowRc4()) {
                log.warn("acceptor.allow_rc4 is on: rc4-hmac tickets are accepted; RC4 is broken, move clients to AES");
            }
            GatewayMetrics.bind(metrics.registry(), clock, ring, watcher, ticketCache, localReplay,
                    config.acceptor().replayCacheMaxEntries());
            TlsContextReloader adminTls = config.admin().tls() == null ? null : TlsContextReloader.forAdmin(
                    config.admin().tls(), metrics.registry(), TlsContextReloader.DEFAULT_POLL_INTERVAL, clock);

            proxy = new ProxyServer(config, counted, metrics.registry());
            int frontPort = proxy.start();
            KeytabWatcher w = watcher;
            ProxyServer front = proxy;
            AdminEndpoints endpoints = AdminEndpoints.starting(config)
                    .withKeys(() -> KeysReport.of(ring.current(), usage, clock.instant()))
                    .withKeyWrites(KeyWrites.of(config, acceptor, ring))
                    // Not ready while draining: the load balancer stops sending new connections to this node.
                    .withReadiness(() -> !front.draining() && !ring.current().isEmpty(),
                            () -> front.draining() ? "draining" : "no keys yet: install them with kerbgate keys init"
                                    + "/add-node (watching " + config.keytabs() + ")"
                                    + (w.lastError() == null ? "" : "; last refused: " + w.lastError()));
            admin = new AdminServer(config.admin().listen(), config.admin().allowedHosts(), metrics.registry(),
                    endpoints, adminTls);
            int adminPort = admin.start();
            KeySet keys = ring.current();
            log.info("kerbgate listening on {}:{} (admin {}:{}); keytabs {}: {}; {}",
                    config.listen().getHostString(), frontPort, config.admin().listen().getHostString(), adminPort,
                    config.keytabs(), keys.isEmpty() ? "no keys yet" : describe(keys), config.serves());
            return new Kerbgate(metrics, watcher, replayCache, replayFile, proxy, admin, frontPort, adminPort);
        } catch (Exception | Error e) {
            closeQuietly(admin);
            closeQuietly(proxy);
            closeQuietly(replayCache);
            closeQuietly(replayFile);
            closeQuietly(watcher);
            metrics.close();
            throw e;
        }
    }

    /**
     * Takes back what the node accepted before it stopped (grace deadlines, pinned principals, retired kvnos) and
     * saves it again after every change of the key ring.
     */
    /**
     * The acceptor's policy from the config: the one place where the acceptor's settings are read, so the acceptor
     * itself imports no configuration. The token cap is the front's header limit: a token never outgrows the header
     * block that carries it.
     *
     * @param startedAt when the replay cache started empty ({@code Instant.EPOCH}: no restart guard)
     */
    public static AcceptorPolicy acceptorPolicy(GatewayConfig config, Instant startedAt) {
        GatewayConfig.Acceptor a = config.acceptor();
        PacPolicy pac = switch (a.pac()) {
            case OFF -> PacPolicy.OFF;
            case VERIFY -> PacPolicy.VERIFY;
            case REQUIRE -> PacPolicy.REQUIRE;
        };
        return new AcceptorPolicy(config.clockSkew(), a.allowRc4(), Set.copyOf(a.allowedClientRealms()), startedAt,
                pac, config.limits().maxHeaderSize());
    }

    private static void keepState(KeyRing ring, KeyStateStore store, Clock clock) throws IOException {
        Optional<KeyRing.State> saved = store.load();
        ring.addListener(change -> {
            try {
                store.save(ring.state());
            } catch (IOException | RuntimeException e) {
                log.error("cannot save the accepted keys to {}: a restart would forget grace deadlines and retired "
                        + "kvnos until this is fixed", store.dir(), e);
            }
        });
        if (saved.isPresent()) {
            ring.restore(saved.get(), clock.instant());
        }
    }

    private static String describe(KeySet keys) {
        StringBuilder sb = new StringBuilder();
        for (String p : keys.principals()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(p).append(" kvno ").append(keys.kvnos(p));
        }
        return sb.toString();
    }

    public int frontPort() {
        return frontPort;
    }

    public int adminPort() {
        return adminPort;
    }

    /**
     * Applies the keys a reload may change on a running gateway (see {@link ConfigReload}): the log format, and the
     * proxy's routes, identity mapping and refusal lines. {@code next} has passed {@link Preflight}.
     */
    public void reconfigure(GatewayConfig next) {
        proxy.reconfigure(next);
        LogFormat.apply(next.logging().format());
    }

    /** The reload of {@code file}, counted in this gateway's registry. */
    public ConfigReload reloader(Path file, GatewayConfig started) {
        return new ConfigReload(file, started, metrics.registry(), this::reconfigure);
    }

    /** Blocks until {@link #close()} has run (on SIGTERM or SIGINT, or from a shutdown hook). */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        // The proxy first: while it drains, the admin server still answers /readyz with 503 "draining" (and serves
        // /metrics), so the load balancer takes the node out before its listener is gone.
        closeQuietly(proxy);
        closeQuietly(admin);
        closeQuietly(replayCache);
        // After the proxy: no request can record anything any more, so the clean-close record is the last one.
        closeQuietly(replayFile);
        closeQuietly(watcher);
        metrics.close();
        stopped.countDown();
    }

    /**
     * Counts accepted tickets per (principal, kvno) for {@code GET /keys}: traffic moving to a new kvno. Delegates all
     * three methods: both {@code authenticate}s (so that the connection's channel bindings reach the acceptor, and a
     * delegate's own two-argument form is kept), and {@code keys()} for the refusal log.
     */
    private record UsageCounting(HttpAuthenticator delegate, KvnoUsage usage) implements HttpAuthenticator {
        @Override
        public Acceptance authenticate(String authorization, java.net.InetAddress peer, ChannelBindings bindings) {
            return counted(delegate.authenticate(authorization, peer, bindings));
        }

        @Override
        public Acceptance authenticate(String authorization, java.net.InetAddress peer) {
            return counted(delegate.authenticate(authorization, peer));
        }

        private Acceptance counted(Acceptance verdict) {
            if (verdict instanceof Acceptance.Accepted ok) {
                usage.accepted(ok.service(), ok.kvno());
            }
            return verdict;
        }

        @Override
        public KeySet keys() {
            return delegate.keys();
        }

        @Override
        public boolean awaitingKeys() {
            return delegate.keys().isEmpty();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("error while stopping {}", c.getClass().getSimpleName(), e);
        }
    }
}
