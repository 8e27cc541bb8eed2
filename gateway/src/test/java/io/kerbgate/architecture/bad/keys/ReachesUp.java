package io.kerbgate.architecture.bad.keys;

import io.kerbgate.architecture.bad.crypto.Cipher;
import io.kerbgate.architecture.bad.proxy.Edge;

/** Breaks the layering (a state floor reaching up to the edge) and, with {@link Cipher}, makes a package cycle. */
public final class ReachesUp {
    public int port() {
        return Edge.port();
    }

    public Cipher cipher() {
        return new Cipher();
    }
}
