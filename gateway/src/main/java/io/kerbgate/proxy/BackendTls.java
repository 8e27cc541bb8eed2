package io.kerbgate.proxy;

import io.kerbgate.config.GatewayConfig;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLException;

/**
 * TLS to {@code https://} backends: the backend's certificate must chain to {@code backend_tls.ca} (or the JDK's trust
 * store) and, with {@code backend_tls.verify_hostname}, name the host of the backend's URL (RFC 2818 / RFC 6125, as
 * an HTTPS client checks it). The handshake is part of connecting: a backend that fails it is unreachable (502), like
 * one that refuses the connection.
 */
final class BackendTls {

    private final SslContext context;

    private BackendTls(SslContext context) {
        this.context = context;
    }

    /** @throws IllegalArgumentException naming {@code backend_tls.ca} when the CA file does not load */
    static BackendTls of(GatewayConfig.BackendTls config) {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(TlsContextReloader.preferredProvider())
                .endpointIdentificationAlgorithm(config.verifyHostname() ? "HTTPS" : null);
        if (config.ca() != null) {
            builder.trustManager(config.ca().toFile());
        }
        try {
            return new BackendTls(builder.build());
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("backend_tls.ca: cannot load " + config.ca() + ": " + e.getMessage(), e);
        }
    }

    /** A client-side handler for a connection to {@code backend}: SNI and the name to verify are its URL's host. */
    SslHandler newHandler(Channel channel, Backend backend) {
        return context.newHandler(channel.alloc(), backend.host(), backend.address().getPort());
    }
}
