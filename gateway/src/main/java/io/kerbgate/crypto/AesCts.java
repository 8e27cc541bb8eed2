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

    /**
     * A few ciphers per thread, each re-initialised per message (see {@link Hmac} for why not getInstance per call).
     * The JDK's AES skips its key expansion when initialised again with the key it had, so each cipher keeps to one
     * key: one accept uses several (the ticket's, the session key's for the authenticator and for the AP-REP), and
     * with one cipher per thread every message paid a key expansion.
     */
    private static final ThreadLocal<Ciphers> CIPHERS = ThreadLocal.withInitial(Ciphers::new);

    private static final class Ciphers {
        private static final int SIZE = 4;
        private final SecretKey[] keys = new SecretKey[SIZE];
        private final Cipher[] ciphers = new Cipher[SIZE];

        /**
         * The cipher that last had {@code key} (by identity: derived keys are cached objects), else the least recently
         * used one, so that the keys every accept uses (the service key's) outlive the one-off keys of a new ticket.
         */
        Cipher forKey(SecretKey key) {
            int i = 0;
            while (i < SIZE && keys[i] != key) {
                i++;
            }
            if (i == SIZE) {
                i = SIZE - 1;
                if (ciphers[i] == null) {
                    ciphers[i] = newCipher();
                }
                keys[i] = key;
            }
            // Move to the front; the last slot is the least recently used.
            SecretKey k = keys[i];
            Cipher c = ciphers[i];
            System.arraycopy(keys, 0, keys, 1, i);
            System.arraycopy(ciphers, 0, ciphers, 1, i);
            keys[0] = k;
            ciphers[0] = c;
            return c;
        }

        private static Cipher newCipher() {
            try {
                return Cipher.getInstance(TRANSFORMATION);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JCA provider lacks " + TRANSFORMATION, e);
            }
        }
    }

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
        Cipher cipher = CIPHERS.get().forKey(key);
        try {
            cipher.init(mode, key, ZERO_IV);
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            // Lengths are checked above and keys are validated when KerberosKey is built: this is a JCA fault.
            throw new IllegalStateException("AES-CTS failed", e);
        }
    }
}
