package io.kerbgate.acceptor;

import io.kerbgate.config.GatewayConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The acceptor's settings, checked once.
 *
 * @param clockSkew           largest accepted clock difference (RFC 4120 §1.6)
 * @param allowRc4            accept rc4-hmac; DES is never accepted
 * @param allowedClientRealms client realms accepted; empty means any
 * @param startedAt           when this node's replay cache started empty; see {@link ApReqVerifier}
 */
public record AcceptorPolicy(Duration clockSkew, boolean allowRc4, Set<String> allowedClientRealms, Instant startedAt) {
    public AcceptorPolicy {
        if (clockSkew.isNegative() || clockSkew.isZero()) {
            throw new IllegalArgumentException("clockSkew must be positive: " + clockSkew);
        }
        allowedClientRealms = Set.copyOf(allowedClientRealms);
    }

    public static AcceptorPolicy from(GatewayConfig config, Instant startedAt) {
        GatewayConfig.Acceptor a = config.acceptor();
        return new AcceptorPolicy(config.clockSkew(), a.allowRc4(), Set.copyOf(a.allowedClientRealms()), startedAt);
    }

    public static AcceptorPolicy defaults(Instant startedAt) {
        return new AcceptorPolicy(Duration.ofMinutes(5), false, Set.of(), startedAt);
    }

    List<String> realmsForLog() {
        return allowedClientRealms.stream().sorted().toList();
    }
}
