package io.kerbgate.acceptor;

/**
 * The authenticator checksum of type 0x8003 (RFC 4121 §4.1.1), which carries GSS context flags and the hash of the
 * channel bindings rather than a checksum:
 * <pre>
 * Lgth(4, little-endian) = 16 | Bnd(16) | Flags(4, little-endian)
 *     [ DlgOpt(2) = 1 | Dlgth(2) | Deleg(Dlgth) ]    when GSS_C_DELEG_FLAG is set
 *     [ Exts ]                                       ignored
 * </pre>
 * Delegated credentials are bounds-checked and dropped: the gateway never forwards them (checklist item 22).
 */
record GssChecksum(int flags, byte[] bindingHash) {
    static final int DELEG_FLAG = 1;
    static final int MUTUAL_FLAG = 2;
    static final int REPLAY_FLAG = 4;
    static final int SEQUENCE_FLAG = 8;
    static final int CONF_FLAG = 16;
    static final int INTEG_FLAG = 32;

    private static final byte[] NO_BINDINGS = new byte[16];

    static GssChecksum parse(byte[] v) throws Refusal {
        if (v.length < 24) {
            throw new Refusal(RejectReason.BAD_CHECKSUM, "GSS checksum of " + v.length + " bytes (at least 24)");
        }
        int lgth = le32(v, 0);
        if (lgth != 16) {
            throw new Refusal(RejectReason.BAD_CHECKSUM, "GSS checksum binding length " + lgth + " (must be 16)");
        }
        byte[] bnd = java.util.Arrays.copyOfRange(v, 4, 20);
        int flags = le32(v, 20);
        if ((flags & DELEG_FLAG) != 0 && v.length > 24) {
            if (v.length < 28) {
                throw new Refusal(RejectReason.BAD_CHECKSUM, "GSS checksum delegation header truncated");
            }
            int dlgOpt = le16(v, 24);
            int dlgth = le16(v, 26);
            if (dlgOpt != 1 || 28L + dlgth > v.length) {
                throw new Refusal(RejectReason.BAD_CHECKSUM,
                        "GSS checksum delegation field malformed (DlgOpt " + dlgOpt + ", Dlgth " + dlgth + ")");
            }
        }
        return new GssChecksum(flags, bnd);
    }

    boolean hasBindings() {
        return !java.util.Arrays.equals(bindingHash, NO_BINDINGS);
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }
}
