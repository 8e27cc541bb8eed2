/**
 * The admin listener on its own port: Prometheus metrics, health and readiness, the loaded keys and the effective
 * configuration. Only this package and the proxy know about Netty channels.
 */
@NullMarked
package io.kerbgate.admin;

import org.jspecify.annotations.NullMarked;
