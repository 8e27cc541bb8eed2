package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * <pre>
 * PrincipalName ::= SEQUENCE {
 *         name-type       [0] Int32,
 *         name-string     [1] SEQUENCE OF KerberosString
 * }
 * </pre>
 * RFC 4120 §5.2.2. The name type is carried but never compared: RFC 4120 §6.2 says names match on their strings.
 */
public record PrincipalName(int nameType, List<String> components) {
    public static final int NT_PRINCIPAL = 1;
    public static final int NT_SRV_INST = 2;
    public static final int NT_SRV_HST = 3;

    /** Bounds the component count: real names have one to three; this keeps a hostile list cheap. */
    private static final int MAX_COMPONENTS = 16;

    public PrincipalName {
        components = List.copyOf(components);
    }

    public static PrincipalName decode(DerReader in) throws DerException {
        DerReader seq = in.readConstructed(DerReader.SEQUENCE);
        int type = seq.readExplicit(0).readInt();
        DerReader strings = seq.readExplicit(1).readConstructed(DerReader.SEQUENCE);
        List<String> parts = new ArrayList<>(2);
        while (strings.hasRemaining()) {
            if (parts.size() == MAX_COMPONENTS) {
                throw new DerException("principal name with more than " + MAX_COMPONENTS + " components",
                        strings.offset());
            }
            parts.add(strings.readGeneralString());
        }
        if (parts.isEmpty()) {
            throw new DerException("principal name without components", seq.offset());
        }
        seq.expectEnd();
        return new PrincipalName(type, parts);
    }

    public byte[] encode() {
        byte[][] strings = new byte[components.size()][];
        for (int i = 0; i < strings.length; i++) {
            strings[i] = DerWriter.generalString(components.get(i));
        }
        return DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(nameType)),
                DerWriter.explicit(1, DerWriter.sequence(strings)));
    }

    /** {@code primary/instance@REALM}, the form keytabs, logs and the identity header use. */
    public String withRealm(String realm) {
        return String.join("/", components) + "@" + realm;
    }
}
