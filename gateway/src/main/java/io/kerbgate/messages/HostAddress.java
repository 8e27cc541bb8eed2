package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * <pre>
 * HostAddress     ::= SEQUENCE  {
 *         addr-type       [0] Int32,
 *         address         [1] OCTET STRING
 * }
 * HostAddresses   ::= SEQUENCE OF HostAddress
 * </pre>
 * RFC 4120 §5.2.5, with the address types of §7.5.3.
 */
public record HostAddress(int addrType, byte[] address) {
    public static final int IPV4 = 2;
    public static final int IPV6 = 24;

    private static final int MAX_ADDRESSES = 64;

    public static List<HostAddress> decodeList(DerReader in) throws DerException {
        DerReader seq = in.readConstructed(DerReader.SEQUENCE);
        List<HostAddress> out = new ArrayList<>(2);
        while (seq.hasRemaining()) {
            if (out.size() == MAX_ADDRESSES) {
                throw new DerException("more than " + MAX_ADDRESSES + " host addresses", seq.offset());
            }
            DerReader a = seq.readConstructed(DerReader.SEQUENCE);
            int type = a.readExplicit(0).readInt();
            byte[] addr = a.readExplicit(1).readOctetString();
            a.expectEnd();
            out.add(new HostAddress(type, addr));
        }
        return List.copyOf(out);
    }

    public static HostAddress of(InetAddress address) {
        byte[] raw = address.getAddress();
        return new HostAddress(raw.length == 4 ? IPV4 : IPV6, raw);
    }

    /** True when this entry names the given peer address. */
    public boolean matches(InetAddress peer) {
        byte[] raw = peer.getAddress();
        return ((addrType == IPV4 && raw.length == 4) || (addrType == IPV6 && raw.length == 16))
                && java.util.Arrays.equals(address, raw);
    }

    public byte[] encode() {
        return DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(addrType)),
                DerWriter.explicit(1, DerWriter.octetString(address)));
    }
}
