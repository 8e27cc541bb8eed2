package io.kerbgate.replay;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on every sentinel for {@code +switch-master} of one master, so that the store reconnects the moment the
 * sentinels name a new master instead of at its next reconnect attempt. Any one sentinel suffices: each publishes the
 * switch when it learns it, so a sentinel that is down at start, or later, costs nothing but its own connection
 * attempts. The subscriptions live on the store's client: Lettuce resubscribes after a reconnect, and the client's
 * shutdown closes them.
 *
 * <p>The message is {@code <master> <old-ip> <old-port> <new-ip> <new-port>} (Redis Sentinel documentation, "Pub/Sub
 * messages").
 */
final class SentinelWatch {

    static final String CHANNEL = "+switch-master";

    private static final Logger log = LoggerFactory.getLogger(SentinelWatch.class);

    private SentinelWatch() {}

    /** What to do when the master moved: it gets the new master's address as the sentinels announce it. */
    interface Listener {
        void masterSwitched(String host, int port);
    }

    /** Subscribes in the background; {@code onSwitch} runs on a Lettuce thread and must not block. */
    static void start(RedisClient client, RedisURI uri, Listener onSwitch) {
        String prefix = uri.getSentinelMasterId() + " ";
        for (RedisURI sentinel : uri.getSentinels()) {
            client.connectPubSubAsync(StringCodec.UTF8, sentinel).thenCompose(c -> {
                c.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        if (CHANNEL.equals(channel) && message.startsWith(prefix)) {
                            log.info("sentinel {}:{}: {} {}", sentinel.getHost(), sentinel.getPort(), channel,
                                    message);
                            String[] parts = message.split(" ");
                            if (parts.length == 5 && parts[4].matches("\\d{1,5}")) {
                                onSwitch.masterSwitched(parts[3], Integer.parseInt(parts[4]));
                            }
                        }
                    }
                });
                return c.async().subscribe(CHANNEL);
            }).whenComplete((ok, e) -> {
                if (e != null) {
                    log.warn("sentinel {}:{}: cannot subscribe to {} ({}); the other sentinels and the reconnect"
                            + " attempts still find a new master", sentinel.getHost(), sentinel.getPort(), CHANNEL,
                            SharedReplayCache.describe(e));
                }
            });
        }
    }
}
