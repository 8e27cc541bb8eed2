package io.kerbgate.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2 (RFC 8018 §5.2) through the JCA, for string-to-key. The SunJCE implementation encodes the password as UTF-8,
 * which is what RFC 3962 §4 and RFC 8009 §4 expect (the RFC 3962 g-clef vector covers a character outside the BMP).
 * Never on the request path: each call costs thousands of HMACs by design.
 */
final class Pbkdf2 {
    private Pbkdf2() {
    }

    /**
     * @param algorithm a JCA name such as {@code PBKDF2WithHmacSHA1}
     * @throws IllegalArgumentException if the salt is empty (the JCA refuses one) or the iteration count is not positive
     */
    static byte[] derive(String algorithm, char[] password, byte[] salt, int iterations, int keyLength) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, keyLength * 8);
        try {
            return SecretKeyFactory.getInstance(algorithm).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " failed", e);
        } finally {
            spec.clearPassword();
        }
    }
}
