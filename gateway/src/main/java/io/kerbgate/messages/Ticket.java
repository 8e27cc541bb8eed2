package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;

/**
 * <pre>
 * Ticket          ::= [APPLICATION 1] SEQUENCE {
 *         tkt-vno         [0] INTEGER (5),
 *         realm           [1] Realm,
 *         sname           [2] PrincipalName,
 *         enc-part        [3] EncryptedData -- EncTicketPart
 * }
 * </pre>
 * RFC 4120 §5.3. Realm and sname travel in clear and are not authenticated: they only select a key.
 */
public record Ticket(int tktVno, String realm, PrincipalName sname, EncryptedData encPart) {

    public static Ticket decode(DerReader in) throws DerException {
        DerReader seq = in.readConstructed(0x61).readConstructed(DerReader.SEQUENCE);
        int vno = seq.readExplicit(0).readInt();
        String realm = seq.readExplicit(1).readKerberosName();
        PrincipalName sname = PrincipalName.decode(seq.readExplicit(2));
        EncryptedData enc = EncryptedData.decode(seq.readExplicit(3));
        seq.expectEnd();
        return new Ticket(vno, realm, sname, enc);
    }

    public byte[] encode() {
        return DerWriter.application(1, DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(tktVno)),
                DerWriter.explicit(1, DerWriter.generalString(realm)),
                DerWriter.explicit(2, sname.encode()),
                DerWriter.explicit(3, encPart.encode())));
    }

    /** The service principal the client asked for, {@code HTTP/host@REALM}; unauthenticated. */
    public String servicePrincipal() {
        return sname.withRealm(realm);
    }
}
