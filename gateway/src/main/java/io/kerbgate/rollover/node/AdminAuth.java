package io.kerbgate.rollover.node;

import io.kerbgate.rollover.ArrayConfig;
import io.kerbgate.rollover.KeytabTicketSource;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a request to a node's admin API proves who sends it. Client certificates (mTLS) belong to the
 * {@link java.net.http.HttpClient}'s {@code SSLContext} instead; this hook adds what goes in the request itself.
 */
@FunctionalInterface
public interface AdminAuth {

    void apply(HttpRequest.Builder request) throws IOException;

    static AdminAuth none() {
        return request -> {};
    }

    /**
     * {@code Authorization: Negotiate <token>} for the node's service principal (the array's: a gateway accepts
     * tickets for the principals of its keytab), from a keytab login of {@code client}. Each request logs in anew,
     * so its ticket is always under the KDC's current kvno, and carries a new authenticator (no replay).
     */
    static AdminAuth negotiate(ArrayConfig.Check client, String servicePrincipal) {
        KeytabTicketSource tickets = new KeytabTicketSource(client);
        return request -> {
            try {
                request.header("Authorization", tickets.negotiateHeader(servicePrincipal));
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("Kerberos login of " + client.client() + " with " + client.keytab()
                        + " failed: " + e.getMessage(), e);
            }
        };
    }

    /** {@code Authorization: Bearer <token>}, the token read from {@code file} at each request, so it can be rotated. */
    static AdminAuth bearerTokenFile(Path file) {
        return request -> request.header("Authorization", "Bearer " + Files.readString(file).strip());
    }
}
