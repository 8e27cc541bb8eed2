package io.kerbgate.identity;

import io.kerbgate.config.GatewayConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A signed statement "the gateway authenticated this request as {@code identity}, at this time", for backends that
 * can be reached other than through the gateway and so cannot trust the identity header alone (PEERS.md: no peer
 * signs it). Both forms are HMAC-SHA256 with a key shared with the backends:
 *
 * <ul>
 *   <li>{@code hmac}: {@code v1;<identity>;<epoch seconds>;<request id>;<base64url signature>}, the signature over
 *       everything before its {@code ;}. The identity may itself hold {@code ;}: verifiers split from the right.
 *   <li>{@code jwt}: a compact JWS (RFC 7515) with {@code alg HS256}: claims {@code iss} ({@code kerbgate}),
 *       {@code sub} (the identity), {@code iat}, {@code exp} ({@code iat} + {@link #JWT_LIFETIME}) and {@code jti}
 *       (the request id).
 * </ul>
 *
 * <p>The identity is the value of the identity header (after {@link PrincipalMapper}); the request id is 128 random
 * bits in hex, new for each request, which a backend may use to refuse a replay within the validity window.
 * {@code docs/tls-and-identity.md} has verifiers in Python and Java.
 *
 * <p>No JWT library: the gateway only <em>writes</em> a token of one fixed header and five claims, which is two
 * base64url strings and one HMAC. The hard parts of JWT (algorithm confusion, parsing untrusted JSON, key selection)
 * are on the verifying side, where backends should use a well-kept library.
 *
 * <p>Thread-safe: a {@link Mac} per thread.
 */
public final class IdentityAssertion {

    /** How long a JWT is valid ({@code exp − iat}); the HMAC form leaves the window to the verifier (60 s advised). */
    public static final Duration JWT_LIFETIME = Duration.ofSeconds(60);

    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String JWT_HEADER =
            B64URL.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.US_ASCII));

    private final GatewayConfig.AssertionType type;
    private final Clock clock;
    private final ThreadLocal<Mac> macs;

    private IdentityAssertion(GatewayConfig.AssertionType type, byte[] key, Clock clock) {
        this.type = type;
        this.clock = clock;
        SecretKeySpec spec = new SecretKeySpec(key, HMAC_SHA256);
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance(HMAC_SHA256);
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("every JDK has " + HMAC_SHA256, e);
            }
        });
    }

    /**
     * Reads the key file of {@code config}: its exact bytes are the key.
     *
     * @throws IllegalArgumentException naming {@code identity.assertion.key_file} when it cannot be read or is short
     */
    public static IdentityAssertion load(GatewayConfig.Assertion config, Clock clock) {
        Path file = config.keyFile();
        byte[] key;
        try {
            key = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("identity.assertion.key_file: cannot read " + file + ": " + e, e);
        }
        try {
            return of(config.type(), key, clock);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** @throws IllegalArgumentException for a key shorter than 32 bytes */
    public static IdentityAssertion of(GatewayConfig.AssertionType type, byte[] key, Clock clock) {
        if (key.length < 32) {
            throw new IllegalArgumentException("identity.assertion.key_file: the key has " + key.length
                    + " bytes; at least 32 are needed (openssl rand -out FILE 32)");
        }
        return new IdentityAssertion(type, key, clock);
    }

    /** A new assertion for {@code identity}, with a fresh request id and the current time. */
    public String create(String identity) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String requestId = HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
        long now = clock.instant().getEpochSecond();
        return switch (type) {
            case HMAC -> {
                String signed = "v1;" + identity + ";" + now + ";" + requestId;
                yield signed + ";" + sign(signed);
            }
            case JWT -> {
                String claims = "{\"iss\":\"kerbgate\",\"sub\":" + jsonString(identity) + ",\"iat\":" + now
                        + ",\"exp\":" + (now + JWT_LIFETIME.toSeconds()) + ",\"jti\":\"" + requestId + "\"}";
                String signed = JWT_HEADER + "." + B64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
                yield signed + "." + sign(signed);
            }
        };
    }

    private String sign(String text) {
        return B64URL.encodeToString(macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** RFC 8259 §7: quote, backslash and control characters escaped; everything else as it is. */
    static String jsonString(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
