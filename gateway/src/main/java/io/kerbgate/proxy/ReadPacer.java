package io.kerbgate.proxy;

import io.netty.channel.ChannelOutboundInvoker;
import java.util.function.Consumer;

/**
 * Asks for messages one at a time from a pipeline whose {@link io.netty.handler.flow.FlowControlHandler} hands over one
 * message per {@code read()}, and keeps asking until one comes. Two properties of that handler (Netty 4.2.18) need care:
 *
 * <ul>
 *   <li>A socket read that completes without a whole message (a header block spread over several TCP segments) also
 *       satisfies a {@code read()}: it is reported as {@code channelReadComplete} with no message.
 *       {@link #readComplete()} renews the request then.
 *   <li>A queued message is delivered synchronously, inside {@code read()}. A handler that asks for the next message
 *       while handling one would recurse once per queued message, and a few thousand tiny chunks in one socket read
 *       would overflow the stack. A {@code read()} asked for during {@link #handle} is issued after the handler
 *       returns, in a loop.
 * </ul>
 *
 * <p>Confined to the channel's event loop.
 */
final class ReadPacer {

    private final ChannelOutboundInvoker source;
    private final Consumer<Object> handler;
    private boolean handling;
    /** A read() was asked for during {@link #handle}. */
    private boolean wanted;
    /** A read() was issued and no message has come since. */
    private boolean pending;

    ReadPacer(ChannelOutboundInvoker source, Consumer<Object> handler) {
        this.source = source;
        this.handler = handler;
    }

    /** Asks for the next message. */
    void read() {
        if (handling) {
            wanted = true;
        } else {
            issue();
        }
    }

    /** Passes {@code msg} to the handler; call from {@code channelRead}. */
    void handle(Object msg) {
        pending = false;
        if (handling) {
            handler.accept(msg);
            return;
        }
        handling = true;
        try {
            handler.accept(msg);
            while (wanted) {
                wanted = false;
                issue();
            }
        } finally {
            handling = false;
            wanted = false;
        }
    }

    /** Call from {@code channelReadComplete}: a read that brought no message is asked for again. */
    void readComplete() {
        if (pending && !handling) {
            issue();
        }
    }

    private void issue() {
        pending = true;
        source.read();
    }
}
