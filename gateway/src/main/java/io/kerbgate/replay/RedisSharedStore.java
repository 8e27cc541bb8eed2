package io.kerbgate.replay;

import io.kerbgate.config.GatewayConfig.Replay.Shared;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisClient;
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
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * {@link SharedStore} on Redis or Valkey through one Lettuce connection. Concurrent requests share it: Lettuce writes
 * each command as it comes and matches replies in order, so many authenticators are in flight on one socket (the
 * pipelining that keeps one round trip per authenticator cheap). Only plain RESP2 commands are sent, which Redis,
 * Valkey and RESP-speaking proxies all understand.
 *
 * <p>A store that is down costs callers little: while disconnected, commands are refused at once instead of queued,
 * and a command that gets no reply is dropped after the timeout. The connection is opened in the background; if the
 * first attempt fails, the next call starts another, and once connected Lettuce reconnects by itself.
 */
final class RedisSharedStore implements SharedStore {

    // Connecting (TCP, TLS, AUTH, SELECT) may take longer than a request may wait: a TLS handshake is several round
    // trips, and no request waits on it for more than its own timeout anyway. Commands get the same limit inside the
    // client: a caller stops waiting after its timeout, and this clears what it left on a stalled connection.
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    // Reconnects back off up to the circuit cool-down, so the trial call after a cool-down finds a fresh connection;
    // never faster than this, so a tiny cool-down does not spin.
    private static final Duration MIN_RECONNECT_BOUND = Duration.ofMillis(100);
    // Bounds the commands buffered on a stalled connection; past it a call fails at once.
    private static final int REQUEST_QUEUE_SIZE = 65_536;
    private static final String VALUE = "1";
    // No authenticator's key looks like this: theirs are hex.
    private static final String STARTUP_CHECK_KEY = SharedReplayCache.KEY_PREFIX + "startup-check";

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final AtomicReference<@Nullable CompletableFuture<StatefulRedisConnection<String, String>>> connection =
            new AtomicReference<>();

    /** @param password the password from {@code password_file}, or null to use the URI's (if any) */
    RedisSharedStore(Shared config, char @Nullable [] password) {
        Duration reconnectBound = config.circuitCooldown().compareTo(MIN_RECONNECT_BOUND) < 0
                ? MIN_RECONNECT_BOUND : config.circuitCooldown();
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .reconnectDelay(Delay.exponential(Duration.ofMillis(1), reconnectBound, 2, TimeUnit.MILLISECONDS))
                .build();
        this.uri = redisUri(config, password);
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
    }

    static RedisURI redisUri(Shared config, char @Nullable [] password) {
        URI u = config.uri();
        String host = u.getHost();
        // java.net.URI keeps the brackets of an IPv6 literal; the client wants the bare address.
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String path = u.getPath();
        int port = u.getPort() == -1 ? RedisURI.DEFAULT_REDIS_PORT : u.getPort();
        RedisURI.Builder builder = RedisURI.Builder.redis(host, port)
                .withSsl(u.getScheme().equalsIgnoreCase("rediss"))
                .withDatabase(path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1)))
                .withTimeout(CONNECT_TIMEOUT);
        String userInfo = u.getRawUserInfo();
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
    public CompletionStage<Boolean> setIfAbsent(String key, long ttlMillis) {
        return connection()
                .thenCompose(c -> c.async().set(key, VALUE, SetArgs.Builder.nx().px(ttlMillis)))
                .thenApply("OK"::equals);
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
            client.connectAsync(StringCodec.UTF8, uri).whenComplete((c, e) -> {
                if (e != null) {
                    next.completeExceptionally(e);
                } else {
                    next.complete(c);
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
            setIfAbsent(STARTUP_CHECK_KEY, 1).toCompletableFuture().get(limit.toNanos(), TimeUnit.NANOSECONDS);
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
        return describe(uri);
    }

    /** Host, port and database: no user, no password. */
    static String describe(RedisURI uri) {
        String host = uri.getHost().contains(":") ? "[" + uri.getHost() + "]" : uri.getHost();
        return (uri.isSsl() ? "rediss://" : "redis://") + host + ":" + uri.getPort() + "/" + uri.getDatabase();
    }
}
