package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;

/**
 * <pre>
 * AP-REQ          ::= [APPLICATION 14] SEQUENCE {
 *         pvno            [0] INTEGER (5),
 *         msg-type        [1] INTEGER (14),
 *         ap-options      [2] APOptions,
 *         ticket          [3] Ticket,
 *         authenticator   [4] EncryptedData -- Authenticator
 * }
 * APOptions       ::= KerberosFlags -- reserved(0), use-session-key(1), mutual-required(2)
 * </pre>
 * RFC 4120 §5.5.1. pvno and msg-type are decoded as found and checked by the verifier, so that each has its reason.
 */
public record ApReq(int pvno, int msgType, int apOptions, Ticket ticket, EncryptedData authenticator) {
    public static final int MSG_TYPE = 14;
    /** Flag bits are numbered from the most significant bit of the 32-bit BIT STRING (RFC 4120 §5.2.8). */
    public static final int USE_SESSION_KEY = 1 << (31 - 1);
    public static final int MUTUAL_REQUIRED = 1 << (31 - 2);

    public static ApReq decode(byte[] der) throws DerException {
        DerReader top = DerReader.of(der);
        DerReader seq = top.readConstructed(0x6E).readConstructed(DerReader.SEQUENCE);
        int pvno = seq.readExplicit(0).readInt();
        int msgType = seq.readExplicit(1).readInt();
        int options = seq.readExplicit(2).readBitFlags();
        Ticket ticket = Ticket.decode(seq.readExplicit(3));
        EncryptedData auth = EncryptedData.decode(seq.readExplicit(4));
        seq.expectEnd();
        top.expectEnd();
        return new ApReq(pvno, msgType, options, ticket, auth);
    }

    public byte[] encode() {
        return DerWriter.application(14, DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(pvno)),
                DerWriter.explicit(1, DerWriter.integer(msgType)),
                DerWriter.explicit(2, DerWriter.bitFlags(apOptions)),
                DerWriter.explicit(3, ticket.encode()),
                DerWriter.explicit(4, authenticator.encode())));
    }
}
