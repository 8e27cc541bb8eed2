package io.kerbgate.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Encryption, checksums and key generation for the supported enctypes (RFC 3961 operations). Stateless and
 * thread-safe; derived keys live in {@link KerberosKey}.
 *
 * <p>Checksums are keyed and tied to the key's enctype: a checksum type other than
 * {@link #checksumTypeFor(Enctype)} of the key is refused, so a client cannot choose a weaker or unkeyed mechanism.
 */
public final class KerberosCrypto {
    /**
     * One generator per thread. The default {@code NativePRNG} instances share one lock, on which the event loops
     * queued for every AP-REP (subkey and confounder): under load a thread preempted while holding it stalled the others (thread dumps
     * of the e2e benchmark). DRBG instances are independent, each seeded from the system's entropy.
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(KerberosCrypto::newRandom);

    private KerberosCrypto() {
    }

    /**
     * Opens an EncryptedData cipher (RFC 3961 §3 decrypt) and verifies its integrity.
     *
     * @throws IntegrityException if the ciphertext is shorter than a confounder plus a MAC, or the MAC does not
     *     verify; nothing else escapes for any ciphertext
     */
    public static byte[] decrypt(KerberosKey key, int usage, byte[] ciphertext) throws IntegrityException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ciphertext, "ciphertext");
        EncryptionProfile profile = key.enctype().profile();
        // Checked before any cipher runs: Kerby throws unchecked exceptions on 0-1 byte ciphertexts (checklist 12).
        if (ciphertext.length < profile.minCiphertextLength()) {
            throw new IntegrityException(key.enctype().kerberosName() + " ciphertext of " + ciphertext.length
                    + " bytes is shorter than confounder and MAC (" + profile.minCiphertextLength() + ")");
        }
        return profile.decrypt(key.usageKeys(usage), ciphertext);
    }

    /** Seals {@code plaintext} with a fresh random confounder (RFC 3961 §3 encrypt). */
    public static byte[] encrypt(KerberosKey key, int usage, byte[] plaintext) {
        byte[] confounder = new byte[key.enctype().profile().confounderLength()];
        RANDOM.get().nextBytes(confounder);
        return encrypt(key, usage, plaintext, confounder);
    }

    /** Deterministic variant for the RFC test vectors, which fix the confounder. */
    static byte[] encrypt(KerberosKey key, int usage, byte[] plaintext, byte[] confounder) {
        Objects.requireNonNull(plaintext, "plaintext");
        return key.enctype().profile().encrypt(key.usageKeys(usage), confounder, plaintext);
    }

    /**
     * The keyed checksum of {@code data} (RFC 3961 §3 get_mic).
     *
     * @throws IllegalArgumentException if {@code cksumType} is not the checksum type of the key's enctype
     */
    public static byte[] checksum(KerberosKey key, int usage, int cksumType, byte[] data) {
        Objects.requireNonNull(data, "data");
        EncryptionProfile profile = key.enctype().profile();
        if (cksumType != profile.checksumType()) {
            throw new IllegalArgumentException("checksum type " + cksumType + " does not go with "
                    + key.enctype().kerberosName() + " (expected " + profile.checksumType() + ")");
        }
        return profile.checksum(key.usageKeys(usage), usage, data);
    }

    /**
     * Verifies a received checksum in constant time (RFC 3961 §3 verify_mic). False, never an exception, for a
     * checksum type that does not go with the key or a MAC of the wrong length.
     */
    public static boolean verifyChecksum(KerberosKey key, int usage, int cksumType, byte[] data, byte[] mac) {
        if (mac == null || data == null || cksumType != key.enctype().profile().checksumType()) {
            return false;
        }
        return MessageDigest.isEqual(checksum(key, usage, cksumType, data), mac);
    }

    /**
     * The checksum type of an enctype: 17 -> 15 (hmac-sha1-96-aes128), 18 -> 16 (hmac-sha1-96-aes256),
     * 19 -> 19 (hmac-sha256-128-aes128), 20 -> 20 (hmac-sha384-192-aes256), 23 -> -138 (hmac-md5).
     */
    public static int checksumTypeFor(Enctype e) {
        return e.profile().checksumType();
    }

    /**
     * True for the keyed checksum types this package computes (15, 16, 19, 20, -138). Unkeyed ones (crc32, md4, md5,
     * sha1) and DES/3DES ones are false: a client could forge them.
     */
    public static boolean isKeyedChecksum(int cksumType) {
        for (Enctype e : Enctype.values()) {
            if (e.profile().checksumType() == cksumType) {
                return true;
            }
        }
        return false;
    }

    /**
     * Password to key with the default parameters: RFC 3962 §4 (4096 iterations), RFC 8009 §4 (32768 iterations),
     * or RFC 4757 §2 for RC4, which ignores the salt. Deliberately slow: never call it on the request path.
     */
    public static KerberosKey stringToKey(Enctype e, char[] password, String salt) {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(salt, "salt");
        return new KerberosKey(e, e.profile().stringToKey(password, salt));
    }

    /** A fresh key from {@link SecureRandom}; random-to-key is the identity for every supported enctype. */
    public static KerberosKey randomKey(Enctype e) {
        byte[] bytes = new byte[e.keyLength()];
        RANDOM.get().nextBytes(bytes);
        return new KerberosKey(e, bytes);
    }

    /** A uniformly random int in {@code [0, bound)}, from this thread's generator. */
    public static int randomInt(int bound) {
        return RANDOM.get().nextInt(bound);
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            // Every JDK since 9 has DRBG; a provider list without it still has the platform default.
            return new SecureRandom();
        }
    }
}
