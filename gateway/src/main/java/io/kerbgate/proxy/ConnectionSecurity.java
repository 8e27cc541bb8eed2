package io.kerbgate.proxy;

import io.kerbgate.acceptor.ChannelBindings;
import java.util.Objects;

/**
 * What a client connection's transport means for its requests: the scheme the client used ({@code X-Forwarded-Proto})
 * and the channel bindings its tokens must carry. Fixed when the connection opens (with the TLS certificate it got),
 * shared by every request and HTTP/2 stream on it.
 *
 * @param scheme   {@code http} or {@code https}
 * @param bindings {@link ChannelBindings#NONE} on plain HTTP
 */
record ConnectionSecurity(String scheme, ChannelBindings bindings) {

    static final ConnectionSecurity PLAIN = new ConnectionSecurity("http", ChannelBindings.NONE);

    ConnectionSecurity {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(bindings, "bindings");
    }

    /** Whether the client connection is TLS. */
    boolean tls() {
        return scheme.equals("https");
    }

    static ConnectionSecurity tls(TlsContextReloader.Snapshot snapshot) {
        return new ConnectionSecurity("https", snapshot.bindings());
    }
}
