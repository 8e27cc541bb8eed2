package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;

/**
 * <pre>
 * EncryptionKey   ::= SEQUENCE {
 *         keytype         [0] Int32 -- actually encryption type --,
 *         keyvalue        [1] OCTET STRING
 * }
 * </pre>
 * RFC 4120 §5.2.9. {@link #toString()} never shows the key.
 */
public record EncryptionKey(int keytype, byte[] keyvalue) {

    public static EncryptionKey decode(DerReader in) throws DerException {
        DerReader seq = in.readConstructed(DerReader.SEQUENCE);
        int type = seq.readExplicit(0).readInt();
        byte[] value = seq.readExplicit(1).readOctetString();
        seq.expectEnd();
        return new EncryptionKey(type, value);
    }

    public byte[] encode() {
        return DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(keytype)),
                DerWriter.explicit(1, DerWriter.octetString(keyvalue)));
    }

    @Override
    public String toString() {
        return "EncryptionKey[keytype=" + keytype + ", " + keyvalue.length + " bytes]";
    }
}
