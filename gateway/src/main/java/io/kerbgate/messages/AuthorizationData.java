package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * <pre>
 * AuthorizationData       ::= SEQUENCE OF SEQUENCE {
 *         ad-type         [0] Int32,
 *         ad-data         [1] OCTET STRING
 * }
 * </pre>
 * RFC 4120 §5.2.6. Entries stay opaque here; AD-IF-RELEVANT contents that nothing asks for are ignored
 * (checklist item 23), and the PAC reader decodes what it needs later.
 */
public record AuthorizationData(List<Entry> entries) {
    public static final AuthorizationData EMPTY = new AuthorizationData(List.of());
    public static final int AD_IF_RELEVANT = 1;
    public static final int AD_WIN2K_PAC = 128;

    private static final int MAX_ENTRIES = 256;

    public record Entry(int adType, byte[] adData) {}

    public AuthorizationData {
        entries = List.copyOf(entries);
    }

    public static AuthorizationData decode(DerReader in) throws DerException {
        DerReader seq = in.readConstructed(DerReader.SEQUENCE);
        List<Entry> out = new ArrayList<>(2);
        while (seq.hasRemaining()) {
            if (out.size() == MAX_ENTRIES) {
                throw new DerException("more than " + MAX_ENTRIES + " authorization-data entries", seq.offset());
            }
            DerReader e = seq.readConstructed(DerReader.SEQUENCE);
            int type = e.readExplicit(0).readInt();
            byte[] data = e.readExplicit(1).readOctetString();
            e.expectEnd();
            out.add(new Entry(type, data));
        }
        return new AuthorizationData(out);
    }

    public byte[] encode() {
        byte[][] items = new byte[entries.size()][];
        for (int i = 0; i < items.length; i++) {
            Entry e = entries.get(i);
            items[i] = DerWriter.sequence(
                    DerWriter.explicit(0, DerWriter.integer(e.adType())),
                    DerWriter.explicit(1, DerWriter.octetString(e.adData())));
        }
        return DerWriter.sequence(items);
    }
}
