package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

final class EnctypeTest {

    @Test
    void fromId_supportedIds_returnMembers() {
        assertSame(Enctype.AES128_CTS_HMAC_SHA1_96, Enctype.fromId(17));
        assertSame(Enctype.AES256_CTS_HMAC_SHA1_96, Enctype.fromId(18));
        assertSame(Enctype.AES128_CTS_HMAC_SHA256_128, Enctype.fromId(19));
        assertSame(Enctype.AES256_CTS_HMAC_SHA384_192, Enctype.fromId(20));
        assertSame(Enctype.RC4_HMAC, Enctype.fromId(23));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 5, 7, 16, 24, 25, 26, 99, -128, Integer.MIN_VALUE})
    void fromId_unsupportedOrUnknown_isNull(int id) {
        assertNull(Enctype.fromId(id));
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void fromName_canonicalName_roundTrips(Enctype e) {
        assertSame(e, Enctype.fromName(e.kerberosName()));
        assertSame(e, Enctype.fromName(e.kerberosName().toUpperCase()));
    }

    @Test
    void fromName_mitAliases_resolve() {
        assertSame(Enctype.AES256_CTS_HMAC_SHA1_96, Enctype.fromName("aes256-cts"));
        assertSame(Enctype.AES128_CTS_HMAC_SHA1_96, Enctype.fromName("aes128-cts"));
        assertSame(Enctype.AES128_CTS_HMAC_SHA256_128, Enctype.fromName("aes128-sha2"));
        assertSame(Enctype.AES256_CTS_HMAC_SHA384_192, Enctype.fromName("aes256-sha2"));
        assertSame(Enctype.RC4_HMAC, Enctype.fromName("arcfour-hmac"));
        assertSame(Enctype.RC4_HMAC, Enctype.fromName("arcfour-hmac-md5"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "des-cbc-crc", "des3-cbc-sha1", "des3-hmac-sha1", "camellia256-cts-cmac", "aes"})
    void fromName_unsupported_isNull(String name) {
        assertNull(Enctype.fromName(name));
    }

    @Test
    void fromName_null_isNull() {
        assertNull(Enctype.fromName(null));
    }

    @Test
    void describe_namesSupportedUnsupportedAndUnknownIds() {
        assertEquals("des-cbc-crc (DES, never supported)", Enctype.describe(1));
        assertEquals("des3-cbc-sha1 (3DES, never supported)", Enctype.describe(16));
        assertEquals("rc4-hmac", Enctype.describe(23));
        assertEquals("aes256-cts-hmac-sha384-192", Enctype.describe(20));
        assertEquals("enctype 99", Enctype.describe(99));
    }

    @Test
    void properties_matchTheRfcs() {
        assertEquals(16, Enctype.AES128_CTS_HMAC_SHA1_96.keyLength());
        assertEquals(32, Enctype.AES256_CTS_HMAC_SHA1_96.keyLength());
        assertEquals(16, Enctype.AES128_CTS_HMAC_SHA256_128.keyLength());
        assertEquals(32, Enctype.AES256_CTS_HMAC_SHA384_192.keyLength());
        assertEquals(16, Enctype.RC4_HMAC.keyLength());
        assertTrue(Enctype.RC4_HMAC.weak());
        assertFalse(Enctype.AES256_CTS_HMAC_SHA1_96.weak());
        assertFalse(Enctype.AES256_CTS_HMAC_SHA384_192.weak());
    }
}
