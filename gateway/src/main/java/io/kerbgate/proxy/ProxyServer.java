package io.kerbgate.proxy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.basic.BasicAuthenticator;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.delegation.ConstrainedDelegation;
import io.kerbgate.delegation.DelegationSettings;
import io.kerbgate.logging.RefusalLog;
import io.kerbgate.sessions.CookieKeyFile;
import io.kerbgate.sessions.SessionCookies;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.security.auth.login.LoginException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's front: accepts HTTP/1.1 clients on {@code listen} (over TLS with {@code tls}, and HTTP/2 by ALPN
 * with {@code tls.http2}), authenticates every request with {@code Negotiate}, and streams accepted requests to the
 * backends (over TLS for {@code https://} ones) with the principal in the identity header.
 *
 * <pre>{@code
 * try (ProxyServer proxy = new ProxyServer(config, acceptor, registry)) {
 *     int port = proxy.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>What a backend receives: the request as the client sent it, streamed, over a pooled HTTP/1.1 keep-alive
 * connection, except that
 * <ul>
 *   <li>the identity header ({@code identity.header}) is the authenticated principal, whatever the client sent;
 *   <li>{@code Authorization} is gone: the backend never sees the ticket;
 *   <li>{@code X-Forwarded-For} has the client's address appended; {@code X-Forwarded-Proto}/{@code -Host} are set;
 *   <li>{@code Forwarded} (RFC 7239) and {@code Via: 1.1 kerbgate} are appended to the chains the client sent;
 *   <li>hop-by-hop headers, {@code Expect} and request trailers are gone.
 * </ul>
 * The client receives the backend's response without its hop-by-hop headers, plus {@code WWW-Authenticate: Negotiate
 * <token>} when the acceptor produced a mutual-authentication token (RFC 4559 §5).
 *
 * <p>Settings used: {@code listen}, {@code backends} (and their options), {@code identity},
 * {@code limits.maxHeaderSize/maxConnections}, {@code timeouts.connect/response/clientIdle}, {@code routes},
 * {@code logging.format}, {@code tls}, {@code backend_tls}, {@code balancing}, {@code health}, {@code retries},
 * {@code drain}, {@code access_log}, {@code auth}, {@code proxy_protocol}, {@code forward_auth} (then the stages answer
 * the proxy in front instead of forwarding: {@link ForwardAuthTarget}, {@link ForwardAuthAnswer}); the rest of the tuning is {@link ProxySettings}. Meters are listed
 * in {@link ProxyMetrics} and {@link TlsContextReloader}; the responses the proxy makes itself in {@link Responses}.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final GatewayConfig config;
    private final ProxySettings settings;
    private final FrontendInitializer initializer;
    private final @Nullable TlsContextReloader tls;
    private final @Nullable CookieKeyFile cookieKeys;
    private final ClientConnections clients;
    private final HealthChecker checker;
    private final HttpAuthenticator authenticator;
    private final MeterRegistry registry;
    private final LiveSettings live;
    private final Transport transport = Transport.best();
    private final @Nullable AcceptorThreads acceptorThreads;
    private final @Nullable ConstrainedDelegation delegation;
    private final @Nullable AcceptorThreads basicThreads;
    private volatile boolean draining;

    private @Nullable EventLoopGroup acceptGroup;
    private @Nullable EventLoopGroup ioGroup;
    private @Nullable Channel serverChannel;
    private boolean closed;

    public ProxyServer(GatewayConfig config, HttpAuthenticator authenticator, MeterRegistry registry) {
        this(config, authenticator, registry, ProxySettings.DEFAULT);
    }

    /**
     * Validates the settings and registers the meters; binds nothing yet.
     *
     * @throws IllegalArgumentException naming the setting that is invalid
     */
    public ProxyServer(GatewayConfig config, HttpAuthenticator authenticator, MeterRegistry registry,
                       ProxySettings settings) {
        this(config, authenticator, registry, settings, Clock.systemUTC());
    }

    /**
     * Validates the settings, registers the meters and reads the session cookie's key file; binds nothing yet.
     *
     * @param clock what session cookies are issued and checked against (tests move it)
     * @throws IllegalArgumentException naming the setting that is invalid
     */
    public ProxyServer(GatewayConfig config, HttpAuthenticator authenticator, MeterRegistry registry,
                       ProxySettings settings, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        this.config = Objects.requireNonNull(config, "config");
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(registry, "registry");
        GatewayConfig.Timeouts timeouts = config.timeouts();
        requirePositive("timeouts.connect", timeouts.connect());
        requirePositive("timeouts.response", timeouts.response());
        requirePositive("timeouts.clientIdle", timeouts.clientIdle());
        int maxHeaderSize = config.limits().maxHeaderSize();
        if (maxHeaderSize < 1024) {
            throw new IllegalArgumentException("limits.maxHeaderSize must be >= 1024 bytes: " + maxHeaderSize);
        }
        BackendPool pool = new BackendPool(backendOptions(config), settings, timeouts.connect(), maxHeaderSize,
                config.backendTls(), transport);
        ProxyMetrics metrics =
                ProxyMetrics.create(registry, pool.backends().stream().map(Backend::authority).toList());
        BackendHealth health = new BackendHealth(pool.backends(), config.health(), Ticker.systemTicker());
        this.checker = new HealthChecker(pool.backends(), health, config.health(), pool.tls(), transport);
        this.clients = new ClientConnections(config.limits().maxConnections(), metrics);
        metrics.bindPool(pool.backends(), health, clients::open);
        if (!config.auth().required()) {
            log.warn("auth.required is false: requests are forwarded WITHOUT authentication (benchmarks only)");
        }
        ProxyPolicy policy = new ProxyPolicy(new Balancer(config.balancing(), pool.backends()), health,
                config.retries().idempotent(), config.auth().required(), new AccessLog(config.accessLog().enabled()),
                config.sessions().connectionBound());
        if (config.sessions().connectionBound()) {
            log.warn("sessions.connection_bound is on: a connection's later requests without Authorization go through"
                    + " as the principal it authenticated; never behind a shared outbound proxy");
        }
        this.authenticator = authenticator;
        this.registry = registry;
        this.live = new LiveSettings(LiveSettings.of(config,
                new RefusalLog(authenticator::keys, config.logging().format(), Responses::status), registry,
                Clock.systemUTC(), () -> authenticator.keys().principals()));
        // Last: these start polling threads, which nothing after them may leak by throwing.
        GatewayConfig.Sessions.Cookie cookie = config.sessions().cookie();
        this.cookieKeys = cookie == null ? null : cookieKeys(cookie, registry, settings.tlsPollInterval());
        try {
            this.tls = config.tls() == null ? null
                    : new TlsContextReloader(config.tls(), registry, settings.tlsPollInterval(), Clock.systemUTC());
        } catch (RuntimeException e) {
            if (cookieKeys != null) {
                cookieKeys.close();
            }
            throw e;
        }
        SessionCookies cookies = cookie == null ? null : new SessionCookies(cookie, cookieKeys, clock);
        // Only a shared replay cache makes the acceptor wait on the network; alone it is faster on the event loop.
        // Delegation waits on the KDC at a miss: it runs on the acceptor threads, after the acceptor.
        boolean sharedReplay = config.replay().shared() != null;
        this.acceptorThreads = sharedReplay || config.delegation() != null ? new AcceptorThreads(registry) : null;
        // Basic logins always wait on the KDC, on threads of their own.
        BasicAuthenticator basic = config.basic() == null ? null
                : BasicAuthenticator.create(config.basic(), authenticator, registry);
        this.basicThreads = basic == null ? null : AcceptorThreads.forBasic(registry);
        this.delegation = config.delegation() == null ? null : delegation(config.delegation(), clock);
        DelegationStep delegationStep = delegation == null ? null
                : new DelegationStep(delegation, Objects.requireNonNull(acceptorThreads), live, registry);
        NegotiateStep negotiate = new NegotiateStep(authenticator, metrics, live, cookies,
                sharedReplay ? acceptorThreads : null, basic, basicThreads, delegationStep);
        this.initializer = new FrontendInitializer(maxHeaderSize, timeouts.clientIdle(), timeouts.response(),
                negotiate, live, pool, metrics, tls, config.tls() != null && config.tls().http2(), policy,
                config.proxyProtocol() == null ? null
                        : new ProxyProtocol.Listener(config.proxyProtocol().from(), metrics),
                config.forwardAuth() == null ? null : new ForwardAuthTarget.Asking(config.forwardAuth(), metrics));
        if (config.forwardAuth() != null) {
            log.info("forward_auth is on: kerbgate answers the authentication requests of the proxies in {} and"
                    + " forwards nothing", config.forwardAuth().trustedFrom());
        }
    }

    /**
     * The backends as configured; with delegation, each keeps its connections apart per user
     * ({@code connection_auth}): a Kerberized backend may bind a connection to the first user it authenticated
     * (mod_auth_gssapi's GssapiConnectionBound, IIS's authPersistNonNTLM), and a request of another user must never
     * ride on it.
     */
    private static List<GatewayConfig.BackendOptions> backendOptions(GatewayConfig config) {
        if (config.delegation() == null) {
            return config.backendOptions();
        }
        return config.backendOptions().stream().map(o -> new GatewayConfig.BackendOptions(o.url(), o.weight(),
                o.maxConnections(), true)).toList();
    }

    private static ConstrainedDelegation delegation(GatewayConfig.Delegation config, Clock clock) {
        if (config.krb5Conf() != null) {
            // The JDK finds the KDC through it; each login of the gateway re-reads it (refreshKrb5Config).
            System.setProperty("java.security.krb5.conf", config.krb5Conf().toString());
        }
        log.info("delegation is on: requests reach the backends with a Negotiate token for {} in the user's name,"
                + " obtained by {} (S4U2Proxy; keytab {})", config.spn(), config.principal(), config.keytab());
        return new ConstrainedDelegation(new DelegationSettings(config.principal(), config.keytab(), config.spn(),
                config.maxEntries(), config.renewBefore(), config.krb5Conf()), clock, Ticker.systemTicker());
    }

    private static CookieKeyFile cookieKeys(GatewayConfig.Sessions.Cookie cookie, MeterRegistry registry,
                                            Duration pollInterval) {
        try {
            CookieKeyFile keys = new CookieKeyFile(cookie.keyFile(), registry, pollInterval);
            log.info("sessions.cookie is on: {} is issued after Negotiate, max_age {}, secure {}", cookie.name(),
                    cookie.maxAge(), cookie.secure());
            return keys;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("sessions.cookie.key_file: " + e.getMessage(), e);
        }
    }

    /**
     * Binds {@code listen} and starts serving.
     *
     * @return the bound port (the chosen one when {@code listen} has port 0)
     * @throws IllegalStateException when already started or closed, or when the address cannot be bound
     */
    public synchronized int start() {
        if (closed || serverChannel != null) {
            throw new IllegalStateException("proxy already " + (closed ? "closed" : "started"));
        }
        IoHandlerFactory io = transport.ioHandlerFactory();
        acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kerbgate-accept"), io);
        ioGroup = new MultiThreadIoEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("kerbgate-io"), io);
        try {
            serverChannel = new ServerBootstrap()
                    .group(acceptGroup, ioGroup)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .handler(clients)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(initializer)
                    .bind(config.listen())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) {
            shutdownGroups();
            throw new IllegalStateException("listen: cannot bind " + config.listen() + ": " + e, e);
        }
        checker.start(ioGroup);
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        log.info("proxy listening on {} ({}, {}), {}", bound,
                tls == null ? "http" : "https" + (config.tls().http2() ? ", h2" : ""),
                transport.name().toLowerCase(Locale.ROOT), config.serves());
        return bound.getPort();
    }

    /**
     * Applies the {@code routes}, {@code identity} and {@code logging.format} of {@code next} to the requests from now
     * on (see {@link LiveSettings}); the rest of {@code next} is ignored: it needs a restart. All three are built
     * before any is swapped in, so a bad one leaves the running settings as they are.
     *
     * @throws IllegalArgumentException naming the setting that is invalid
     */
    public void reconfigure(GatewayConfig next) {
        live.replace(LiveSettings.of(next,
                new RefusalLog(authenticator::keys, next.logging().format(), Responses::status), registry,
                Clock.systemUTC(), () -> authenticator.keys().principals()));
    }

    /**
     * True from the start of {@link #close()}: the node is going away, and {@code /readyz} should say so, so that the
     * load balancer stops sending new connections while the requests in flight finish.
     */
    public boolean draining() {
        return draining;
    }

    /**
     * Drains, then stops: {@link #draining()} turns true, the listener closes, idle client connections close, and
     * connections with a request in flight finish it (answered with {@code Connection: close}) for up to
     * {@code drain.timeout}; whatever is still open then (WebSocket tunnels included) is closed. Blocks until done.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            draining = true;
        }
        checker.close();
        clients.stopAccepting();
        if (tls != null) {
            tls.close();
        }
        if (cookieKeys != null) {
            cookieKeys.close();
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            drain(config.drain().timeout());
        }
        shutdownGroups();
        if (basicThreads != null) {
            basicThreads.close();
        }
        if (acceptorThreads != null) {
            acceptorThreads.close();
        }
        if (delegation != null) {
            try {
                delegation.close();
            } catch (LoginException e) {
                log.warn("delegation: the gateway's logout failed: {}", e.getMessage());
            }
        }
        if (serverChannel != null) {
            log.info("proxy stopped");
        }
    }

    private void drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Channel> open = clients.channels();
        log.info("draining {} client connections for up to {} ms", open.size(), timeout.toMillis());
        for (Channel channel : open) {
            channel.eventLoop().execute(() -> {
                ClientEdge edge = channel.pipeline().get(ClientEdge.class);
                if (edge != null) {
                    edge.drain();
                } else if (channel.pipeline().get(TunnelHandler.class) == null) {
                    // WebSocket tunnels are left to the end of the drain.
                    channel.close();
                }
            });
        }
        for (Channel channel : open) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !channel.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
        // Open ones only: a channel whose close was just awaited may not have left the group yet (its listener runs
        // after the waiter wakes), and is no reason for a timeout warning.
        List<Channel> left = clients.channels().stream().filter(Channel::isOpen).toList();
        if (!left.isEmpty()) {
            log.warn("drain timeout: closing {} client connections still open", left.size());
            left.forEach(Channel::close);
        }
    }

    private void shutdownGroups() {
        Future<?> accept = acceptGroup == null ? null : acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        Future<?> io = ioGroup == null ? null : ioGroup.shutdownGracefully(100, 5_000, TimeUnit.MILLISECONDS);
        if (accept != null) {
            accept.syncUninterruptibly();
        }
        if (io != null) {
            io.syncUninterruptibly();
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive: " + value);
        }
    }
}
