package io.kerbgate.proxy;

import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.AccessLog;
import io.kerbgate.config.GatewayConfig.Auth;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Balancing;
import io.kerbgate.config.GatewayConfig.Drain;
import io.kerbgate.config.GatewayConfig.Health;
import io.kerbgate.config.GatewayConfig.Limits;
import io.kerbgate.config.GatewayConfig.Passive;
import io.kerbgate.config.GatewayConfig.Retries;
import io.kerbgate.config.GatewayConfig.Timeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Starts a {@link ProxyServer} on a free port with the production settings a test chooses. */
final class ProxyHarness implements AutoCloseable {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ProxyServer server;
    final int port;

    private ProxyHarness(Builder b) {
        List<URI> urls = b.backends.stream().map(BackendOptions::url).toList();
        GatewayConfig config = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), Path.of("unused.keytab"),
                List.of(), urls, Duration.ofMinutes(5), GatewayConfig.Identity.DEFAULT,
                new GatewayConfig.Admin(new InetSocketAddress("127.0.0.1", 0)), GatewayConfig.Acceptor.DEFAULT,
                b.limits, b.timeouts, GatewayConfig.Replay.NONE, GatewayConfig.Keys.defaults(Duration.ofMinutes(5)),
                GatewayConfig.Logging.DEFAULT, b.routes, null, GatewayConfig.BackendTls.DEFAULT, b.backends, b.balancing, b.health, b.retries, b.drain, new AccessLog(true),
                new Auth(b.authRequired), b.sessions, null, b.errorPages);
        server = new ProxyServer(config, b.authenticator, registry, b.settings, b.clock);
        port = server.start();
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public void close() {
        server.close();
    }

    double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    static final class Builder {
        private final List<BackendOptions> backends = new ArrayList<>();
        private Balancing balancing = Balancing.LEAST_OUTSTANDING;
        private Health health = Health.DEFAULT;
        private Retries retries = Retries.DEFAULT;
        private Timeouts timeouts = Timeouts.DEFAULT;
        private Limits limits = Limits.DEFAULT;
        private Drain drain = Drain.DEFAULT;
        private boolean authRequired = true;
        private List<GatewayConfig.Route> routes = List.of();
        private GatewayConfig.Sessions sessions = GatewayConfig.Sessions.DEFAULT;
        private GatewayConfig.ErrorPages errorPages = GatewayConfig.ErrorPages.BUILT_IN;
        private java.time.Clock clock = java.time.Clock.systemUTC();
        private ProxySettings settings = ProxySettings.DEFAULT;
        private HttpAuthenticator authenticator = new FixedTokenAuthenticator();

        Builder backend(URI url) {
            backends.add(BackendOptions.defaults(url));
            return this;
        }

        Builder backend(BackendOptions options) {
            backends.add(options);
            return this;
        }

        Builder balancing(Balancing value) {
            balancing = value;
            return this;
        }

        Builder activeHealth(String path, Duration interval, int unhealthy, int healthy) {
            health = new Health(path, interval, Duration.ofMillis(500), unhealthy, healthy, health.passive());
            return this;
        }

        Builder passive(int failures, Duration ejection) {
            health = new Health(health.path(), health.interval(), health.timeout(), health.unhealthyThreshold(),
                    health.healthyThreshold(), new Passive(failures, ejection));
            return this;
        }

        Builder retries(int value) {
            retries = new Retries(value);
            return this;
        }

        Builder timeouts(Timeouts value) {
            timeouts = value;
            return this;
        }

        Builder maxClientConnections(int value) {
            limits = new Limits(Limits.DEFAULT.maxHeaderSize(), value);
            return this;
        }

        Builder drain(Duration timeout) {
            drain = new Drain(timeout);
            return this;
        }

        Builder anonymous() {
            authRequired = false;
            return this;
        }

        Builder routes(List<GatewayConfig.Route> value) {
            routes = value;
            return this;
        }

        Builder clock(java.time.Clock value) {
            clock = value;
            return this;
        }

        Builder sessions(GatewayConfig.Sessions value) {
            sessions = value;
            return this;
        }

        Builder errorPages(GatewayConfig.ErrorPages value) {
            errorPages = value;
            return this;
        }

        Builder settings(ProxySettings value) {
            settings = value;
            return this;
        }

        Builder authenticator(HttpAuthenticator value) {
            authenticator = value;
            return this;
        }

        ProxyHarness start() {
            return new ProxyHarness(this);
        }
    }
}
