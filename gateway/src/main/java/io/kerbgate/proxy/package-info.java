/**
 * The HTTP/1.1 reverse proxy: it authenticates each request with {@code Negotiate} (RFC 4559) and streams accepted
 * requests to a pool of backends.
 *
 * <p>Threading: a client connection and every backend connection it uses share one event loop, so the state of an
 * exchange is confined to that loop and needs no synchronization. Both sides run with {@code AUTO_READ=false}, and a
 * {@link io.netty.handler.flow.FlowControlHandler} hands over one HTTP message per {@code read()}: a side reads more
 * only when the other side can take it.
 */
@NullMarked
package io.kerbgate.proxy;

import org.jspecify.annotations.NullMarked;
