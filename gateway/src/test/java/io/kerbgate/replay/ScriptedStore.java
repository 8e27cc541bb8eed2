package io.kerbgate.replay;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link SharedStore} in memory that a test switches between answering, failing and saying nothing. */
final class ScriptedStore implements SharedStore {

    /** LOST: the write is applied, then the connection drops before the answer (a master killed mid-command). */
    enum Mode { UP, DOWN, SILENT, LOST }

    final Map<String, String> values = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    volatile Mode mode = Mode.UP;
    volatile String lastKey;
    volatile long lastTtlMillis;
    volatile boolean closed;
    private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Boolean> setIfAbsent(String key, String value, long ttlMillis) {
        calls.incrementAndGet();
        lastKey = key;
        lastTtlMillis = ttlMillis;
        return switch (mode) {
            case UP -> CompletableFuture.completedFuture(values.putIfAbsent(key, value) == null);
            case DOWN -> CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
            case SILENT -> new CompletableFuture<>();
            case LOST -> {
                values.putIfAbsent(key, value);
                mode = Mode.DOWN;
                yield CompletableFuture.failedFuture(new IllegalStateException("connection reset"));
            }
        };
    }

    @Override
    public CompletionStage<String> get(String key) {
        calls.incrementAndGet();
        return mode == Mode.UP ? CompletableFuture.completedFuture(values.get(key))
                : CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
    }

    @Override
    public void onConnected(Runnable listener) {
        connectListeners.add(listener);
    }

    /** Up again, and says so as a reconnecting client does. */
    void reconnect() {
        mode = Mode.UP;
        connectListeners.forEach(Runnable::run);
    }

    @Override
    public void close() {
        closed = true;
    }
}
