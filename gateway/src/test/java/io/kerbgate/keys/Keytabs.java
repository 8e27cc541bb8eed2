package io.kerbgate.keys;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test keytab entries whose key bytes tell where they came from. */
final class Keytabs {
    static final String HTTP = "HTTP/array.example.test@ARRAY.TEST";
    static final String OTHER = "HTTP/other.example.test@ARRAY.TEST";
    static final int AES128 = 17;
    static final int AES256 = 18;
    static final long TIMESTAMP = 1_795_000_000L;

    private Keytabs() {}

    /** A key of the enctype's length whose every byte is {@code fill}. */
    static KeytabEntry entry(String principal, int kvno, int enctype, int fill) {
        byte[] key = new byte[enctype == AES128 ? 16 : 32];
        Arrays.fill(key, (byte) fill);
        return new KeytabEntry(principal, 1, TIMESTAMP, kvno, enctype, key);
    }

    /** aes128 and aes256 keys of {@code principal} for each kvno, filled with the kvno. */
    static List<KeytabEntry> kvnos(String principal, int... kvnos) {
        List<KeytabEntry> entries = new ArrayList<>();
        for (int kvno : kvnos) {
            entries.add(entry(principal, kvno, AES256, kvno));
            entries.add(entry(principal, kvno, AES128, kvno));
        }
        return entries;
    }

    static byte[] bytes(List<KeytabEntry> entries) {
        return KeytabFile.write(entries);
    }
}
