/**
 * The HTTP/1.1 reverse proxy: it authenticates each request with {@code Negotiate} (RFC 4559) and streams accepted
 * requests to a pool of backends.
 *
 * <p>A client connection (or HTTP/2 stream) is a pipeline of stages, each a handler with one role:
 * <pre>
 * [tls] | framing guard | HTTP codec | one message per read
 *   | {@link io.kerbgate.proxy.ClientEdge}        read pacing, local answers, idle, drain, access log
 *   | {@link io.kerbgate.proxy.RequestChecks}     version, expectation, method, framing, target: 4xx here
 *   | {@link io.kerbgate.proxy.NegotiateHandler}  401/403/503 here; passes Authenticated (who, and how)
 *   | {@link io.kerbgate.proxy.ForwardHandler}    backend choice, retries, lease, streaming both ways, timeouts
 *       after a 101, all of the above give way to a {@link io.kerbgate.proxy.TunnelHandler}
 * </pre>
 * In forward-auth mode ({@code forward_auth}) the proxy in front asks and nothing is forwarded:
 * <pre>
 *   | ClientEdge | RequestChecks
 *   | {@link io.kerbgate.proxy.ForwardAuthTarget}   who may ask (403); the original request the route is chosen by
 *   | NegotiateHandler
 *   | {@link io.kerbgate.proxy.ForwardAuthAnswer}   200 with the identity headers, the mutual token, the cookie
 * </pre>
 * The heads both ways are rewritten by {@link io.kerbgate.proxy.RequestRewrite} and
 * {@link io.kerbgate.proxy.ResponseRewrite}, functions with no channel.
 *
 * <p>Threading: a client connection and every backend connection it uses share one event loop, so the state of an
 * exchange is confined to that loop and needs no synchronization. Both sides run with {@code AUTO_READ=false}, and a
 * {@link io.netty.handler.flow.FlowControlHandler} hands over one HTTP message per {@code read()}: a side reads more
 * only when the other side can take it.
 */
@NullMarked
package io.kerbgate.proxy;

import org.jspecify.annotations.NullMarked;
