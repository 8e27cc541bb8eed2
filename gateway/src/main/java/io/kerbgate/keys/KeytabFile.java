package io.kerbgate.keys;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the MIT keytab format ({@code FILE:} keytabs, versions 0x0502 and 0x0501).
 *
 * <p>We parse the format ourselves instead of using Kerby's {@code Keytab} because Kerby's reader loses exactly
 * what a rolled keytab depends on: it reads the kvno as a signed byte (kvno 200 becomes -56), ignores the 32-bit
 * kvno trailer (kvno 256 and above come out wrong), and drops entries of enctypes it does not know, so a keytab
 * holding one new enctype could not be inspected faithfully. Here every entry is kept, unknown enctypes included;
 * which enctypes are usable is the acceptor's decision.
 *
 * <p>The layout (big-endian; MIT {@code src/lib/krb5/keytab/kt_file.c}):
 * <pre>
 * keytab  ::= version(uint16: 0x0502 | 0x0501) record*
 * record  ::= size(int32) bytes[|size|]       negative size: a deleted entry (hole), skipped
 *                                             size 0: end of the keytab; only zero padding may follow
 * entry   ::= num_components(uint16)          0x0501 counts the realm as a component
 *             realm(counted_octet_string) component(counted_octet_string)*
 *             name_type(uint32)               absent in 0x0501
 *             timestamp(uint32) kvno8(uint8)
 *             enctype(int16) key(counted_octet_string)
 *             [kvno32(uint32)]                present when the size leaves 4 bytes; used when non-zero
 *             [anything else up to size]      ignored
 * counted_octet_string ::= length(uint16) bytes[length]
 * </pre>
 * 0x0501 files were written in the writing host's byte order; we read them big-endian.
 *
 * <p>Every length is checked against the end of its entry and of the file: a truncated or corrupt keytab is refused
 * with a {@link KeytabException} naming the field and the byte offset, never partly loaded.
 */
public final class KeytabFile {

    static final int VERSION_1 = 0x0501;
    static final int VERSION_2 = 0x0502;

    private static final FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private KeytabFile() {}

    /**
     * Parses a whole keytab.
     *
     * @throws KeytabException when the bytes are not a complete, well-formed keytab; the message names the offset
     */
    public static List<KeytabEntry> parse(byte[] bytes) throws KeytabException {
        if (bytes.length == 0) {
            throw new KeytabException("keytab is empty (0 bytes): the version is missing at offset 0", 0);
        }
        if (bytes[0] != 0x05) {
            throw new KeytabException(String.format(
                    "not a keytab: first byte at offset 0 is 0x%02x, a keytab starts with 0x05", bytes[0] & 0xFF), 0);
        }
        if (bytes.length < 2) {
            throw new KeytabException("keytab truncated at offset 1: the version needs 2 bytes, the file has 1", 1);
        }
        int version = ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
        if (version != VERSION_1 && version != VERSION_2) {
            throw new KeytabException(String.format(
                    "unsupported keytab version 0x%04x at offset 0 (supported: 0x0502, 0x0501)", version), 0);
        }
        List<KeytabEntry> entries = new ArrayList<>();
        int pos = 2;
        while (pos < bytes.length) {
            if (bytes.length - pos < 4) {
                throw new KeytabException(String.format("keytab truncated at offset %d: an entry size needs 4 bytes, "
                        + "%d remain", pos, bytes.length - pos), pos);
            }
            int size = ByteBuffer.wrap(bytes, pos, 4).getInt();
            int body = pos + 4;
            long remaining = bytes.length - body;
            if (size == Integer.MIN_VALUE) {
                throw new KeytabException("record at offset " + pos + " has an invalid size (-2^31)", pos);
            }
            if (size == 0) {
                requireZeroPadding(bytes, pos);
                break;
            }
            String kind = size < 0 ? "deleted entry" : "entry";
            if (Math.abs(size) > remaining) {
                throw new KeytabException(String.format("%s at offset %d declares %d bytes but only %d remain",
                        kind, pos, Math.abs(size), remaining), pos);
            }
            if (size > 0) {
                entries.add(new EntryReader(bytes, pos, body, body + size, version).read());
            }
            pos = body + Math.abs(size);
        }
        return entries;
    }

