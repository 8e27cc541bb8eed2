package io.kerbgate;

import io.kerbgate.config.GatewayConfig;
import java.util.concurrent.CountDownLatch;

/**
 * The running gateway: builds every component from the config, starts the listeners, and stops them on
 * {@link #close()}. The CLI's {@code run} command is its only caller.
 */
public final class Kerbgate implements AutoCloseable {

    private final CountDownLatch stopped = new CountDownLatch(1);

    private Kerbgate() {}

    /**
     * Starts the gateway with a validated config.
     *
     * @throws Exception when a component cannot start (a port in use, keys that do not load)
     */
    public static Kerbgate start(GatewayConfig config) throws Exception {
        throw new UnsupportedOperationException("wiring not done yet");
    }

    /** Blocks until {@link #close()} has run (from a shutdown hook, on SIGTERM). */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stopped.countDown();
    }
}
