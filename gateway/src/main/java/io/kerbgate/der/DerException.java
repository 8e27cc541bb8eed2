package io.kerbgate.der;

/** The input is not strict DER, or not the structure the caller expected. Carries the byte offset. */
public final class DerException extends Exception {
    private final int offset;

    public DerException(String message, int offset) {
        super(message + " at byte " + offset);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }

    /** Stack traces of parse errors are never useful and cost time on a path that attackers drive. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
