package io.kerbgate.acceptor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The acceptor's settings, checked once. The wiring builds them from the config ({@code Kerbgate.acceptorPolicy}),
 * so the acceptor never reads configuration itself.
 *
 * @param clockSkew           largest accepted clock difference (RFC 4120 §1.6)
 * @param allowRc4            accept rc4-hmac; DES is never accepted
 * @param allowedClientRealms client realms accepted; empty means any
 * @param startedAt           when this node's replay cache started empty; see {@link ApReqVerifier}
 * @param pac                 whether PACs are verified and their groups used
 * @param maxTokenBytes       the largest decoded token accepted; larger ones are refused before decoding
 */
public record AcceptorPolicy(Duration clockSkew, boolean allowRc4, Set<String> allowedClientRealms, Instant startedAt,
        PacPolicy pac, int maxTokenBytes) {
    /**
     * The token cap of the gateway's default header limit ({@code limits.max_header_size}, 96 KiB): a token never
     * outgrows the header block that carries it, and the tools cap tokens as the gateway does.
     */
    public static final int DEFAULT_MAX_TOKEN_BYTES = 96 * 1024;

    public AcceptorPolicy {
        if (clockSkew.isNegative() || clockSkew.isZero()) {
            throw new IllegalArgumentException("clockSkew must be positive: " + clockSkew);
        }
        allowedClientRealms = Set.copyOf(allowedClientRealms);
        Objects.requireNonNull(pac, "pac");
        if (maxTokenBytes <= 0) {
            throw new IllegalArgumentException("maxTokenBytes must be positive: " + maxTokenBytes);
        }
    }

    /** A policy that ignores PACs, with the default token cap. */
    public AcceptorPolicy(Duration clockSkew, boolean allowRc4, Set<String> allowedClientRealms, Instant startedAt) {
        this(clockSkew, allowRc4, allowedClientRealms, startedAt, PacPolicy.OFF, DEFAULT_MAX_TOKEN_BYTES);
    }

    /** This policy with {@code pac}. */
    public AcceptorPolicy withPac(PacPolicy pac) {
        return new AcceptorPolicy(clockSkew, allowRc4, allowedClientRealms, startedAt, pac, maxTokenBytes);
    }

    public static AcceptorPolicy defaults(Instant startedAt) {
        return new AcceptorPolicy(Duration.ofMinutes(5), false, Set.of(), startedAt);
    }

    List<String> realmsForLog() {
        return allowedClientRealms.stream().sorted().toList();
    }
}
