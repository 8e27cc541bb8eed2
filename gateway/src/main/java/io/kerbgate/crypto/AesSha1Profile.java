package io.kerbgate.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * aes128-cts-hmac-sha1-96 and aes256-cts-hmac-sha1-96 (RFC 3962) on the RFC 3961 §5.3 simplified profile.
 *
 * <p>Written on the JCA rather than delegated to Kerby for the hot path: Kerby's handlers take raw key bytes and
 * re-derive Ke and Ki (n-fold plus one or two AES block encryptions each) on every call, while the acceptor decrypts
 * a ticket with the same service key on every request. Here {@link KerberosKey} derives Ke/Ki/Kc once per usage and
 * keeps them as prepared {@link SecretKey}s. The tests check equivalence with Kerby in both directions.
 */
final class AesSha1Profile implements EncryptionProfile {
    static final AesSha1Profile AES128 = new AesSha1Profile(16, 15);
    static final AesSha1Profile AES256 = new AesSha1Profile(32, 16);

    /** RFC 3962 §4: used when the KDC supplies no string-to-key parameters. */
    static final int DEFAULT_ITERATIONS = 4096;

    /** HMAC-SHA1 truncated to 96 bits (RFC 3962 §6). */
    private static final int MAC_LENGTH = 12;
    private static final byte[] KERBEROS = "kerberos".getBytes(StandardCharsets.US_ASCII);

    private final int keyLength;
    private final int checksumType;

    /** The derivation constants' kinds (RFC 3961 §5.3) and their n-folds for usages 0..32, computed once. */
    private static final int[] KINDS = {0xAA, 0x55, 0x99};
    private static final byte[][][] FOLDED = foldCommonUsages(33);

    private AesSha1Profile(int keyLength, int checksumType) {
        this.keyLength = keyLength;
        this.checksumType = checksumType;
    }

    @Override
    public UsageKeys deriveUsageKeys(byte[] baseKey, int usage) {
        // RFC 3961 §5.3: Ke = DK(base, usage | 0xAA), Ki = DK(base, usage | 0x55), Kc = DK(base, usage | 0x99).
        // One key object for the three: AesCts keeps a cipher per key object, so its key is expanded once.
        SecretKey base = new SecretKeySpec(baseKey, "AES");
        return new UsageKeys(
                new SecretKeySpec(dk(base, folded(usage, 0xAA)), "AES"),
                Hmac.SHA1.key(dk(base, folded(usage, 0x55))),
                Hmac.SHA1.key(dk(base, folded(usage, 0x99))));
    }

    /**
     * n-fold(usage | kind) to one block. It depends on the usage only, never on the key, so the usages the acceptor
     * meets are folded once: every request brings a new session key, and folding was a fifth of the cold path's CPU
     * (JFR, AcceptorBenchmark, enctype 18).
     */
    private static byte[] folded(int usage, int kind) {
        if (usage >= 0 && usage < FOLDED.length) {
            return FOLDED[usage][kindIndex(kind)];
        }
        return NFold.fold(Bytes.usageConstant(usage, kind), AesCts.BLOCK);
    }

    private static byte[][][] foldCommonUsages(int usages) {
        byte[][][] table = new byte[usages][KINDS.length][];
        for (int u = 0; u < usages; u++) {
            for (int k = 0; k < KINDS.length; k++) {
                table[u][k] = NFold.fold(Bytes.usageConstant(u, KINDS[k]), AesCts.BLOCK);
            }
        }
        return table;
    }

    private static int kindIndex(int kind) {
        return kind == 0xAA ? 0 : kind == 0x55 ? 1 : 2;
    }

    /** DK(key, constant) = random-to-key(DR(key, constant)); random-to-key is the identity for AES (RFC 3962 §6). */
    private byte[] dk(SecretKey key, byte[] foldedConstant) {
        // RFC 3961 §5.1 DR: K1 = E(key, n-fold(constant)), K(i+1) = E(key, Ki), concatenated up to the key length.
        // Each E is over exactly one block, where CBC-CTS with a zero IV is plain AES.
        byte[] block = foldedConstant;
        byte[] out = new byte[keyLength];
        for (int filled = 0; filled < keyLength; filled += AesCts.BLOCK) {
            block = AesCts.encrypt(key, block);
            System.arraycopy(block, 0, out, filled, Math.min(AesCts.BLOCK, keyLength - filled));
        }
        return out;
    }

    @Override
    public int confounderLength() {
        return AesCts.BLOCK;
    }

    @Override
    public int minCiphertextLength() {
        return AesCts.BLOCK + MAC_LENGTH;
    }

    @Override
    public byte[] encrypt(UsageKeys keys, byte[] confounder, byte[] plaintext) {
        byte[] padded = Bytes.concat(confounder, plaintext);
        byte[] c = AesCts.encrypt(keys.encryption(), padded);
        // RFC 3961 §5.3: the MAC covers the confounded plaintext, not the ciphertext.
        byte[] h = Hmac.SHA1.compute(keys.integrity(), padded);
        return Bytes.concat(c, Arrays.copyOf(h, MAC_LENGTH));
    }

    @Override
    public byte[] decrypt(UsageKeys keys, byte[] ciphertext) throws IntegrityException {
        int cLength = ciphertext.length - MAC_LENGTH;
        byte[] padded = AesCts.decrypt(keys.encryption(), Arrays.copyOf(ciphertext, cLength));
        byte[] expected = Arrays.copyOf(Hmac.SHA1.compute(keys.integrity(), padded), MAC_LENGTH);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(ciphertext, cLength, ciphertext.length))) {
            throw new IntegrityException("HMAC-SHA1-96 does not verify");
        }
        return Arrays.copyOfRange(padded, AesCts.BLOCK, padded.length);
    }

    @Override
    public int checksumType() {
        return checksumType;
    }

    @Override
    public byte[] checksum(UsageKeys keys, int usage, byte[] data) {
        return Arrays.copyOf(Hmac.SHA1.compute(keys.checksum(), data), MAC_LENGTH);
    }

    @Override
    public byte[] stringToKey(char[] password, String salt) {
        return stringToKey(password, salt, DEFAULT_ITERATIONS);
    }

    /** RFC 3962 §4: tkey = PBKDF2-HMAC-SHA1(password, salt, iterations); key = DK(tkey, "kerberos"). */
    byte[] stringToKey(char[] password, String salt, int iterations) {
        byte[] tkey = Pbkdf2.derive("PBKDF2WithHmacSHA1", password, salt.getBytes(StandardCharsets.UTF_8),
                iterations, keyLength);
        return dk(new SecretKeySpec(tkey, "AES"), NFold.fold(KERBEROS, AesCts.BLOCK));
    }
}
