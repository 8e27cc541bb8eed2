package io.kerbgate.acceptor;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;

/**
 * The mechanism-independent framing of a context's first token, RFC 2743 §3.1:
 *
 * <pre>
 * InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
 *     thisMech          MechType,   -- OBJECT IDENTIFIER
 *     innerContextToken ANY DEFINED BY thisMech }
 * </pre>
 *
 * The inner token is not necessarily DER (a krb5 token starts with a two-octet TOK_ID), so it is kept as the
 * byte range after the OID. Because the framing must cover the whole token, that range runs to the end of
 * {@code bytes}.
 *
 * @param mech       the raw contents of {@code thisMech}
 * @param bytes      the whole token
 * @param innerStart where {@code innerContextToken} starts in {@code bytes}
 */
record GssToken(byte[] mech, byte[] bytes, int innerStart) {
    private static final int APPLICATION_0 = 0x60;

    /** Parses the framing; the token must end exactly where its {@code [APPLICATION 0]} length says. */
    static GssToken parse(byte[] token) throws DerException {
        DerReader outer = DerReader.of(token);
        DerReader framed = outer.readConstructed(APPLICATION_0);
        outer.expectEnd();
        byte[] mech = framed.readOid();
        return new GssToken(mech, token, framed.offset());
    }

    /** A DER reader over the inner token, for mechanisms whose inner token is DER (SPNEGO). */
    DerReader inner() {
        return DerReader.of(bytes, innerStart, bytes.length);
    }

    int innerLength() {
        return bytes.length - innerStart;
    }

    /** Frames {@code inner} (concatenated) for {@code mech}. */
    static byte[] wrap(byte[] mech, byte[]... inner) {
        byte[][] contents = new byte[inner.length + 1][];
        contents[0] = DerWriter.oid(mech);
        System.arraycopy(inner, 0, contents, 1, inner.length);
        return DerWriter.tlv(APPLICATION_0, contents);
    }
}
