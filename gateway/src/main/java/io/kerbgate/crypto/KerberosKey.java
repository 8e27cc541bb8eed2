package io.kerbgate.crypto;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A key of one enctype. Immutable and thread-safe.
 *
 * <p>It also caches the per-usage keys (Ke, Ki, Kc, or RC4's K1 and Ksign) for usages 0 to 32, which covers every
 * RFC 4120 §7.5.1 usage and the RFC 4121 GSS usages (22 to 25): the first use of a usage derives them, every later use
 * of the same key finds them ready. Other usages are derived on every call. Two threads racing on a cold slot both
 * derive, and either result is kept; the results are equal.
 */
public final class KerberosKey {
    private static final int CACHED_USAGES = 33;

    private final Enctype enctype;
    private final byte[] keyBytes;
    private final AtomicReferenceArray<UsageKeys> usageKeys = new AtomicReferenceArray<>(CACHED_USAGES);
    // Computed on first use: session keys, made per request, never need it. A racing second computation is equal.
    private Fingerprint fingerprint;

    /**
     * @throws IllegalArgumentException if the length does not match the enctype
     */
    public KerberosKey(Enctype enctype, byte[] keyBytes) {
        this.enctype = Objects.requireNonNull(enctype, "enctype");
        Objects.requireNonNull(keyBytes, "keyBytes");
        if (keyBytes.length != enctype.keyLength()) {
            throw new IllegalArgumentException(enctype.kerberosName() + " needs a key of " + enctype.keyLength()
                    + " bytes, got " + keyBytes.length);
        }
        this.keyBytes = keyBytes.clone();
    }

    public Enctype enctype() {
        return enctype;
    }

    /** A copy of the key bytes. */
    public byte[] bytes() {
        return keyBytes.clone();
    }

    /**
     * What identifies this key without holding it: the first 128 bits of SHA-256 over a label, the enctype and the key
     * bytes. Caches of what a key decrypted are keyed on it, so that a different key under the same principal and kvno
     * (a re-exported keytab) never finds them, and they keep no key material alive.
     */
    public Fingerprint fingerprint() {
        Fingerprint f = fingerprint;
        if (f == null) {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                sha256.update("kerbgate key fingerprint".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                sha256.update(ByteBuffer.allocate(4).putInt(enctype.id()).array());
                ByteBuffer digest = ByteBuffer.wrap(sha256.digest(keyBytes));
                f = new Fingerprint(digest.getLong(), digest.getLong());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
            fingerprint = f;
        }
        return f;
    }

    /** See {@link #fingerprint()}; prints as hex, which is safe to log. */
    public record Fingerprint(long high, long low) {
        @Override
        public String toString() {
            return String.format("%016x%016x", high, low);
        }
    }

    UsageKeys usageKeys(int usage) {
        if (usage < 0 || usage >= CACHED_USAGES) {
            return enctype.profile().deriveUsageKeys(keyBytes, usage);
        }
        UsageKeys keys = usageKeys.get(usage);
        if (keys == null) {
            keys = enctype.profile().deriveUsageKeys(keyBytes, usage);
            usageKeys.set(usage, keys);
        }
        return keys;
    }

    /** Equal when enctype and key bytes are equal; the bytes are compared in constant time. */
    @Override
    public boolean equals(Object o) {
        return o instanceof KerberosKey other
                && enctype == other.enctype
                && MessageDigest.isEqual(keyBytes, other.keyBytes);
    }

    @Override
    public int hashCode() {
        return 31 * enctype.hashCode() + Arrays.hashCode(keyBytes);
    }

    /** Names the enctype only: key bytes must never reach a log. */
    @Override
    public String toString() {
        return "KerberosKey[" + enctype.kerberosName() + "]";
    }
}
