package io.kerbgate.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * aes128-cts-hmac-sha256-128 and aes256-cts-hmac-sha384-192 (RFC 8009), which Kerby 2.1 does not implement.
 *
 * <p>Unlike RFC 3962 this is encrypt-then-MAC: the HMAC covers the cipher state and the ciphertext (§5), so a forged
 * message is rejected before anything is decrypted. The cipher state is always the zero IV here: Kerberos messages
 * (RFC 4120 §5) never chain cipher state.
 */
final class AesSha2Profile implements EncryptionProfile {
    static final AesSha2Profile AES128 = new AesSha2Profile(
            "aes128-cts-hmac-sha256-128", 16, Hmac.SHA256, "PBKDF2WithHmacSHA256", 16, 19);
    static final AesSha2Profile AES256 = new AesSha2Profile(
            "aes256-cts-hmac-sha384-192", 32, Hmac.SHA384, "PBKDF2WithHmacSHA384", 24, 20);

    /** RFC 8009 §4: used when the KDC supplies no string-to-key parameters. */
    static final int DEFAULT_ITERATIONS = 32768;

    private static final byte[] ZERO_IV = new byte[AesCts.BLOCK];
    private static final byte[] KERBEROS = "kerberos".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PRF = "prf".getBytes(StandardCharsets.US_ASCII);

    private final byte[] enctypeName;
    private final int keyLength;
    private final Hmac hmac;
    private final String pbkdf2;
    private final int macLength;
    private final int checksumType;

    private AesSha2Profile(String enctypeName, int keyLength, Hmac hmac, String pbkdf2, int macLength,
            int checksumType) {
        this.enctypeName = enctypeName.getBytes(StandardCharsets.US_ASCII);
        this.keyLength = keyLength;
        this.hmac = hmac;
        this.pbkdf2 = pbkdf2;
        this.macLength = macLength;
        this.checksumType = checksumType;
    }

    /**
     * KDF-HMAC-SHA2 of RFC 8009 §3, the SP 800-108 counter-mode KDF with one iteration:
     * {@code k-truncate(HMAC(key, 00000001 | label | 00 | context | k))}, k being the output length in bits.
     */
    private byte[] kdf(byte[] key, byte[] label, byte[] context, int lengthBytes) {
        byte[] k1 = hmac.compute(hmac.key(key),
                Bytes.bigEndian32(1), label, new byte[1], context, Bytes.bigEndian32(lengthBytes * 8));
        return Arrays.copyOf(k1, lengthBytes);
    }

    @Override
    public UsageKeys deriveUsageKeys(byte[] baseKey, int usage) {
        // RFC 8009 §5: Ke is a full AES key; Ki and Kc are as long as the truncated MAC.
        byte[] none = new byte[0];
        return new UsageKeys(
                new SecretKeySpec(kdf(baseKey, Bytes.usageConstant(usage, 0xAA), none, keyLength), "AES"),
                hmac.key(kdf(baseKey, Bytes.usageConstant(usage, 0x55), none, macLength)),
                hmac.key(kdf(baseKey, Bytes.usageConstant(usage, 0x99), none, macLength)));
    }

    /** RFC 8009 §5: PRF = KDF-HMAC-SHA2(key, "prf", input), as long as the hash output. */
    byte[] prf(byte[] baseKey, byte[] input) {
        return kdf(baseKey, PRF, input, hmac == Hmac.SHA256 ? 32 : 48);
    }

    @Override
    public int confounderLength() {
        return AesCts.BLOCK;
    }

    @Override
    public int minCiphertextLength() {
        return AesCts.BLOCK + macLength;
    }

    @Override
    public byte[] encrypt(UsageKeys keys, byte[] confounder, byte[] plaintext) {
        byte[] c = AesCts.encrypt(keys.encryption(), Bytes.concat(confounder, plaintext));
        return Bytes.concat(c, mac(keys.integrity(), c));
    }

    @Override
    public byte[] decrypt(UsageKeys keys, byte[] ciphertext) throws IntegrityException {
        int cLength = ciphertext.length - macLength;
        byte[] c = Arrays.copyOf(ciphertext, cLength);
        byte[] received = Arrays.copyOfRange(ciphertext, cLength, ciphertext.length);
        if (!MessageDigest.isEqual(mac(keys.integrity(), c), received)) {
            throw new IntegrityException("HMAC-SHA2 does not verify");
        }
        byte[] padded = AesCts.decrypt(keys.encryption(), c);
        return Arrays.copyOfRange(padded, AesCts.BLOCK, padded.length);
    }

    /** H = HMAC(Ki, IV | C), truncated (RFC 8009 §5). */
    private byte[] mac(SecretKey ki, byte[] c) {
        return Arrays.copyOf(hmac.compute(ki, ZERO_IV, c), macLength);
    }

    @Override
    public int checksumType() {
        return checksumType;
    }

    @Override
    public byte[] checksum(UsageKeys keys, int usage, byte[] data) {
        return Arrays.copyOf(hmac.compute(keys.checksum(), data), macLength);
    }

    @Override
    public byte[] stringToKey(char[] password, String salt) {
        return stringToKey(password, salt.getBytes(StandardCharsets.UTF_8), DEFAULT_ITERATIONS);
    }

    /**
     * RFC 8009 §4: saltp = enctype-name | 0x00 | salt; tkey = PBKDF2-HMAC-SHA2(password, saltp, iterations);
     * key = KDF-HMAC-SHA2(tkey, "kerberos"). The salt is raw bytes because the RFC's vector salt is.
     */
    byte[] stringToKey(char[] password, byte[] salt, int iterations) {
        byte[] saltp = Bytes.concat(enctypeName, new byte[1], salt);
        byte[] tkey = Pbkdf2.derive(pbkdf2, password, saltp, iterations, keyLength);
        return kdf(tkey, KERBEROS, new byte[0], keyLength);
    }
}
