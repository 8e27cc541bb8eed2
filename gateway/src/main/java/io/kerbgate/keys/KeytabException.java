package io.kerbgate.keys;

/**
 * A keytab that cannot be used: malformed bytes, a file that cannot be read, or keys that do not fit the
 * configuration (an acceptor principal missing). Checked, because every caller must decide whether to fail the
 * start (first load) or keep the keys it has (reload).
 */
public final class KeytabException extends Exception {

    private static final long serialVersionUID = 1L;

    private final long offset;
    private boolean identity;

    /** A problem that is not tied to a position in the file. */
    public KeytabException(String message) {
        this(message, -1, null);
    }

    public KeytabException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    /** A malformed file; the message already names the offset, which is kept for tests and diagnostics. */
    KeytabException(String message, long offset) {
        this(message, offset, null);
    }

    private KeytabException(String message, long offset, Throwable cause) {
        super(message, cause);
        this.offset = offset;
    }

    /**
     * A keytab that parses but does not hold the principals this node serves (configured, or pinned at the first
     * load): another service's keytab swapped in, or the wrong file. Never a half-written file of ours, so it is
     * logged at ERROR and counted apart.
     */
    public static KeytabException identityMismatch(String message) {
        KeytabException e = new KeytabException(message);
        e.identity = true;
        return e;
    }

    /** Whether this refusal is an {@link #identityMismatch}; kept by a wrapping exception that passes it on. */
    public boolean isIdentityMismatch() {
        return identity || getCause() instanceof KeytabException k && k.isIdentityMismatch();
    }

    /** The byte offset at which parsing stopped, or -1 when the problem is not in the file's bytes. */
    public long offset() {
        return offset;
    }
}
