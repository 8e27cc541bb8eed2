package io.kerbgate.basic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

final class BasicCredentialsTest {

    private static String basic(byte[] userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword);
    }

    private static String basic(String userColonPassword) {
        return basic(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void userAndPassword_splitAtTheFirstColon_theSchemeInAnyCase() throws Exception {
        try (BasicCredentials c = BasicCredentials.parse("bAsIc " + basic("alice:pa:ss wörd").substring(6))) {
            assertEquals("alice", c.user());
            assertArrayEquals("pa:ss wörd".toCharArray(), c.passwordChars());
        }
    }

    @Test
    void close_zeroesThePasswordBytes() throws Exception {
        BasicCredentials c = BasicCredentials.parse(basic("alice:secret"));
        byte[] held = c.passwordBytes();
        c.close();
        assertArrayEquals(new byte[held.length], held);
    }

    @Test
    void malformedHeaders_areRefused_withoutQuotingThePassword() {
        String[] headers = {
            "Negotiate abc", "Basic", "Basic !!!not-base64-S3cret", basic("no-colon-S3cret"), basic("alice:"),
            basic(":S3cret"), basic("a".repeat(257) + ":S3cret"), "Basic " + "QUFB".repeat(1100),
            basic(new byte[] {(byte) 0xff, (byte) 0xfe, ':', 'S', '3', 'c', 'r', 'e', 't'})};
        for (String header : headers) {
            BasicCredentials.Malformed e = assertThrows(BasicCredentials.Malformed.class,
                    () -> BasicCredentials.parse(header), header);
            assertFalse(e.getMessage().contains("S3cret"), e.getMessage());
        }
    }

    @Test
    void aPasswordThatIsNotUtf8_isRefusedWhenItIsNeeded() throws Exception {
        try (BasicCredentials c = BasicCredentials.parse(basic(new byte[] {'a', ':', (byte) 0xc3, (byte) 0x28}))) {
            assertThrows(BasicCredentials.Malformed.class, c::passwordChars);
        }
    }

    @Test
    void toString_hidesThePassword() throws Exception {
        try (BasicCredentials c = BasicCredentials.parse(basic("alice:S3cret"))) {
            assertFalse(c.toString().contains("S3cret"));
            assertTrue(c.toString().contains("alice"));
        }
    }
}
