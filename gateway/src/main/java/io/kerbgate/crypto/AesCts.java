package io.kerbgate.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;

/**
 * AES in CBC mode with ciphertext stealing as RFC 3962 §5 defines it (the last two blocks are always swapped, which
 * NIST SP 800-38A addendum calls CS3), with the all-zero initial cipher state that Kerberos messages use. RFC 8009 §5
 * uses the same mode. The JDK's SunJCE {@code AES/CTS/NoPadding} implements exactly this mode for its own Kerberos
 * code; the RFC 3962 Appendix B vectors in the tests pin it.
 *
 * <p>Inputs must be at least one block: every Kerberos plaintext starts with a 16-byte confounder, and callers check
 * ciphertext lengths before they get here.
 */
final class AesCts {
    static final int BLOCK = 16;

    private static final String TRANSFORMATION = "AES/CTS/NoPadding";
    private static final IvParameterSpec ZERO_IV = new IvParameterSpec(new byte[BLOCK]);

    /** One cipher per thread, re-initialised per message (see {@link Hmac} for why not getInstance per call). */
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCA provider lacks " + TRANSFORMATION, e);
        }
    });

    private AesCts() {
    }

    static byte[] encrypt(SecretKey key, byte[] input) {
        return run(Cipher.ENCRYPT_MODE, key, input);
    }

    static byte[] decrypt(SecretKey key, byte[] input) {
        return run(Cipher.DECRYPT_MODE, key, input);
    }

    private static byte[] run(int mode, SecretKey key, byte[] input) {
        if (input.length < BLOCK) {
            throw new IllegalArgumentException("AES-CTS input shorter than one block: " + input.length);
        }
        Cipher cipher = CIPHER.get();
        try {
            cipher.init(mode, key, ZERO_IV);
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            // Lengths are checked above and keys are validated when KerberosKey is built: this is a JCA fault.
            throw new IllegalStateException("AES-CTS failed", e);
        }
    }
}
