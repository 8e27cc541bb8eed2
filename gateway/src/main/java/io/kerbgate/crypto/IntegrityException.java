package io.kerbgate.crypto;

/**
 * A ciphertext or checksum that cannot be authentic: the MAC did not verify, or the input is too short to hold a
 * confounder and a MAC. The acceptor maps it to KRB_AP_ERR_BAD_INTEGRITY (31); the message never contains key bytes.
 */
public final class IntegrityException extends Exception {
    private static final long serialVersionUID = 1L;

    public IntegrityException(String message) {
        super(message);
    }
}
