package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * <pre>
 * EncTicketPart   ::= [APPLICATION 3] SEQUENCE {
 *         flags                   [0] TicketFlags,
 *         key                     [1] EncryptionKey,
 *         crealm                  [2] Realm,
 *         cname                   [3] PrincipalName,
 *         transited               [4] TransitedEncoding,
 *         authtime                [5] KerberosTime,
 *         starttime               [6] KerberosTime OPTIONAL,
 *         endtime                 [7] KerberosTime,
 *         renew-till              [8] KerberosTime OPTIONAL,
 *         caddr                   [9] HostAddresses OPTIONAL,
 *         authorization-data      [10] AuthorizationData OPTIONAL
 * }
 * TransitedEncoding       ::= SEQUENCE {
 *         tr-type         [0] Int32 -- must be registered --,
 *         contents        [1] OCTET STRING
 * }
 * </pre>
 * RFC 4120 §5.3. Optional times are {@code null} when absent.
 */
public record EncTicketPart(
        int flags,
        EncryptionKey key,
        String crealm,
        PrincipalName cname,
        int transitedType,
        byte[] transitedContents,
        Instant authtime,
        Instant starttime,
        Instant endtime,
        Instant renewTill,
        List<HostAddress> caddr,
        AuthorizationData authorizationData) {

    public static final int FLAG_FORWARDABLE = 1 << (31 - 1);
    public static final int FLAG_INVALID = 1 << (31 - 7);
    public static final int FLAG_INITIAL = 1 << (31 - 9);
    public static final int FLAG_PRE_AUTHENT = 1 << (31 - 10);
    public static final int FLAG_TRANSITED_POLICY_CHECKED = 1 << (31 - 12);

    public static EncTicketPart decode(byte[] der) throws DerException {
        DerReader top = DerReader.of(der);
        DerReader seq = top.readConstructed(0x63).readConstructed(DerReader.SEQUENCE);
        int flags = seq.readExplicit(0).readBitFlags();
        EncryptionKey key = EncryptionKey.decode(seq.readExplicit(1));
        String crealm = seq.readExplicit(2).readKerberosName();
        PrincipalName cname = PrincipalName.decode(seq.readExplicit(3));
        DerReader tr = seq.readExplicit(4).readConstructed(DerReader.SEQUENCE);
        int trType = tr.readExplicit(0).readInt();
        byte[] trContents = tr.readExplicit(1).readOctetString();
        tr.expectEnd();
        Instant authtime = seq.readExplicit(5).readKerberosTime();
        Instant starttime = seq.nextIs(0xA6) ? seq.readExplicit(6).readKerberosTime() : null;
        Instant endtime = seq.readExplicit(7).readKerberosTime();
        Instant renewTill = seq.nextIs(0xA8) ? seq.readExplicit(8).readKerberosTime() : null;
        List<HostAddress> caddr = seq.nextIs(0xA9) ? HostAddress.decodeList(seq.readExplicit(9)) : List.of();
        AuthorizationData ad = seq.nextIs(0xAA)
                ? AuthorizationData.decode(seq.readExplicit(10)) : AuthorizationData.EMPTY;
        seq.expectEnd();
        // No padding to tolerate: every enctype we accept (CTS modes, RC4) decrypts to the exact DER.
        top.expectEnd();
        return new EncTicketPart(flags, key, crealm, cname, trType, trContents, authtime, starttime, endtime,
                renewTill, caddr, ad);
    }

    public byte[] encode() {
        List<byte[]> f = new ArrayList<>();
        f.add(DerWriter.explicit(0, DerWriter.bitFlags(flags)));
        f.add(DerWriter.explicit(1, key.encode()));
        f.add(DerWriter.explicit(2, DerWriter.generalString(crealm)));
        f.add(DerWriter.explicit(3, cname.encode()));
        f.add(DerWriter.explicit(4, DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(transitedType)),
                DerWriter.explicit(1, DerWriter.octetString(transitedContents)))));
        f.add(DerWriter.explicit(5, DerWriter.kerberosTime(authtime)));
        if (starttime != null) {
            f.add(DerWriter.explicit(6, DerWriter.kerberosTime(starttime)));
        }
        f.add(DerWriter.explicit(7, DerWriter.kerberosTime(endtime)));
        if (renewTill != null) {
            f.add(DerWriter.explicit(8, DerWriter.kerberosTime(renewTill)));
        }
        if (!caddr.isEmpty()) {
            byte[][] a = caddr.stream().map(HostAddress::encode).toArray(byte[][]::new);
            f.add(DerWriter.explicit(9, DerWriter.sequence(a)));
        }
        if (!authorizationData.entries().isEmpty()) {
            f.add(DerWriter.explicit(10, authorizationData.encode()));
        }
        return DerWriter.application(3, DerWriter.sequence(f.toArray(byte[][]::new)));
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public String client() {
        return cname.withRealm(crealm);
    }
}
