package io.kerbgate.proxy;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads the acceptor runs on when its replay check waits on the network ({@code replay.shared}): a round trip
 * per token, and up to {@code failover_wait} while the store fails over. Waiting there, not on an event loop, keeps
 * every other connection of that loop moving.
 *
 * <p>Most of a thread's time is spent waiting for the store, so there are several per core. The queue bounds what
 * waits for a thread; beyond it a request is refused at once (503), which a client can retry, rather than holding
 * memory for a store that may not come back.
 *
 * <p>Basic logins ({@code basic}) wait on the KDC, for up to its timeouts: they get a pool of their own
 * ({@link #forBasic}), so that a slow KDC cannot take the threads the shared replay cache's checks need.
 */
final class AcceptorThreads implements Executor, AutoCloseable {

    static final int QUEUE = 16_384;

    private final ThreadPoolExecutor pool;

    /** Threads a Basic login may hold at once, and logins that may wait for one; beyond, 503 at once. */
    static final int BASIC_THREADS = 16;
    static final int BASIC_QUEUE = 256;

    AcceptorThreads(MeterRegistry registry) {
        this(registry, "kerbgate-acceptor", Math.max(16, 4 * Runtime.getRuntime().availableProcessors()), QUEUE,
                "kerbgate.auth.offload", "tokens waiting for an acceptor thread (replay.shared)",
                "acceptor threads checking a token or waiting on the shared replay cache");
    }

    private AcceptorThreads(MeterRegistry registry, String name, int threads, int queue, String meter,
                            String queuedText, String activeText) {
        pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                new DefaultThreadFactory(name, true), new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        Gauge.builder(meter + ".queued", pool, p -> p.getQueue().size()).description(queuedText).register(registry);
        Gauge.builder(meter + ".active", pool, ThreadPoolExecutor::getActiveCount).description(activeText)
                .register(registry);
    }

    /** The threads of Basic logins: {@code kerbgate_basic_offload_queued} and {@code _active}. */
    static AcceptorThreads forBasic(MeterRegistry registry) {
        return new AcceptorThreads(registry, "kerbgate-basic", BASIC_THREADS, BASIC_QUEUE, "kerbgate.basic.offload",
                "Basic logins waiting for a thread", "Basic logins waiting on the KDC or checking its ticket");
    }

    /** @throws java.util.concurrent.RejectedExecutionException when the queue is full or the proxy has stopped */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** Stops at once: the event loops are gone, so no verdict could reach its connection anyway. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
