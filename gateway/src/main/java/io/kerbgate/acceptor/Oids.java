package io.kerbgate.acceptor;

import io.kerbgate.der.DerWriter;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The mechanism OIDs this package compares against, as raw DER contents (what {@code DerReader.readOid()} returns),
 * so that matching a client's OID is an array comparison and never a decode of attacker bytes. The arrays are
 * never handed out.
 */
final class Oids {
    /** RFC 4178 §3: the SPNEGO pseudo-mechanism. */
    static final byte[] SPNEGO = DerWriter.oidContents("1.3.6.1.5.5.2");
    /** RFC 1964 / RFC 4121: Kerberos V5. */
    static final byte[] KRB5 = DerWriter.oidContents("1.2.840.113554.1.2.2");
    /**
     * The same mechanism under the OID Windows lists first (an old truncation of 113554 to 16 bits, kept for
     * compatibility; MIT calls it {@code gss_mech_krb5_wrong}). Checklist item 6: treat it as krb5.
     */
    static final byte[] KRB5_MS = DerWriter.oidContents("1.2.840.48018.1.2.2");
    /** MS-NLMP: NTLM inside SPNEGO, what Windows prefers when it has no ticket. */
    static final byte[] NTLM = DerWriter.oidContents("1.3.6.1.4.1.311.2.2.10");
    /** MS-NEGOEX: the extended negotiation pseudo-mechanism. */
    static final byte[] NEGOEX = DerWriter.oidContents("1.3.6.1.4.1.311.2.2.30");

    /** Longer OIDs are shown by size only: the text goes to logs and must stay short. */
    private static final int MAX_PRINTED_OCTETS = 32;

    private Oids() {}

    static boolean isKrb5(byte[] oid) {
        return Arrays.equals(oid, KRB5) || Arrays.equals(oid, KRB5_MS);
    }

    /** A log-safe name: {@code "NTLM (1.3.6.1.4.1.311.2.2.10)"}, or just the dotted form for unknown OIDs. */
    static String describe(byte[] oid) {
        String dotted = dotted(oid);
        if (Arrays.equals(oid, KRB5)) {
            return "Kerberos (" + dotted + ")";
        } else if (Arrays.equals(oid, KRB5_MS)) {
            return "Kerberos, Microsoft OID (" + dotted + ")";
        } else if (Arrays.equals(oid, NTLM)) {
            return "NTLM (" + dotted + ")";
        } else if (Arrays.equals(oid, NEGOEX)) {
            return "NegoEx (" + dotted + ")";
        } else if (Arrays.equals(oid, SPNEGO)) {
            return "SPNEGO (" + dotted + ")";
        }
        return dotted;
    }

    /**
     * The dotted form of OID contents already checked by {@code DerReader.readOid()} (X.690 §8.19). Arcs too large
     * for a {@code long} make the whole OID print as hex: this is for people reading logs, not for comparison.
     */
    static String dotted(byte[] oid) {
        if (oid.length > MAX_PRINTED_OCTETS) {
            return "(OID of " + oid.length + " octets)";
        }
        StringBuilder sb = new StringBuilder();
        long arc = 0;
        boolean first = true;
        for (byte b : oid) {
            if (arc > (Long.MAX_VALUE >>> 7)) {
                return "(OID " + HexFormat.of().formatHex(oid) + ")";
            }
            arc = (arc << 7) | (b & 0x7F);
            if ((b & 0x80) != 0) {
                continue;
            }
            if (first) {
                // The first subidentifier packs the first two arcs as 40 * X + Y, with X in 0..2.
                int top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
                sb.append(top).append('.').append(arc - 40L * top);
                first = false;
            } else {
                sb.append('.').append(arc);
            }
            arc = 0;
        }
        return sb.toString();
    }
}
