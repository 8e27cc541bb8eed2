package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

final class KerberosKeyTest {
    private static final byte[] RAW16 = Hex.bytes("000102030405060708090a0b0c0d0e0f");

    @Test
    void constructor_wrongLength_namesEnctypeAndLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KerberosKey(Enctype.AES256_CTS_HMAC_SHA1_96, RAW16));
        assertEquals("aes256-cts-hmac-sha1-96 needs a key of 32 bytes, got 16", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KerberosKey(Enctype.RC4_HMAC, new byte[0]));
        assertThrows(NullPointerException.class, () -> new KerberosKey(null, RAW16));
        assertThrows(NullPointerException.class, () -> new KerberosKey(Enctype.RC4_HMAC, null));
    }

    @Test
    void keyBytes_areCopiedInAndOut() {
        byte[] input = RAW16.clone();
        KerberosKey key = new KerberosKey(Enctype.AES128_CTS_HMAC_SHA1_96, input);
        input[0] = 42;
        byte[] out = key.bytes();
        out[1] = 42;
        assertArrayEquals(RAW16, key.bytes());
    }

    @Test
    void equality_isByEnctypeAndBytes() {
        KerberosKey a = new KerberosKey(Enctype.AES128_CTS_HMAC_SHA1_96, RAW16);
        KerberosKey same = new KerberosKey(Enctype.AES128_CTS_HMAC_SHA1_96, RAW16.clone());
        KerberosKey otherEnctype = new KerberosKey(Enctype.AES128_CTS_HMAC_SHA256_128, RAW16);
        assertEquals(a, same);
        assertEquals(a.hashCode(), same.hashCode());
        assertNotEquals(a, otherEnctype);
        assertNotEquals(a, KerberosCrypto.randomKey(Enctype.AES128_CTS_HMAC_SHA1_96));
        assertFalse(a.equals(null));
    }

    @Test
    void toString_namesTheEnctypeButNeverTheKey() {
        String text = new KerberosKey(Enctype.RC4_HMAC, RAW16).toString();
        assertEquals("KerberosKey[rc4-hmac]", text);
        assertFalse(text.contains("0001"));
    }

    @Test
    void usageKeys_areDerivedOncePerCachedUsage() {
        KerberosKey key = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA384_192);
        assertSame(key.usageKeys(2), key.usageKeys(2));
        assertSame(key.usageKeys(32), key.usageKeys(32));
        assertNotSame(key.usageKeys(2), key.usageKeys(11));
    }

    @Test
    void usageKeys_outsideTheCache_areDerivedEachTimeWithTheSameResult() {
        KerberosKey key = KerberosCrypto.randomKey(Enctype.AES128_CTS_HMAC_SHA1_96);
        UsageKeys first = key.usageKeys(33);
        UsageKeys second = key.usageKeys(33);
        assertNotSame(first, second);
        assertArrayEquals(first.encryption().getEncoded(), second.encryption().getEncoded());
        assertArrayEquals(key.usageKeys(-1).integrity().getEncoded(), key.usageKeys(-1).integrity().getEncoded());
    }

    @Test
    void coldKey_sharedByManyThreads_decryptsCorrectlyEverywhere() throws Exception {
        for (Enctype enctype : Enctype.values()) {
            KerberosKey sealer = KerberosCrypto.randomKey(enctype);
            byte[] ticket = KerberosCrypto.encrypt(sealer, 2, "ticket".getBytes());
            KerberosKey cold = new KerberosKey(enctype, sealer.bytes());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Callable<byte[]>> tasks = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    tasks.add(() -> KerberosCrypto.decrypt(cold, 2, ticket));
                }
                for (Future<byte[]> result : pool.invokeAll(tasks)) {
                    assertArrayEquals("ticket".getBytes(), result.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
