/**
 * The meter registry and its conventions ({@link io.kerbgate.metrics.Metrics}); the admin server exposes it to
 * Prometheus.
 */
@NullMarked
package io.kerbgate.metrics;

import org.jspecify.annotations.NullMarked;
