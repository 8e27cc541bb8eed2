package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.der.DerWriter;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

final class OidsTest {

    @Test
    void dotted_roundTripsKnownAndTopArcs() {
        for (String oid : new String[] {"1.2.840.113554.1.2.2", "1.2.840.48018.1.2.2", "0.9.2342", "2.999.3",
            "2.5.4.3", "1.3.6.1.4.1.311.2.2.30"}) {
            assertEquals(oid, Oids.dotted(DerWriter.oidContents(oid)));
        }
    }

    @Test
    void dotted_hugeArc_printsHex() {
        byte[] oid = HexFormat.of().parseHex("2a8181818181818181818101");
        assertEquals("(OID 2a8181818181818181818101)", Oids.dotted(oid));
        assertEquals("(OID of 33 octets)", Oids.dotted(new byte[33]));
    }

    @Test
    void isKrb5_bothOidsOnly() {
        assertTrue(Oids.isKrb5(Oids.KRB5));
        assertTrue(Oids.isKrb5(Oids.KRB5_MS));
        assertFalse(Oids.isKrb5(Oids.SPNEGO));
        assertFalse(Oids.isKrb5(DerWriter.oidContents("1.2.840.113554.1.2.2.3")));
    }

    @Test
    void describe_namesKnownMechs() {
        assertEquals("Kerberos, Microsoft OID (1.2.840.48018.1.2.2)", Oids.describe(Oids.KRB5_MS));
        assertEquals("1.2.3", Oids.describe(DerWriter.oidContents("1.2.3")));
    }
}
