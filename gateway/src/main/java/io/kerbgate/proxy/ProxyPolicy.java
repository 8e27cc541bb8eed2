package io.kerbgate.proxy;

/**
 * What a client connection needs beyond its pipeline, shared by all connections.
 *
 * @param balancer     picks the backend of each request
 * @param health       the backends' health, read once per pick
 * @param retries      retries of an idempotent bodiless request that failed before any response byte
 * @param authRequired {@code false} only for benchmarks: requests go through unauthenticated
 * @param accessLog    one line per request
 * @param connectionBound {@code sessions.connection_bound}: a connection's later requests without
 *                     {@code Authorization} go through as the principal it last authenticated
 */
record ProxyPolicy(Balancer balancer, BackendHealth health, int retries, boolean authRequired, AccessLog accessLog,
                   boolean connectionBound) {

    ProxyPolicy(Balancer balancer, BackendHealth health, int retries, boolean authRequired, AccessLog accessLog) {
        this(balancer, health, retries, authRequired, accessLog, false);
    }
}
