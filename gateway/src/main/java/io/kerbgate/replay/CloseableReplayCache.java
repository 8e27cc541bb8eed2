package io.kerbgate.replay;

/** A replay cache that may hold a connection: the gateway closes it on shutdown. */
public interface CloseableReplayCache extends ReplayCache, AutoCloseable {

    @Override
    void close();
}
