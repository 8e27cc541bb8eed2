package io.kerbgate.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMACs the enctypes use. A {@link Mac} is not thread-safe and {@code Mac.getInstance} walks the provider list on
 * every call, so each thread keeps one instance per algorithm and re-keys it per call; the gateway's event-loop threads
 * are few and long-lived, which bounds the number of instances.
 */
enum Hmac {
    SHA1("HmacSHA1"),
    SHA256("HmacSHA256"),
    SHA384("HmacSHA384"),
    MD5("HmacMD5");

    private final String algorithm;
    private final ThreadLocal<Mac> perThread;

    Hmac(String algorithm) {
        this.algorithm = algorithm;
        this.perThread = ThreadLocal.withInitial(() -> {
            try {
                return Mac.getInstance(algorithm);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JCA provider lacks " + algorithm, e);
            }
        });
    }

    SecretKey key(byte[] keyBytes) {
        return new SecretKeySpec(keyBytes, algorithm);
    }

    /** HMAC of the concatenation of {@code parts}. */
    byte[] compute(SecretKey key, byte[]... parts) {
        Mac mac = perThread.get();
        try {
            mac.init(key);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(algorithm + " rejected a key of " + key.getEncoded().length + " bytes", e);
        }
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }
}
