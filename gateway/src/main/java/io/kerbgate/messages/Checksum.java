package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;

/**
 * <pre>
 * Checksum        ::= SEQUENCE {
 *         cksumtype       [0] Int32,
 *         checksum        [1] OCTET STRING
 * }
 * </pre>
 * RFC 4120 §5.2.9. The type stays a raw number because the GSS type 0x8003 (RFC 4121 §4.1.1) is not a checksum
 * algorithm at all and Kerby decodes it as {@code NONE}.
 */
public record Checksum(int cksumtype, byte[] checksum) {
    /** RFC 4121 §4.1.1: the authenticator "checksum" that carries GSS flags and channel bindings. */
    public static final int GSS_API = 0x8003;

    public static Checksum decode(DerReader in) throws DerException {
        DerReader seq = in.readConstructed(DerReader.SEQUENCE);
        int type = seq.readExplicit(0).readInt();
        byte[] value = seq.readExplicit(1).readOctetString();
        seq.expectEnd();
        return new Checksum(type, value);
    }

    public byte[] encode() {
        return DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(cksumtype)),
                DerWriter.explicit(1, DerWriter.octetString(checksum)));
    }
}