    // MIT stops at a zero size; we accept only zeros after it, so that garbage is not silently ignored.
    private static void requireZeroPadding(byte[] bytes, int pos) throws KeytabException {
        for (int i = pos + 4; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                throw new KeytabException(String.format("record at offset %d has size 0 (end of keytab) but a "
                        + "non-zero byte follows at offset %d", pos, i), i);
            }
        }
    }

    /** Serialises entries as a version 0x0502 keytab, each with the 32-bit kvno trailer. */
    public static byte[] write(List<KeytabEntry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        putShort(out, VERSION_2);
        for (KeytabEntry entry : entries) {
            byte[] record = encode(entry);
            putInt(out, record.length);
            out.writeBytes(record);
        }
        return out.toByteArray();
    }

    private static byte[] encode(KeytabEntry entry) {
        PrincipalName name = PrincipalName.parse(entry.principal());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (name.components().size() > 0xFFFF) {
            throw new IllegalArgumentException("too many name components: " + entry.principal());
        }
        putShort(out, name.components().size());
        putCounted(out, name.realm().getBytes(StandardCharsets.UTF_8));
        for (String component : name.components()) {
            putCounted(out, component.getBytes(StandardCharsets.UTF_8));
        }
        putInt(out, entry.nameType());
        putInt(out, (int) entry.timestamp());
        out.write(entry.kvno() & 0xFF);
        putShort(out, entry.enctype());
        putCounted(out, entry.keyBytes());
        putInt(out, entry.kvno());
        return out.toByteArray();
    }

    /**
     * Replaces {@code target} with a keytab holding {@code entries}, so that a reader sees either the old file or the
     * whole new one: a temp file in the same directory (mode 0600 where POSIX), fsync, atomic rename, fsync of the
     * directory so the rename itself survives a crash. A symlink at {@code target} is replaced, not followed.
     */
    public static void writeAtomically(Path target, List<KeytabEntry> entries) throws IOException {
        writeAtomically(target, write(entries));
    }

    /** {@link #writeAtomically(Path, List)} for any bytes: the state directory's JSON takes the same path. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
                posix ? new FileAttribute<?>[] {OWNER_ONLY} : new FileAttribute<?>[0]);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            if (e instanceof AtomicMoveNotSupportedException) {
                throw new IOException("cannot replace " + target + " atomically: the temp file and the target must "
                        + "be on one file system", e);
            }
            throw e;
        }
        // Only POSIX can open a directory to fsync it; elsewhere (NTFS) the file system journals the rename.
        if (posix) {
            try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
    }

    private static void putShort(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value);
    }

    private static void putInt(ByteArrayOutputStream out, int value) {
        putShort(out, value >>> 16);
        putShort(out, value & 0xFFFF);
    }

    private static void putCounted(ByteArrayOutputStream out, byte[] bytes) {
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("field longer than 65535 bytes");
        }
        putShort(out, bytes.length);
        out.writeBytes(bytes);
    }

    /** Reads one entry, bounded by its declared size. */
    private static final class EntryReader {
        private final byte[] bytes;
        private final int start;
        private final int end;
        private final int version;
        private int pos;

        EntryReader(byte[] bytes, int start, int body, int end, int version) {
            this.bytes = bytes;
            this.start = start;
            this.end = end;
            this.version = version;
            this.pos = body;
        }

        KeytabEntry read() throws KeytabException {
            int count = uint16("number of name components");
            if (version == VERSION_1) {
                count--; // 0x0501 counted the realm among the components
            }
            if (count <= 0) {
                throw error("has no name components", pos - 2);
            }
            int realmAt = pos;
            String realm = string("realm");
            if (realm.isEmpty()) {
                throw error("has an empty realm", realmAt);
            }
            List<String> components = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                components.add(string("name component " + (i + 1)));
            }
            int nameType = version == VERSION_1 ? 0 : int32("name type");
            long timestamp = int32("timestamp") & 0xFFFF_FFFFL;
            int kvno = uint8("kvno");
            int enctype = (short) uint16("enctype");
            byte[] key = bytes("key", uint16("key length"));
            if (end - pos >= 4) {
                int kvnoAt = pos;
                long kvno32 = int32("32-bit kvno") & 0xFFFF_FFFFL;
                if (kvno32 > Integer.MAX_VALUE) {
                    throw error("has a 32-bit kvno beyond 2^31-1: " + kvno32, kvnoAt);
                }
                if (kvno32 != 0) {
                    kvno = (int) kvno32;
                }
            }
            String principal = new PrincipalName(components, realm).toString();
            return new KeytabEntry(principal, nameType, timestamp, kvno, enctype, key);
        }

        private String string(String field) throws KeytabException {
            int length = uint16(field + " length");
            return new String(bytes(field, length), StandardCharsets.UTF_8);
        }

        private byte[] bytes(String field, int length) throws KeytabException {
            need(length, field);
            byte[] out = new byte[length];
            System.arraycopy(bytes, pos, out, 0, length);
            pos += length;
            return out;
        }

        private int uint8(String field) throws KeytabException {
            need(1, field);
            return bytes[pos++] & 0xFF;
        }

        private int uint16(String field) throws KeytabException {
            need(2, field);
            int value = ((bytes[pos] & 0xFF) << 8) | (bytes[pos + 1] & 0xFF);
            pos += 2;
            return value;
        }

        private int int32(String field) throws KeytabException {
            need(4, field);
            int value = ByteBuffer.wrap(bytes, pos, 4).getInt();
            pos += 4;
            return value;
        }

        private void need(int length, String field) throws KeytabException {
            if (end - pos < length) {
                throw new KeytabException(String.format("entry at offset %d is truncated: the %s needs %d bytes at "
                        + "offset %d but the entry ends at offset %d", start, field, length, pos, end), pos);
            }
        }

        private KeytabException error(String problem, int offset) {
            return new KeytabException("entry at offset " + start + " " + problem + " (at offset " + offset + ")",
                    offset);
        }
    }
}
