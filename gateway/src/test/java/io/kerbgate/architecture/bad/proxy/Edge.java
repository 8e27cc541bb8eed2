package io.kerbgate.architecture.bad.proxy;

/** Stands for the Netty edge. */
public final class Edge {
    public static int port() {
        return 8080;
    }
}
