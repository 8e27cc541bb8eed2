package io.kerbgate.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

final class PrincipalNameTest {

    private static PrincipalName name(String... components) {
        return new PrincipalName(PrincipalName.NT_PRINCIPAL, List.of(components));
    }

    @Test
    void withRealm_escapesTheSeparatorsInsideComponents_asMitUnparsesThem() {
        assertEquals("alice@ARRAY.TEST", name("alice").withRealm("ARRAY.TEST"));
        assertEquals("HTTP/host@ARRAY.TEST", name("HTTP", "host").withRealm("ARRAY.TEST"));
        assertEquals("a\\/b@R", name("a/b").withRealm("R"));
        assertEquals("alice\\@ARRAY.TEST@PARTNER", name("alice@ARRAY.TEST").withRealm("PARTNER"));
        assertEquals("back\\\\slash@R", name("back\\slash").withRealm("R"));
        assertEquals("x@R\\@S", name("x").withRealm("R@S"));
    }

    @Test
    void withRealm_neverGivesTwoNamesOneForm() {
        assertNotEquals(name("a", "b").withRealm("R"), name("a/b").withRealm("R"));
        assertNotEquals(name("alice").withRealm("ARRAY.TEST@PARTNER"), name("alice@ARRAY.TEST").withRealm("PARTNER"));
        // The escape character itself is escaped: "a\" + "/b" differs from "a\/b".
        assertNotEquals(name("a\\", "b").withRealm("R"), name("a\\/b").withRealm("R"));
        assertNotEquals(name("a\\", "b").withRealm("R"), name("a/b").withRealm("R"));
    }

    @Test
    void realmOf_isAfterTheFirstUnescapedAt() {
        assertEquals("PARTNER", PrincipalName.realmOf("alice\\@ARRAY.TEST@PARTNER"));
        assertEquals("R@S", PrincipalName.realmOf("x@R\\@S"));
        assertEquals("R", PrincipalName.realmOf("a\\\\@R"));
        assertEquals("", PrincipalName.realmOf("no-realm"));
        assertEquals(5, PrincipalName.realmSeparator("alice@R"));
    }

    @Test
    void headerProblem_refusesControlCharactersAndOuterSpaces_only() {
        assertNull(name("alice").headerProblem("R"));
        assertNull(name("John Smith").headerProblem("R"));
        assertNull(name("j\u00fcrgen").headerProblem("R"));
        assertTrue(name("eve\nalice").headerProblem("R").contains("U+000A"));
        assertTrue(name("HTTP", "x\r").headerProblem("R").startsWith("name component 2"));
        assertTrue(name(" alice").headerProblem("R").contains("space"));
        assertTrue(name("alice ").headerProblem("R").contains("space"));
        assertTrue(name("alice").headerProblem("R\u0000").startsWith("realm"));
        assertTrue(name("del\u007f").headerProblem("R") != null);
    }

    @Test
    void decode_refusesAComponentThatIsNotUtf8() throws DerException {
        // alice\xFE and alice\xFF would both decode to alice\uFFFD: one name for two principals.
        byte[] bad = DerWriter.sequence(DerWriter.explicit(0, DerWriter.integer(1)),
                DerWriter.explicit(1, DerWriter.sequence(generalString(new byte[] {'a', 'l', (byte) 0xFE}))));
        DerException e = assertThrows(DerException.class, () -> PrincipalName.decode(DerReader.of(bad)));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        byte[] good = DerWriter.sequence(DerWriter.explicit(0, DerWriter.integer(1)),
                DerWriter.explicit(1, DerWriter.sequence(DerWriter.generalString("j\u00fcrgen"))));
        assertEquals(List.of("j\u00fcrgen"), PrincipalName.decode(DerReader.of(good)).components());
    }

    private static byte[] generalString(byte[] content) {
        byte[] out = new byte[content.length + 2];
        out[0] = 0x1B;
        out[1] = (byte) content.length;
        System.arraycopy(content, 0, out, 2, content.length);
        return out;
    }
}
