package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

final class KerberosCryptoTest {

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void encryptThenDecrypt_roundTrips_forLengthsAndUsagesInAndOutOfTheCache(Enctype enctype) throws Exception {
        KerberosKey key = KerberosCrypto.randomKey(enctype);
        for (int usage : new int[] {0, 1, 2, 11, 12, 32, 33, 1024, -1}) {
            for (int length = 0; length <= 100; length++) {
                byte[] plaintext = new byte[length];
                Arrays.fill(plaintext, (byte) length);
                byte[] ciphertext = KerberosCrypto.encrypt(key, usage, plaintext);
                assertEquals(length + overhead(enctype), ciphertext.length);
                assertArrayEquals(plaintext, KerberosCrypto.decrypt(key, usage, ciphertext));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void encrypt_usesAFreshConfounder(Enctype enctype) {
        KerberosKey key = KerberosCrypto.randomKey(enctype);
        assertFalse(Arrays.equals(KerberosCrypto.encrypt(key, 2, new byte[20]),
                KerberosCrypto.encrypt(key, 2, new byte[20])));
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void decrypt_anyFlippedByte_isAnIntegrityFailure(Enctype enctype) {
        KerberosKey key = KerberosCrypto.randomKey(enctype);
        byte[] ciphertext = KerberosCrypto.encrypt(key, 11, "authenticator".getBytes());
        for (int i = 0; i < ciphertext.length; i++) {
            byte[] tampered = ciphertext.clone();
            tampered[i] ^= 0x01;
            assertThrows(IntegrityException.class, () -> KerberosCrypto.decrypt(key, 11, tampered), "byte " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void decrypt_wrongKeyOrUsage_isAnIntegrityFailure(Enctype enctype) {
        KerberosKey key = KerberosCrypto.randomKey(enctype);
        byte[] ciphertext = KerberosCrypto.encrypt(key, 2, new byte[40]);
        assertThrows(IntegrityException.class, () -> KerberosCrypto.decrypt(key, 11, ciphertext));
        assertThrows(IntegrityException.class,
                () -> KerberosCrypto.decrypt(KerberosCrypto.randomKey(enctype), 2, ciphertext));
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void decrypt_shorterThanConfounderPlusMac_failsBeforeDecrypting(Enctype enctype) {
        KerberosKey key = KerberosCrypto.randomKey(enctype);
        for (int length = 0; length < overhead(enctype); length++) {
            byte[] ciphertext = new byte[length];
            IntegrityException e = assertThrows(IntegrityException.class,
                    () -> KerberosCrypto.decrypt(key, 2, ciphertext));
            assertTrue(e.getMessage().contains("shorter than confounder and MAC"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void decrypt_truncatedValidCiphertext_isAnIntegrityFailure(Enctype enctype) {
        KerberosKey key = KerberosCrypto.randomKey(enctype);
        byte[] ciphertext = KerberosCrypto.encrypt(key, 2, new byte[33]);
        for (int length = 0; length < ciphertext.length; length++) {
            byte[] truncated = Arrays.copyOf(ciphertext, length);
            assertThrows(IntegrityException.class, () -> KerberosCrypto.decrypt(key, 2, truncated));
        }
    }

    @Test
    void checksumTypeFor_mapsEachEnctype() {
        assertEquals(15, KerberosCrypto.checksumTypeFor(Enctype.AES128_CTS_HMAC_SHA1_96));
        assertEquals(16, KerberosCrypto.checksumTypeFor(Enctype.AES256_CTS_HMAC_SHA1_96));
        assertEquals(19, KerberosCrypto.checksumTypeFor(Enctype.AES128_CTS_HMAC_SHA256_128));
        assertEquals(20, KerberosCrypto.checksumTypeFor(Enctype.AES256_CTS_HMAC_SHA384_192));
        assertEquals(-138, KerberosCrypto.checksumTypeFor(Enctype.RC4_HMAC));
    }

    @ParameterizedTest
    @ValueSource(ints = {15, 16, 19, 20, -138})
    void isKeyedChecksum_supportedKeyedTypes(int cksumType) {
        assertTrue(KerberosCrypto.isKeyedChecksum(cksumType));
    }

    /** crc32, rsa-md4, rsa-md4-des, rsa-md5, rsa-md5-des, hmac-sha1-des3-kd, sha1, the GSS 0x8003 type, unknown. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 7, 8, 12, 14, 0x8003, -137, 99})
    void isKeyedChecksum_unkeyedOrUnsupportedTypes_isFalse(int cksumType) {
        assertFalse(KerberosCrypto.isKeyedChecksum(cksumType));
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void verifyChecksum_acceptsItsOwnAndRejectsAlterations(Enctype enctype) {
        KerberosKey key = KerberosCrypto.randomKey(enctype);
        int type = KerberosCrypto.checksumTypeFor(enctype);
        byte[] data = "PAC server signature".getBytes();
        byte[] mac = KerberosCrypto.checksum(key, 17, type, data);
        assertTrue(KerberosCrypto.verifyChecksum(key, 17, type, data, mac));

        byte[] flipped = mac.clone();
        flipped[0] ^= 1;
        assertFalse(KerberosCrypto.verifyChecksum(key, 17, type, data, flipped));
        assertFalse(KerberosCrypto.verifyChecksum(key, 17, type, data, Arrays.copyOf(mac, mac.length - 1)));
        assertFalse(KerberosCrypto.verifyChecksum(key, 17, type, data, new byte[0]));
        assertFalse(KerberosCrypto.verifyChecksum(key, 17, type, data, null));
        assertFalse(KerberosCrypto.verifyChecksum(key, 10, type, data, mac));
        assertFalse(KerberosCrypto.verifyChecksum(KerberosCrypto.randomKey(enctype), 17, type, data, mac));
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void checksum_typeOfAnotherEnctypeOrUnkeyed_isRefused(Enctype enctype) {
        KerberosKey key = KerberosCrypto.randomKey(enctype);
        for (int type : new int[] {1, 7, 14, 15, 16, 19, 20, -138}) {
            if (type == KerberosCrypto.checksumTypeFor(enctype)) {
                continue;
            }
            assertThrows(IllegalArgumentException.class, () -> KerberosCrypto.checksum(key, 10, type, new byte[8]));
            assertFalse(KerberosCrypto.verifyChecksum(key, 10, type, new byte[8], new byte[16]));
        }
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void randomKey_hasTheEnctypeLengthAndDiffers(Enctype enctype) {
        KerberosKey a = KerberosCrypto.randomKey(enctype);
        KerberosKey b = KerberosCrypto.randomKey(enctype);
        assertEquals(enctype, a.enctype());
        assertEquals(enctype.keyLength(), a.bytes().length);
        assertNotEquals(a, b);
    }

    @Test
    void stringToKey_dependsOnSaltForAesButNotForRc4() {
        char[] password = "secret".toCharArray();
        for (Enctype e : Enctype.values()) {
            KerberosKey a = KerberosCrypto.stringToKey(e, password, "EXAMPLE.COMalice");
            KerberosKey b = KerberosCrypto.stringToKey(e, password, "EXAMPLE.COMbob");
            assertEquals(e == Enctype.RC4_HMAC, a.equals(b), e.kerberosName());
        }
    }

    @Test
    void encryptionsOfDifferentEnctypes_doNotOpenEachOther() {
        Random random = new Random(7);
        byte[] raw = new byte[16];
        random.nextBytes(raw);
        KerberosKey sha1 = new KerberosKey(Enctype.AES128_CTS_HMAC_SHA1_96, raw);
        KerberosKey sha2 = new KerberosKey(Enctype.AES128_CTS_HMAC_SHA256_128, raw);
        assertThrows(IntegrityException.class,
                () -> KerberosCrypto.decrypt(sha2, 2, KerberosCrypto.encrypt(sha1, 2, new byte[30])));
    }

    /** Confounder plus MAC: 16 + 12 (RFC 3962), 16 + 16 or 16 + 24 (RFC 8009), 8 + 16 (RFC 4757). */
    private static int overhead(Enctype enctype) {
        return switch (enctype) {
            case AES128_CTS_HMAC_SHA1_96, AES256_CTS_HMAC_SHA1_96 -> 28;
            case AES128_CTS_HMAC_SHA256_128 -> 32;
            case AES256_CTS_HMAC_SHA384_192 -> 40;
            case RC4_HMAC -> 24;
        };
    }
}
