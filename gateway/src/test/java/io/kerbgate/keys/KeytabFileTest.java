package io.kerbgate.keys;

import static io.kerbgate.keys.Keytabs.AES128;
import static io.kerbgate.keys.Keytabs.AES256;
import static io.kerbgate.keys.Keytabs.HTTP;
import static io.kerbgate.keys.Keytabs.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class KeytabFileTest {

    @TempDir
    Path dir;

    @Test
    void write_parse_roundTripsEveryField() throws Exception {
        List<KeytabEntry> entries = List.of(
                entry(HTTP, 0, AES256, 1),
                entry(HTTP, 3, AES128, 2),
                entry(HTTP, 200, AES256, 3),
                entry(HTTP, 255, AES256, 4),
                entry(HTTP, 256, AES256, 5),
                entry(HTTP, 70_000, AES256, 6),
                new KeytabEntry("host/a.example.test@EXAMPLE.TEST", 3, 0xFFFF_FFFFL, 7, 99, new byte[] {1, 2, 3}),
                new KeytabEntry("svc@EXAMPLE.TEST", 1, 0, 8, -128, new byte[0]),
                new KeytabEntry("we\\/ird/in\\@stance@RE\\@LM", -128, 5, 9, 20, new byte[16]));

        assertEquals(entries, KeytabFile.parse(KeytabFile.write(entries)));
    }

    @Test
    void parse_kvno200InTheByte_readsUnsigned() throws Exception {
        byte[] keytab = new RawKeytab(0x0502).entry(200, null, 0).bytes();

        assertEquals(200, KeytabFile.parse(keytab).get(0).kvno());
    }

    @Test
    void parse_kvno70000InTheTrailer_winsOverTheByte() throws Exception {
        byte[] keytab = new RawKeytab(0x0502).entry(70_000 & 0xFF, 70_000, 0).bytes();

        assertEquals(70_000, KeytabFile.parse(keytab).get(0).kvno());
    }

    @Test
    void parse_zeroTrailer_usesTheByte() throws Exception {
        byte[] keytab = new RawKeytab(0x0502).entry(9, 0, 0).bytes();

        assertEquals(9, KeytabFile.parse(keytab).get(0).kvno());
    }

    @Test
    void parse_bytesAfterTheTrailerWithinTheEntry_areIgnored() throws Exception {
        byte[] keytab = new RawKeytab(0x0502).entry(9, 300, 7).entry(4, null, 0).bytes();

        List<KeytabEntry> entries = KeytabFile.parse(keytab);

        assertEquals(List.of(300, 4), entries.stream().map(KeytabEntry::kvno).toList());
    }

    @Test
    void parse_version0501_countsTheRealmAndHasNoNameType() throws Exception {
        byte[] keytab = new RawKeytab(0x0501).entry(5, null, 0).bytes();

        KeytabEntry entry = KeytabFile.parse(keytab).get(0);

        assertEquals(HTTP, entry.principal());
        assertEquals(5, entry.kvno());
        assertEquals(0, entry.nameType());
    }

    @Test
    void parse_deletedHoles_areSkipped() throws Exception {
        byte[] keytab = new RawKeytab(0x0502).hole(40).entry(3, null, 0).hole(7).entry(4, 4, 0).hole(1).bytes();

        assertEquals(List.of(3, 4), KeytabFile.parse(keytab).stream().map(KeytabEntry::kvno).toList());
    }

    @Test
    void parse_unknownEnctype_isKept() throws Exception {
        byte[] keytab = KeytabFile.write(List.of(entry(HTTP, 2, AES256, 1),
                new KeytabEntry(HTTP, 1, 0, 2, 4711, new byte[] {9})));

        List<KeytabEntry> entries = KeytabFile.parse(keytab);

        assertEquals(4711, entries.get(1).enctype());
        assertArrayEquals(new byte[] {9}, entries.get(1).key());
    }

    @Test
    void parse_zeroSize_endsTheKeytab_whenOnlyZerosFollow() throws Exception {
        byte[] keytab = concat(new RawKeytab(0x0502).entry(3, null, 0).bytes(), new byte[12]);

        assertEquals(1, KeytabFile.parse(keytab).size());
    }

    @Test
    void parse_zeroSize_followedByData_isRefused() {
        byte[] good = new RawKeytab(0x0502).entry(3, null, 0).bytes();
        byte[] keytab = concat(good, new byte[] {0, 0, 0, 0, 0, 1});

        KeytabException e = assertThrows(KeytabException.class, () -> KeytabFile.parse(keytab));

        assertEquals(good.length + 5, e.offset());
        assertTrue(e.getMessage().contains("offset " + good.length), e.getMessage());
    }

    @Test
    void parse_emptyFile_isRefused() {
        KeytabException e = assertThrows(KeytabException.class, () -> KeytabFile.parse(new byte[0]));

        assertEquals("keytab is empty (0 bytes): the version is missing at offset 0", e.getMessage());
    }

    @Test
    void parse_badVersion_isRefused() {
        KeytabException notKeytab = assertThrows(KeytabException.class,
                () -> KeytabFile.parse("hello".getBytes(StandardCharsets.US_ASCII)));
        KeytabException version = assertThrows(KeytabException.class,
                () -> KeytabFile.parse(new byte[] {5, 3}));
        KeytabException oneByte = assertThrows(KeytabException.class, () -> KeytabFile.parse(new byte[] {5}));

        assertTrue(notKeytab.getMessage().contains("first byte at offset 0 is 0x68"), notKeytab.getMessage());
        assertTrue(version.getMessage().contains("version 0x0503 at offset 0"), version.getMessage());
        assertTrue(oneByte.getMessage().contains("truncated at offset 1"), oneByte.getMessage());
    }

    @Test
    void parse_truncatedSizeField_isRefusedWithItsOffset() {
        byte[] keytab = {5, 2, 0, 0};

        KeytabException e = assertThrows(KeytabException.class, () -> KeytabFile.parse(keytab));

        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("truncated at offset 2: an entry size needs 4 bytes, 2 remain"),
                e.getMessage());
    }

    @Test
    void parse_entrySizePastTheEnd_isRefusedWithItsOffset() {
        byte[] full = new RawKeytab(0x0502).entry(3, null, 0).bytes();
        byte[] keytab = Arrays.copyOf(full, full.length - 1);

        KeytabException e = assertThrows(KeytabException.class, () -> KeytabFile.parse(keytab));

        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("entry at offset 2 declares " + (full.length - 6) + " bytes but only "
                + (full.length - 7) + " remain"), e.getMessage());
    }

    @Test
    void parse_holePastTheEnd_isRefused() {
        byte[] keytab = new RawKeytab(0x0502).entry(3, null, 0).rawInt(-100).bytes();

        KeytabException e = assertThrows(KeytabException.class, () -> KeytabFile.parse(keytab));

        assertTrue(e.getMessage().contains("deleted entry at offset"), e.getMessage());
    }

    @Test
    void parse_fieldPastTheEntrysDeclaredSize_isRefusedWithItsOffset() {
        // An entry whose declared size stops inside the key: the key length points past the entry's end.
        byte[] keytab = new RawKeytab(0x0502).entry(3, null, 0).bytes();
        int size = keytab.length - 6;
        int shorter = size - 10;
        byte[] cut = concat(Arrays.copyOf(keytab, 2 + 4 + shorter), new byte[0]);
        cut[2] = (byte) (shorter >>> 24);
        cut[3] = (byte) (shorter >>> 16);
        cut[4] = (byte) (shorter >>> 8);
        cut[5] = (byte) shorter;

        KeytabException e = assertThrows(KeytabException.class, () -> KeytabFile.parse(cut));

        assertTrue(e.getMessage().startsWith("entry at offset 2 is truncated: the key needs 32 bytes at offset"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("but the entry ends at offset " + (6 + shorter)), e.getMessage());
    }

    @Test
    void parse_everyTruncation_isRefusedOrEndsOnAnEntryBoundary() throws Exception {
        byte[] keytab = KeytabFile.write(Keytabs.kvnos(HTTP, 3, 4));
        int[] boundaries = boundaries(keytab);

        for (int length = 0; length < keytab.length; length++) {
            byte[] prefix = Arrays.copyOf(keytab, length);
            int complete = (int) Arrays.stream(boundaries).filter(b -> b == prefix.length).count();
            if (complete == 1) {
                KeytabFile.parse(prefix);
            } else {
                KeytabException e = assertThrows(KeytabException.class, () -> KeytabFile.parse(prefix),
                        "prefix of " + length + " bytes");
                assertTrue(e.getMessage().contains("offset"), e.getMessage());
            }
        }
    }

    @Test
    void parse_randomlyCorruptedKeytabs_failOnlyWithKeytabException() {
        byte[] keytab = KeytabFile.write(Keytabs.kvnos(HTTP, 3, 300));
        Random random = new Random(42);

        for (int i = 0; i < 5_000; i++) {
            byte[] mutated = keytab.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                mutated[2 + random.nextInt(mutated.length - 2)] = (byte) random.nextInt(256);
            }
            try {
                KeytabFile.parse(mutated);
            } catch (KeytabException expected) {
                assertTrue(expected.offset() >= 0 && expected.offset() <= mutated.length, expected.getMessage());
            }
        }
    }

    @Test
    void parse_entryWithoutComponents_orRealm_isRefused() {
        byte[] noComponents = new RawKeytab(0x0502).custom(0, "R", List.of()).bytes();
        byte[] noRealm = new RawKeytab(0x0502).custom(1, "", List.of("HTTP")).bytes();

        KeytabException components = assertThrows(KeytabException.class, () -> KeytabFile.parse(noComponents));
        KeytabException realm = assertThrows(KeytabException.class, () -> KeytabFile.parse(noRealm));

        assertTrue(components.getMessage().contains("has no name components (at offset 6)"), components.getMessage());
        assertTrue(realm.getMessage().contains("has an empty realm (at offset 8)"), realm.getMessage());
    }

    @Test
    void entry_toString_hidesTheKey() {
        KeytabEntry entry = new KeytabEntry(HTTP, 1, 0, 3, AES128, "SECRETSECRETSECR".getBytes(StandardCharsets.UTF_8));

        assertFalse(entry.toString().contains("SECRET"), entry.toString());
        assertFalse(entry.toString().contains("83"), entry.toString());
        assertTrue(entry.toString().contains("16 bytes"), entry.toString());
    }

    @Test
    void entry_keyIsCopiedInAndOut() {
        byte[] key = new byte[16];
        KeytabEntry entry = new KeytabEntry(HTTP, 1, 0, 3, AES128, key);
        key[0] = 1;
        entry.key()[1] = 1;

        assertArrayEquals(new byte[16], entry.key());
    }

    @Test
    void entry_withoutRealm_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> entry("HTTP/host", 1, AES128, 1));
        assertThrows(IllegalArgumentException.class, () -> entry("HTTP/host@", 1, AES128, 1));
    }

    @Test
    void writeAtomically_replacesTheFile_ownerOnly_withNoTempLeft() throws Exception {
        Path target = dir.resolve("http.keytab");
        Files.writeString(target, "old");

        KeytabFile.writeAtomically(target, Keytabs.kvnos(HTTP, 5));

        assertEquals(Keytabs.kvnos(HTTP, 5), KeytabFile.parse(Files.readAllBytes(target)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        }
    }

    /** The offsets at which a keytab written by {@link KeytabFile#write} may end: after the version or an entry. */
    private static int[] boundaries(byte[] keytab) {
        int[] out = new int[64];
        int count = 0;
        int pos = 2;
        out[count++] = pos;
        while (pos < keytab.length) {
            pos += 4 + (((keytab[pos] & 0xFF) << 24) | ((keytab[pos + 1] & 0xFF) << 16)
                    | ((keytab[pos + 2] & 0xFF) << 8) | (keytab[pos + 3] & 0xFF));
            out[count++] = pos;
        }
        return Arrays.copyOf(out, count);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Writes keytab bytes field by field, to produce what {@link KeytabFile#write} never would. */
    private static final class RawKeytab {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);
        private final int version;

        RawKeytab(int version) {
            this.version = version;
            write(() -> out.writeShort(version));
        }

        /** An entry of HTTP/array.example.test@ARRAY.TEST, aes256, with a kvno trailer when {@code kvno32} is set. */
        RawKeytab entry(int kvno8, Integer kvno32, int extraBytes) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream e = new DataOutputStream(body);
            write(() -> {
                e.writeShort(version == 0x0501 ? 3 : 2);
                counted(e, "ARRAY.TEST");
                counted(e, "HTTP");
                counted(e, "array.example.test");
                if (version == 0x0502) {
                    e.writeInt(1);
                }
                e.writeInt((int) Keytabs.TIMESTAMP);
                e.writeByte(kvno8);
                e.writeShort(AES256);
                e.writeShort(32);
                e.write(new byte[32]);
                if (kvno32 != null) {
                    e.writeInt(kvno32);
                }
                e.write(new byte[extraBytes]);
                out.writeInt(body.size());
                out.write(body.toByteArray());
            });
            return this;
        }

        /** A 0x0502 entry with the given component count, realm and components, then nothing else valid. */
        RawKeytab custom(int count, String realm, List<String> components) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream e = new DataOutputStream(body);
            write(() -> {
                e.writeShort(count);
                counted(e, realm);
                for (String component : components) {
                    counted(e, component);
                }
                e.write(new byte[20]);
                out.writeInt(body.size());
                out.write(body.toByteArray());
            });
            return this;
        }

        RawKeytab hole(int size) {
            write(() -> {
                out.writeInt(-size);
                out.write(new byte[size]);
            });
            return this;
        }

        RawKeytab rawInt(int value) {
            write(() -> out.writeInt(value));
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }

        private static void counted(DataOutputStream e, String text) throws IOException {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            e.writeShort(utf8.length);
            e.write(utf8);
        }

        private static void write(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        private interface IoAction {
            void run() throws IOException;
        }
    }
}
