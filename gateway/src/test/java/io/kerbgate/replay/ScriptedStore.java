package io.kerbgate.replay;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link SharedStore} in memory that a test switches between answering, failing and saying nothing. */
final class ScriptedStore implements SharedStore {

    enum Mode { UP, DOWN, SILENT }

    final Set<String> keys = ConcurrentHashMap.newKeySet();
    final AtomicInteger calls = new AtomicInteger();
    volatile Mode mode = Mode.UP;
    volatile String lastKey;
    volatile long lastTtlMillis;
    volatile boolean closed;
    private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Boolean> setIfAbsent(String key, long ttlMillis) {
        calls.incrementAndGet();
        lastKey = key;
        lastTtlMillis = ttlMillis;
        return switch (mode) {
            case UP -> CompletableFuture.completedFuture(keys.add(key));
            case DOWN -> CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
            case SILENT -> new CompletableFuture<>();
        };
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
