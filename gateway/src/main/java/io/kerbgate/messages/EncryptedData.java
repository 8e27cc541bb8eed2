package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;

/**
 * <pre>
 * EncryptedData   ::= SEQUENCE {
 *         etype   [0] Int32 -- EncryptionType --,
 *         kvno    [1] UInt32 OPTIONAL,
 *         cipher  [2] OCTET STRING -- ciphertext
 * }
 * </pre>
 * RFC 4120 §5.2.9. The etype is kept as a raw number: unknown and unsupported types must reach the policy check
 * with their value intact, so that the refusal can name them.
 *
 * @param kvno the key version number, or {@link #NO_KVNO} when absent
 */
public record EncryptedData(int etype, long kvno, byte[] cipher) {
    public static final long NO_KVNO = -1;

    public static EncryptedData decode(DerReader in) throws DerException {
        DerReader seq = in.readConstructed(DerReader.SEQUENCE);
        int etype = seq.readExplicit(0).readInt();
        long kvno = NO_KVNO;
        if (seq.nextIs(0xA1)) {
            kvno = seq.readExplicit(1).readUInt32();
        }
        byte[] cipher = seq.readExplicit(2).readOctetString();
        seq.expectEnd();
        return new EncryptedData(etype, kvno, cipher);
    }

    public byte[] encode() {
        byte[] etypeField = DerWriter.explicit(0, DerWriter.integer(etype));
        byte[] cipherField = DerWriter.explicit(2, DerWriter.octetString(cipher));
        if (kvno == NO_KVNO) {
            return DerWriter.sequence(etypeField, cipherField);
        }
        return DerWriter.sequence(etypeField, DerWriter.explicit(1, DerWriter.integer(kvno)), cipherField);
    }
}
