package io.kerbgate.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The session cookie's key file: one or more AES-256 keys, 64 hex digits each, one per line (blank lines and lines
 * starting with {@code #} are skipped). The first key seals new cookies; every key opens them, so a new key is rolled
 * in by prepending it and the old one removed once {@code max_age} has passed.
 *
 * <p>The file must be a readable regular file that other users cannot read (on POSIX file systems): it is as secret as
 * the keytab for as long as the cookies it sealed live. Error messages never contain key material. The config checks
 * the file when it is read, so that a bad one fails {@code check-config}; {@code io.kerbgate.sessions} keeps it current.
 */
public final class CookieKeys {

    public static final int KEY_BYTES = 32;
    /** Far above any real key file (65 bytes a key). */
    static final int MAX_FILE_BYTES = 64 << 10;

    private final List<SecretKey> keys;

    private CookieKeys(List<SecretKey> keys) {
        this.keys = List.copyOf(keys);
    }

    /** The keys, the sealing one first; never empty. */
    public List<SecretKey> keys() {
        return keys;
    }

    public SecretKey sealing() {
        return keys.get(0);
    }

    /**
     * Reads and checks the file.
     *
     * @throws IOException              when it cannot be read
     * @throws IllegalArgumentException when it is not a key file or others can read it; the message says why, in one
     *                                  line, without key material
     */
    public static CookieKeys read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(Files.exists(file) ? file + " is not a regular file"
                    : file + " does not exist");
        }
        SecretFiles.requirePrivate(file);
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        return parse(Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    /** @throws IllegalArgumentException naming the line that is not a key */
    public static CookieKeys parse(String text) {
        List<SecretKey> keys = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.length() != 2 * KEY_BYTES || !line.chars().allMatch(CookieKeys::isHex)) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not a key: 64 hex digits (32 bytes) expected,"
                        + " got " + line.length() + " characters");
            }
            keys.add(new SecretKeySpec(HexFormat.of().parseHex(line), "AES"));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("holds no key: write 64 hex digits (e.g. openssl rand -hex 32)");
        }
        return new CookieKeys(keys);
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    @Override
    public String toString() {
        return "CookieKeys[" + keys.size() + " keys]";
    }
}
