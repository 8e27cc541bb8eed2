package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * <pre>
 * AP-REP          ::= [APPLICATION 15] SEQUENCE {
 *         pvno            [0] INTEGER (5),
 *         msg-type        [1] INTEGER (15),
 *         enc-part        [2] EncryptedData -- EncAPRepPart
 * }
 * EncAPRepPart    ::= [APPLICATION 27] SEQUENCE {
 *         ctime           [0] KerberosTime,
 *         cusec           [1] Microseconds,
 *         subkey          [2] EncryptionKey OPTIONAL,
 *         seq-number      [3] UInt32 OPTIONAL
 * }
 * </pre>
 * RFC 4120 §5.5.2. Written by the acceptor for mutual authentication; decoded by tests.
 */
public final class ApRep {
    public static final int MSG_TYPE = 15;

    private ApRep() {}

    public static byte[] encode(EncryptedData encPart) {
        return DerWriter.application(15, DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(5)),
                DerWriter.explicit(1, DerWriter.integer(MSG_TYPE)),
                DerWriter.explicit(2, encPart.encode())));
    }

    public static byte[] encodeEncPart(Instant ctime, int cusec, EncryptionKey subkey, long seqNumber) {
        List<byte[]> f = new ArrayList<>(4);
        f.add(DerWriter.explicit(0, DerWriter.kerberosTime(ctime)));
        f.add(DerWriter.explicit(1, DerWriter.integer(cusec)));
        if (subkey != null) {
            f.add(DerWriter.explicit(2, subkey.encode()));
        }
        if (seqNumber >= 0) {
            f.add(DerWriter.explicit(3, DerWriter.integer(seqNumber)));
        }
        return DerWriter.application(27, DerWriter.sequence(f.toArray(byte[][]::new)));
    }

    /** Decodes an AP-REP's outer envelope (tests use it to check what the gateway sent). */
    public static EncryptedData decode(byte[] der) throws DerException {
        DerReader top = DerReader.of(der);
        DerReader seq = top.readConstructed(0x6F).readConstructed(DerReader.SEQUENCE);
        int pvno = seq.readExplicit(0).readInt();
        int msgType = seq.readExplicit(1).readInt();
        if (pvno != 5 || msgType != MSG_TYPE) {
            throw new DerException("not an AP-REP", 0);
        }
        EncryptedData enc = EncryptedData.decode(seq.readExplicit(2));
        seq.expectEnd();
        top.expectEnd();
        return enc;
    }
}
