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
 */
final class AcceptorThreads implements Executor, AutoCloseable {

    static final int QUEUE = 16_384;

    private final ThreadPoolExecutor pool;

    AcceptorThreads(MeterRegistry registry) {
        int threads = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
        pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                new DefaultThreadFactory("kerbgate-acceptor", true), new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        Gauge.builder("kerbgate.auth.offload.queued", pool, p -> p.getQueue().size())
                .description("tokens waiting for an acceptor thread (replay.shared)")
                .register(registry);
        Gauge.builder("kerbgate.auth.offload.active", pool, ThreadPoolExecutor::getActiveCount)
                .description("acceptor threads checking a token or waiting on the shared replay cache")
                .register(registry);
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
