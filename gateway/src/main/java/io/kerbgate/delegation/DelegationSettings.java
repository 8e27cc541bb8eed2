package io.kerbgate.delegation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What constrained delegation needs, built by the wiring from {@code delegation} of the config.
 *
 * @param principal   the gateway's own principal, {@code HTTP/array.example.test@REALM}: the service the clients'
 *                    tickets are for, and the name the gateway logs in as (an AS exchange with its key) for the TGT
 *                    that asks for backend tickets; the KDC must let this account delegate to {@code backendSpn}
 * @param keytab      the keytab holding {@code principal}'s keys, read afresh at every use (a rolled key is seen)
 * @param backendSpn  the backend's service principal, {@code HTTP/backend.example.test@REALM}
 * @param maxEntries  how many (user, backend) tickets are kept at most
 * @param renewBefore how long before its end a ticket (the gateway's TGT, a backend ticket) is no longer used
 * @param krb5Conf    the krb5.conf the JDK reads to find the KDC, or {@code null} for the JDK's default
 */
public record DelegationSettings(String principal, Path keytab, String backendSpn, int maxEntries,
        Duration renewBefore, @Nullable Path krb5Conf) {

    public DelegationSettings {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(keytab, "keytab");
        Objects.requireNonNull(backendSpn, "backendSpn");
        Objects.requireNonNull(renewBefore, "renewBefore");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries);
        }
    }
}
