package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.rollover.kdc.MitKdcAdapter;
import io.kerbgate.rollover.kdc.Salts;
import io.kerbgate.testing.MitKdc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class MitKdcAdapterTest {

    static final String SPN = "HTTP/adapter.example.test@ARRAY.TEST";
    static final List<Enctype> ENCTYPES = List.of(Enctype.AES256_CTS_HMAC_SHA1_96, Enctype.AES128_CTS_HMAC_SHA1_96,
            Enctype.AES256_CTS_HMAC_SHA384_192);

    private static MitKdc kdc;
    private static MitKdcAdapter adapter;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKdc() {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        kdc = MitKdc.start("ARRAY.TEST");
        adapter = RolloverFixture.mitAdapter(kdc, ENCTYPES);
    }

    @AfterAll
    static void stopKdc() {
        if (kdc != null) {
            kdc.close();
        }
    }

    @Test
    void salt_isRealmThenComponents() {
        assertEquals("ARRAY.TESTHTTParray.example.test", Salts.mitDefault("HTTP/array.example.test@ARRAY.TEST"));
    }

    @Test
    void createThenCommit_keysDerivedWithTheSaltEqualTheKdcsKeys() throws Exception {
        KeyGenerator generator = new KeyGenerator(new SecureRandom());
        assertFalse(adapter.exists(SPN));

        NewKey first = generator.generate(adapter.firstKvno(), ENCTYPES, adapter.salt(SPN));
        adapter.create(SPN, first);
        assertTrue(adapter.exists(SPN));
        assertEquals(1, adapter.currentKvno(SPN));
        assertSameKeys(first, exported("one.keytab"));

        NewKey second = generator.generate(2, ENCTYPES, adapter.salt(SPN));
        adapter.commit(SPN, second);
        assertEquals(2, adapter.currentKvno(SPN));
        assertSameKeys(second, exported("two.keytab"));

        Instant changed = adapter.keyChangedAt(SPN).orElseThrow();
        assertTrue(Duration.between(changed, Instant.now()).abs().toMinutes() < 5, "last change " + changed);
    }

    @Test
    void currentKeys_areTheKdcsCurrentKeys_readWithoutChangingThem() throws Exception {
        String spn = "HTTP/export.example.test@ARRAY.TEST";
        KeyGenerator generator = new KeyGenerator(new SecureRandom());
        adapter.create(spn, generator.generate(adapter.firstKvno(), ENCTYPES, adapter.salt(spn)));
        NewKey second = generator.generate(2, ENCTYPES, adapter.salt(spn));
        adapter.commit(spn, second);

        List<KeytabEntry> current = adapter.currentKeys(spn).orElseThrow();

        assertSameKeys(second, current);
        assertEquals(2, adapter.currentKvno(spn), "ktadd -norandkey keeps the key and its kvno");
    }

    @Test
    void failure_namesTheQueryButNeverThePassword() throws Exception {
        NewKey key = new KeyGenerator(new SecureRandom()).generate(2, ENCTYPES, "x");
        KdcException e = assertThrows(KdcException.class, () -> adapter.commit("nobody/x@ARRAY.TEST", key));
        String password = new String(key.password());
        assertFalse(e.getMessage().contains(password), e.getMessage());
        assertTrue(e.getMessage().contains("cpw nobody/x@ARRAY.TEST"), e.getMessage());
    }

    private List<KeytabEntry> exported(String name) throws Exception {
        Path keytab = dir.resolve(name);
        kdc.exportKeytab(SPN, keytab);
        return KeytabFile.parse(Files.readAllBytes(keytab));
    }

    private static void assertSameKeys(NewKey key, List<KeytabEntry> fromKdc) {
        assertEquals(key.keys().size(), fromKdc.size(), "entries " + fromKdc);
        for (KerberosKey k : key.keys()) {
            KeytabEntry entry = fromKdc.stream().filter(e -> e.enctype() == k.enctype().id()).findFirst().orElseThrow();
            assertEquals(key.kvno(), entry.kvno());
            assertArrayEquals(k.bytes(), entry.key(), k.enctype().kerberosName());
        }
    }
}
