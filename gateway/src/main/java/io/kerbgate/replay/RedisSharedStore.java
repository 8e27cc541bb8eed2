package io.kerbgate.replay;

import io.kerbgate.replay.SharedStoreSettings.Node;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SharedStore} on Redis or Valkey through one Lettuce connection. Concurrent requests share it: Lettuce writes
 * each command as it comes and matches replies in order, so many authenticators are in flight on one socket (the
 * pipelining that keeps one round trip per authenticator cheap). Only plain RESP2 commands are sent, which Redis,
 * Valkey and RESP-speaking proxies all understand.
 *
 * <p>A store that is down costs callers little: while disconnected, commands are refused at once instead of queued,
 * and a command that gets no reply is dropped after the timeout. The connection is opened in the background; if the
 * first attempt fails, the next call starts another, and once connected Lettuce reconnects by itself.
 *
 * <p><b>Sentinel.</b> With a {@code redis-sentinel://} URI the connection is still one plain connection, but Lettuce
 * asks the sentinels for the master's address ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}) on every connect and
 * reconnect. A master that dies drops the connection; reconnect attempts (every {@value #SENTINEL_RECONNECT_MS} ms at
 * most) fail until the sentinels have promoted a replica. The sentinels' {@code +switch-master} message
 * ({@link SentinelWatch}) then replaces the connection at once; the reconnect attempts are the fallback. A
 * master that Sentinel demotes while alive is disconnected by Sentinel itself ({@code CLIENT KILL TYPE normal} after
 * {@code REPLICAOF}); a {@code READONLY} reply all the same makes this store open a new connection and drop the old.
 * Lettuce's {@code MasterReplica} connection is not used: only the master is written to, and its Sentinel-driven
 * topology refresh runs 5 s after the first Sentinel event (Lettuce 7.7 {@code SentinelTopologyRefresh.TimedSemaphore}),
 * seconds during which every write would go to the dead master.
 *
 * <p><b>One retry.</b> A command that certainly was not applied (refused while disconnected, or {@code READONLY}) is
 * sent once more when the connection is back, if that happens before the request's own timeout. A command whose
 * connection dropped while it was in flight is not retried here: it may have been applied, and a retry would then
 * answer "replay" for the request's own first write.
 *
 * <p><b>Replicas.</b> With {@code min_replicas_ack} above 0, a new entry also waits for {@code WAIT n timeout}: it
 * counts as recorded only once that many replicas hold it, so that a failover cannot lose it. An entry that too few
 * replicas confirmed in time fails the call, which then goes the configured {@code fail:} direction.
 */
final class RedisSharedStore implements SharedStore {

    // Connecting (TCP, TLS, AUTH, SELECT) may take longer than a request may wait: a TLS handshake is several round
    // trips, and no request waits on it for more than its own timeout anyway. Commands get the same limit inside the
    // client: a caller stops waiting after its timeout, and this clears what it left on a stalled connection.
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    // Reconnects back off up to the circuit cool-down, so the trial call after a cool-down finds a fresh connection;
    // never faster than this, so a tiny cool-down does not spin.
    private static final Duration MIN_RECONNECT_BOUND = Duration.ofMillis(100);
    // With Sentinel each reconnect attempt asks the sentinels where the master is: after a failover the new master is
    // found at most this long after the sentinels name it. An attempt costs a connect to a sentinel and one command.
    static final long SENTINEL_RECONNECT_MS = 200;
    // Bounds the commands buffered on a stalled connection; past it a call fails at once.
    private static final int REQUEST_QUEUE_SIZE = 65_536;
    // No authenticator's key looks like this: theirs are hex.
    private static final String STARTUP_CHECK_KEY = SharedReplayCache.KEY_PREFIX + "startup-check";
    // Lettuce's DefaultEndpoint refuses a command with this while disconnected (DisconnectedBehavior.REJECT_COMMANDS):
    // the command was never written.
    private static final String NOT_CONNECTED = "Currently not connected";
    // Connections being opened to replace the current one; one per sentinel's switch message is plenty.
    private static final int MAX_REPLACEMENTS = 3;

    private static final Logger log = LoggerFactory.getLogger(RedisSharedStore.class);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String name;
    private final long retryWindowNanos;
    private final int minReplicasAck;
    private final AtomicReference<@Nullable CompletableFuture<StatefulRedisConnection<String, String>>> connection =
            new AtomicReference<>();
    private final AtomicInteger replacements = new AtomicInteger();
    // Completed, and replaced, each time the connection (re)connects: a retry waits on it.
    private volatile CompletableFuture<Void> nextConnect = new CompletableFuture<>();
    private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();
    // The server the current connection reached last, so that a switch message can tell whether it is the new master.
    private volatile @Nullable Peer peer;
    private final RedisConnectionStateListener connectEvents = new RedisConnectionStateListener() {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            Peer last = peer;
            if (last != null && last.connection() == handler) {
                peer = new Peer(handler, address);
            }
            connected();
        }
    };

    private record Peer(Object connection, @Nullable SocketAddress address) {
        boolean isAt(String host, int port) {
            return address instanceof InetSocketAddress a && a.getPort() == port && (host.equals(a.getHostString())
                    || (a.getAddress() != null && host.equals(a.getAddress().getHostAddress())));
        }
    }

    /**
     * @param password         the data nodes' password from {@code password_file}, or null to use the URI's (if any)
     * @param sentinelPassword the sentinels' password from {@code sentinel_password_file}, or null
     */
    RedisSharedStore(SharedStoreSettings config, char @Nullable [] password, char @Nullable [] sentinelPassword) {
        Duration reconnectBound = config.circuitCooldown().compareTo(MIN_RECONNECT_BOUND) < 0
                ? MIN_RECONNECT_BOUND : config.circuitCooldown();
        if (config.isSentinel() && reconnectBound.toMillis() > SENTINEL_RECONNECT_MS) {
            reconnectBound = Duration.ofMillis(SENTINEL_RECONNECT_MS);
        }
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .reconnectDelay(Delay.exponential(Duration.ofMillis(1), reconnectBound, 2, TimeUnit.MILLISECONDS))
                .build();
        this.uri = redisUri(config, password, sentinelPassword);
        this.name = describe(config);
        this.retryWindowNanos = config.timeout().toNanos();
        this.minReplicasAck = config.minReplicasAck();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP2)
                .autoReconnect(true)
                .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE_SIZE)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(CONNECT_TIMEOUT))
                .build());
        connection();
        if (config.isSentinel()) {
            SentinelWatch.start(client, uri, this::masterSwitched);
        }
    }

    static RedisURI redisUri(SharedStoreSettings config, char @Nullable [] password, char @Nullable [] sentinelPassword) {
        URI u = config.uri();
        RedisURI.Builder builder;
        if (config.isSentinel()) {
            builder = RedisURI.builder().withSentinelMasterId(config.sentinelMaster());
            for (Node sentinel : config.sentinels()) {
                builder = builder.withSentinel(sentinel.host(), sentinel.port(),
                        sentinelPassword == null ? null : new String(sentinelPassword));
            }
        } else {
            String host = u.getHost();
            // java.net.URI keeps the brackets of an IPv6 literal; the client wants the bare address.
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            builder = RedisURI.Builder.redis(host, u.getPort() == -1 ? RedisURI.DEFAULT_REDIS_PORT : u.getPort());
        }
        // TLS and the timeout apply to the sentinels too (the builder copies them over).
        builder = builder.withSsl(config.tls()).withDatabase(config.database()).withTimeout(CONNECT_TIMEOUT);
        String userInfo = config.rawUserInfo();
        String user = null;
        char[] secret = password;
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            if (colon >= 0) {
                secret = decode(userInfo.substring(colon + 1)).toCharArray();
            }
        }
        if (secret != null) {
            builder = user == null || user.isEmpty()
                    ? builder.withPassword(secret)
                    : builder.withAuthentication(user, secret);
        }
        return builder.build();
    }

    private static String decode(String text) {
        // URLDecoder would also turn '+' into a space, which a URI's user info does not mean.
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public CompletionStage<Boolean> setIfAbsent(String key, String value, long ttlMillis) {
        long deadline = System.nanoTime() + retryWindowNanos;
        return connection()
                .thenCompose(c -> set(c, key, value, ttlMillis))
                .handle((firstSeen, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(firstSeen);
                    }
                    Throwable cause = unwrap(failure);
                    if (!notApplied(cause)) {
                        return CompletableFuture.<Boolean>failedFuture(cause);
                    }
                    boolean onAReplica = isReadOnly(cause);
                    if (onAReplica) {
                        replace(null, null);
                    }
                    return retryOnce(key, value, ttlMillis, deadline, cause, onAReplica);
                })
                .thenCompose(f -> f);
    }

    @Override
    public CompletionStage<@Nullable String> get(String key) {
        return connection().thenCompose(c -> c.async().get(key).toCompletableFuture());
    }

    private CompletableFuture<Boolean> set(StatefulRedisConnection<String, String> c, String key, String value,
            long ttlMillis) {
        CompletableFuture<Boolean> set = c.async().set(key, value, SetArgs.Builder.nx().px(ttlMillis))
                .toCompletableFuture().thenApply("OK"::equals);
        if (minReplicasAck == 0) {
            return set;
        }
        // WAIT covers every write this connection sent before it, so the SET above is among them. A replay
        // (nothing written) needs no confirmation. Whatever goes wrong from here, the SET was applied: the failure
        // must never be retried (the retry would find the request's own entry and call it a replay).
        return set.thenCompose(first -> !first ? CompletableFuture.completedFuture(false)
                : c.async().waitForReplication(minReplicasAck, Math.max(1, retryWindowNanos / 1_000_000))
                        .toCompletableFuture()
                        .handle((acks, e) -> {
                            if (e != null) {
                                throw new ReplicasMissingException("WAIT failed: " + unwrap(e).getMessage());
                            }
                            if (acks < minReplicasAck) {
                                throw new ReplicasMissingException("WAIT: " + acks + " of " + minReplicasAck
                                        + " replicas confirmed the entry (min_replicas_ack)");
                            }
                            return true;
                        }));
    }

    /**
     * Waits for the connection to be back (or, after {@code READONLY}, for a new one), no later than
     * {@code deadline}, and sends the command once more.
     */
    private CompletableFuture<Boolean> retryOnce(String key, String value, long ttlMillis, long deadline,
            Throwable first, boolean needNewConnection) {
        CompletableFuture<Void> reconnected = nextConnect;
        boolean openNow = !needNewConnection && isOpen(connection.get());
        long left = deadline - System.nanoTime();
        if (!openNow && left <= 0) {
            return CompletableFuture.failedFuture(first);
        }
        CompletableFuture<Void> ready = openNow ? CompletableFuture.completedFuture(null)
                : reconnected.thenApply(v -> v).orTimeout(left, TimeUnit.NANOSECONDS);
        return ready.handle((v, e) -> e)
                .thenCompose(e -> {
                    if (e != null || System.nanoTime() - deadline > 0) {
                        // Nobody waits any more, or the connection stayed down: report the first failure.
                        return CompletableFuture.failedFuture(first);
                    }
                    return connection().thenCompose(c -> set(c, key, value, ttlMillis));
                });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    // True only when the store certainly did not apply the command, so that sending it again cannot turn the
    // request's own first write into a "replay".
    static boolean notApplied(Throwable failure) {
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        return isReadOnly(failure)
                || (failure instanceof RedisException && !(failure instanceof RedisCommandExecutionException)
                        && message.startsWith(NOT_CONNECTED))
                || failure instanceof RedisConnectionException && connectionNeverOpened(failure);
    }

    private static boolean connectionNeverOpened(Throwable failure) {
        // "Unable to connect to ..." comes from opening the connection: no command was written on it.
        String message = failure.getMessage();
        return message != null && message.startsWith("Unable to connect");
    }

    private static boolean isReadOnly(Throwable failure) {
        return failure instanceof RedisCommandExecutionException && failure.getMessage() != null
                && failure.getMessage().startsWith("READONLY");
    }

    private static boolean isOpen(@Nullable CompletableFuture<StatefulRedisConnection<String, String>> c) {
        return c != null && c.isDone() && !c.isCompletedExceptionally() && c.join().isOpen();
    }

    /**
     * Opens a new connection, through a fresh lookup of the master, and swaps it in once it is up; the old one stays
     * (and its own reconnect attempts go on) until then, so a lookup that fails costs nothing. At most
     * {@value #MAX_REPLACEMENTS} attempts at a time: a burst of READONLY replies or one switch message per sentinel
     * starts a few, not one per request.
     *
     * @param host where the new connection must land (the master a switch message named), or null for wherever the
     *             sentinels say (after READONLY): a sentinel that has not heard of the switch yet still names the old
     *             master, and a connection there is dropped
     */
    private void replace(@Nullable String host, @Nullable Integer port) {
        if (replacements.incrementAndGet() > MAX_REPLACEMENTS) {
            replacements.decrementAndGet();
            return;
        }
        try {
            ConnectionFuture<StatefulRedisConnection<String, String>> opening =
                    client.connectAsync(StringCodec.UTF8, uri);
            opening.whenComplete((c, e) -> {
                replacements.decrementAndGet();
                if (e != null) {
                    log.debug("{}: new connection failed ({}); the current one keeps reconnecting", name,
                            SharedReplayCache.describe(e));
                    return;
                }
                Peer reached = new Peer(c, opening.getRemoteAddress());
                if (host != null && (!reached.isAt(host, port) || onMaster(host, port))) {
                    // A stale sentinel's answer, or the current connection got there first.
                    c.closeAsync();
                    return;
                }
                c.addListener(connectEvents);
                peer = reached;
                CompletableFuture<StatefulRedisConnection<String, String>> old =
                        connection.getAndSet(CompletableFuture.completedFuture(c));
                if (old != null) {
                    old.thenAccept(this::closeLater);
                }
                log.info("{}: connected to the master at {}", name, reached.address());
                connected();
            });
        } catch (RuntimeException e) {
            replacements.decrementAndGet();
            log.debug("{}: cannot open a new connection ({})", name, SharedReplayCache.describe(e));
        }
    }

    /**
     * Closes a replaced connection once the commands in flight on it are answered or timed out: closing it at once
     * would fail them, and no new command goes to it any more.
     */
    private void closeLater(StatefulRedisConnection<String, String> old) {
        try {
            resources.eventExecutorGroup().schedule(() -> old.closeAsync(), CONNECT_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RuntimeException shuttingDown) {
            // The client's shutdown closes it.
            old.closeAsync();
        }
    }

    /** True when the current connection is up and reached {@code host:port}. */
    private boolean onMaster(String host, int port) {
        CompletableFuture<StatefulRedisConnection<String, String>> current = connection.get();
        Peer last = peer;
        return isOpen(current) && last != null && last.connection() == current.join() && last.isAt(host, port);
    }

    /**
     * The sentinels named a new master: unless the connection is on it already, a new one is opened now. Waiting
     * for the old connection to fail is not enough: a master that died is only retried every
     * {@value #SENTINEL_RECONNECT_MS} ms, and a master demoted by {@code SENTINEL FAILOVER} keeps taking writes until
     * the sentinels reconfigure it, seconds later; what it takes then is lost when it resyncs from the new master.
     */
    private void masterSwitched(String host, int port) {
        if (!onMaster(host, port)) {
            replace(host, port);
        }
    }

    private void connected() {
        CompletableFuture<Void> waiting = nextConnect;
        nextConnect = new CompletableFuture<>();
        waiting.complete(null);
        connectListeners.forEach(Runnable::run);
    }

    @Override
    public void onConnected(Runnable listener) {
        connectListeners.add(listener);
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        CompletableFuture<StatefulRedisConnection<String, String>> current = connection.get();
        if (current != null && !current.isCompletedExceptionally()) {
            return current;
        }
        CompletableFuture<StatefulRedisConnection<String, String>> next = new CompletableFuture<>();
        if (!connection.compareAndSet(current, next)) {
            return connection();
        }
        try {
            ConnectionFuture<StatefulRedisConnection<String, String>> opening =
                    client.connectAsync(StringCodec.UTF8, uri);
            opening.whenComplete((c, e) -> {
                if (e != null) {
                    next.completeExceptionally(e);
                } else {
                    // Reconnects from here on; the first connect has happened already.
                    peer = new Peer(c, opening.getRemoteAddress());
                    c.addListener(connectEvents);
                    next.complete(c);
                    connected();
                }
            });
        } catch (RuntimeException e) {
            next.completeExceptionally(e);
        }
        return next;
    }
    /**
     * Connects and sends one command the way requests will, so that the first requests after start pay neither for
     * the connection nor for loading the code path, and so that a store that refuses the command (a password the
     * store rejects, an ACL without SET) shows at start.
     *
     * @return empty when the store answered within {@code limit}, else what went wrong
     */
    Optional<String> awaitReady(Duration limit) throws InterruptedException {
        try {
            setIfAbsent(STARTUP_CHECK_KEY, "1", 1).toCompletableFuture().get(limit.toNanos(), TimeUnit.NANOSECONDS);
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of("no answer within " + limit.toMillis() + " ms");
        } catch (ExecutionException e) {
            return Optional.of(SharedReplayCache.describe(e.getCause() == null ? e : e.getCause()));
        }
    }

    @Override
    public void close() {
        // Closes the connection too, also one still being opened.
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Scheme, host and port (or the sentinels and the master's name) and database: no user, no password. */
    static String describe(SharedStoreSettings config) {
        String scheme = (config.tls() ? "rediss" : "redis") + (config.isSentinel() ? "-sentinel" : "");
        if (config.isSentinel()) {
            return scheme + "://" + String.join(",", config.sentinels().stream().map(Node::toString).toList()) + "/"
                    + config.database() + "#" + config.sentinelMaster();
        }
        URI u = config.uri();
        return scheme + "://" + u.getHost() + ":" + (u.getPort() == -1 ? RedisURI.DEFAULT_REDIS_PORT : u.getPort())
                + "/" + config.database();
    }

    /** A new entry that fewer replicas than {@code min_replicas_ack} confirmed in time: a failover could lose it. */
    static final class ReplicasMissingException extends RuntimeException {
        ReplicasMissingException(String message) {
            super(message, null, false, false);
        }
    }
}
