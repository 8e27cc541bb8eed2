package io.kerbgate.acceptor;

import io.kerbgate.config.GatewayConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The acceptor's settings, checked once.
 *
 * @param clockSkew           largest accepted clock difference (RFC 4120 §1.6)
 * @param allowRc4            accept rc4-hmac; DES is never accepted
 * @param allowedClientRealms client realms accepted; empty means any
 * @param startedAt           when this node's replay cache started empty; see {@link ApReqVerifier}
 * @param pac                 whether PACs are verified and their groups used
 */
public record AcceptorPolicy(Duration clockSkew, boolean allowRc4, Set<String> allowedClientRealms, Instant startedAt,
        GatewayConfig.Pac pac) {
    public AcceptorPolicy {
        if (clockSkew.isNegative() || clockSkew.isZero()) {
            throw new IllegalArgumentException("clockSkew must be positive: " + clockSkew);
        }
        allowedClientRealms = Set.copyOf(allowedClientRealms);
        Objects.requireNonNull(pac, "pac");
    }

    /** A policy that ignores PACs. */
    public AcceptorPolicy(Duration clockSkew, boolean allowRc4, Set<String> allowedClientRealms, Instant startedAt) {
        this(clockSkew, allowRc4, allowedClientRealms, startedAt, GatewayConfig.Pac.OFF);
    }

    public static AcceptorPolicy from(GatewayConfig config, Instant startedAt) {
        GatewayConfig.Acceptor a = config.acceptor();
        return new AcceptorPolicy(config.clockSkew(), a.allowRc4(), Set.copyOf(a.allowedClientRealms()), startedAt,
                a.pac());
    }

    /** This policy with {@code pac}. */
    public AcceptorPolicy withPac(GatewayConfig.Pac pac) {
        return new AcceptorPolicy(clockSkew, allowRc4, allowedClientRealms, startedAt, pac);
    }

    public static AcceptorPolicy defaults(Instant startedAt) {
        return new AcceptorPolicy(Duration.ofMinutes(5), false, Set.of(), startedAt);
    }

    List<String> realmsForLog() {
        return allowedClientRealms.stream().sorted().toList();
    }
}
