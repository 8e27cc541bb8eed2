package io.kerbgate.rollover;

/** A node could not take, show or drop keys; the message names the node and the reason. */
public final class NodeException extends Exception {

    public NodeException(String node, String reason) {
        super(node + ": " + reason);
    }

    public NodeException(String node, String reason, Throwable cause) {
        super(node + ": " + reason, cause);
    }
}
