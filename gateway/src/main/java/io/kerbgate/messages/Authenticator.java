package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * <pre>
 * Authenticator   ::= [APPLICATION 2] SEQUENCE  {
 *         authenticator-vno       [0] INTEGER (5),
 *         crealm                  [1] Realm,
 *         cname                   [2] PrincipalName,
 *         cksum                   [3] Checksum OPTIONAL,
 *         cusec                   [4] Microseconds,
 *         ctime                   [5] KerberosTime,
 *         subkey                  [6] EncryptionKey OPTIONAL,
 *         seq-number              [7] UInt32 OPTIONAL,
 *         authorization-data      [8] AuthorizationData OPTIONAL
 * }
 * </pre>
 * RFC 4120 §5.5.1. Absent optional fields are {@code null} ({@code seqNumber} is -1).
 */
public record Authenticator(
        int vno,
        String crealm,
        PrincipalName cname,
        Checksum cksum,
        int cusec,
        Instant ctime,
        EncryptionKey subkey,
        long seqNumber,
        AuthorizationData authorizationData) {

    public static Authenticator decode(byte[] der) throws DerException {
        DerReader top = DerReader.of(der);
        DerReader seq = top.readConstructed(0x62).readConstructed(DerReader.SEQUENCE);
        int vno = seq.readExplicit(0).readInt();
        String crealm = seq.readExplicit(1).readKerberosName();
        PrincipalName cname = PrincipalName.decode(seq.readExplicit(2));
        Checksum cksum = seq.nextIs(0xA3) ? Checksum.decode(seq.readExplicit(3)) : null;
        int cusec = seq.readExplicit(4).readInt();
        Instant ctime = seq.readExplicit(5).readKerberosTime();
        EncryptionKey subkey = seq.nextIs(0xA6) ? EncryptionKey.decode(seq.readExplicit(6)) : null;
        long seqNumber = seq.nextIs(0xA7) ? seq.readExplicit(7).readUInt32() : -1;
        AuthorizationData ad = seq.nextIs(0xA8) ? AuthorizationData.decode(seq.readExplicit(8)) : null;
        seq.expectEnd();
        top.expectEnd();
        return new Authenticator(vno, crealm, cname, cksum, cusec, ctime, subkey, seqNumber, ad);
    }

    public byte[] encode() {
        List<byte[]> f = new ArrayList<>();
        f.add(DerWriter.explicit(0, DerWriter.integer(vno)));
        f.add(DerWriter.explicit(1, DerWriter.generalString(crealm)));
        f.add(DerWriter.explicit(2, cname.encode()));
        if (cksum != null) {
            f.add(DerWriter.explicit(3, cksum.encode()));
        }
        f.add(DerWriter.explicit(4, DerWriter.integer(cusec)));
        f.add(DerWriter.explicit(5, DerWriter.kerberosTime(ctime)));
        if (subkey != null) {
            f.add(DerWriter.explicit(6, subkey.encode()));
        }
        if (seqNumber >= 0) {
            f.add(DerWriter.explicit(7, DerWriter.integer(seqNumber)));
        }
        if (authorizationData != null) {
            f.add(DerWriter.explicit(8, authorizationData.encode()));
        }
        return DerWriter.application(2, DerWriter.sequence(f.toArray(byte[][]::new)));
    }

    /** The client's time with microseconds, as the skew and replay checks use it. */
    public Instant clientTime() {
        return ctime.plusNanos(cusec * 1000L);
    }
}
