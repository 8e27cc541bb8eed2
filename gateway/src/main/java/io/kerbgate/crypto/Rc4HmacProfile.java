package io.kerbgate.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kerby.kerberos.kerb.crypto.util.Md4;

/**
 * rc4-hmac (RFC 4757), the non-export variant only. Weak (RFC 8429): the acceptor uses it only when the operator turns
 * it on. Written on the JCA ({@code ARCFOUR}, {@code HmacMD5}) so that K1 and Ksign are cached like the AES keys;
 * MD4 for string-to-key comes from Kerby because the JCA has none.
 */
final class Rc4HmacProfile implements EncryptionProfile {
    static final Rc4HmacProfile INSTANCE = new Rc4HmacProfile();

    private static final int CHECKSUM_TYPE = -138;
    private static final int CONFOUNDER_LENGTH = 8;
    private static final int MAC_LENGTH = 16;
    /** RFC 4757 §5: the signing key is HMAC(K, "signaturekey"), the terminating zero octet included. */
    private static final byte[] SIGNATURE_KEY = "signaturekey\0".getBytes(StandardCharsets.US_ASCII);

    /** One RC4 cipher per thread, re-keyed per message (see {@link Hmac} for why not getInstance per call). */
    private static final ThreadLocal<Cipher> RC4 = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("ARCFOUR");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCA provider lacks ARCFOUR", e);
        }
    });

    private Rc4HmacProfile() {
    }

    /**
     * The message type T of RFC 4757 §3, which differs from the RFC 4120 key usage in three places. For usage 9
     * (TGS-REP under a subkey) the RFC table and the JDK say 8, while MIT krb5, Heimdal and Kerby keep 9; the acceptor
     * never uses usage 9, so the choice only matters for tests and tools.
     */
    static int messageType(int usage) {
        return switch (usage) {
            case 3, 9 -> 8;
            case 23 -> 13;
            default -> usage;
        };
    }

    @Override
    public UsageKeys deriveUsageKeys(byte[] baseKey, int usage) {
        SecretKey k = Hmac.MD5.key(baseKey);
        // RFC 4757 §4: K1 = HMAC(K, T); K2 = K1 for the non-export type.
        SecretKey k1 = Hmac.MD5.key(Hmac.MD5.compute(k, Bytes.littleEndian32(messageType(usage))));
        SecretKey ksign = Hmac.MD5.key(Hmac.MD5.compute(k, SIGNATURE_KEY));
        return new UsageKeys(k1, k1, ksign);
    }

    @Override
    public int confounderLength() {
        return CONFOUNDER_LENGTH;
    }

    @Override
    public int minCiphertextLength() {
        return MAC_LENGTH + CONFOUNDER_LENGTH;
    }

    @Override
    public byte[] encrypt(UsageKeys keys, byte[] confounder, byte[] plaintext) {
        // RFC 4757 §4: checksum = HMAC(K2, confounder | data); K3 = HMAC(K1, checksum); output checksum | RC4(K3, ...).
        byte[] data = Bytes.concat(confounder, plaintext);
        byte[] checksum = Hmac.MD5.compute(keys.integrity(), data);
        byte[] k3 = Hmac.MD5.compute(keys.encryption(), checksum);
        return Bytes.concat(checksum, rc4(k3, data));
    }

    @Override
    public byte[] decrypt(UsageKeys keys, byte[] ciphertext) throws IntegrityException {
        byte[] checksum = Arrays.copyOf(ciphertext, MAC_LENGTH);
        byte[] k3 = Hmac.MD5.compute(keys.encryption(), checksum);
        byte[] data = rc4(k3, Arrays.copyOfRange(ciphertext, MAC_LENGTH, ciphertext.length));
        if (!MessageDigest.isEqual(Hmac.MD5.compute(keys.integrity(), data), checksum)) {
            throw new IntegrityException("HMAC-MD5 does not verify");
        }
        return Arrays.copyOfRange(data, CONFOUNDER_LENGTH, data.length);
    }

    private static byte[] rc4(byte[] key, byte[] input) {
        Cipher cipher = RC4.get();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ARCFOUR"));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ARCFOUR failed", e);
        }
    }

    @Override
    public int checksumType() {
        return CHECKSUM_TYPE;
    }

    @Override
    public byte[] checksum(UsageKeys keys, int usage, byte[] data) {
        // RFC 4757 §5: HMAC(Ksign, MD5(T | data)). Rare (PACs under RC4 keys), so MD5 is looked up per call.
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JCA provider lacks MD5", e);
        }
        md5.update(Bytes.littleEndian32(messageType(usage)));
        return Hmac.MD5.compute(keys.checksum(), md5.digest(data));
    }

    @Override
    public byte[] stringToKey(char[] password, String salt) {
        // RFC 4757 §2: K = MD4(UNICODE(password)), little-endian UTF-16 without BOM; the salt is not used.
        byte[] utf16 = new byte[password.length * 2];
        for (int i = 0; i < password.length; i++) {
            utf16[2 * i] = (byte) password[i];
            utf16[2 * i + 1] = (byte) (password[i] >>> 8);
        }
        try {
            return new Md4().digest(utf16);
        } finally {
            Arrays.fill(utf16, (byte) 0);
        }
    }
}
