package io.kerbgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a test's secret file (keytab, key, password) with mode 0600, as the gateway requires of every secret
 * ({@link io.kerbgate.keys.SecretFiles}); {@code Files.write} under the usual umask 022 makes it 0644.
 */
public final class SecretFile {

    private SecretFile() {}

    public static Path write(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        return chmod600(file);
    }

    public static Path writeString(Path file, String content) throws IOException {
        return write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Sets {@code file}'s mode to 0600 and returns it. */
    public static Path chmod600(Path file) {
        try {
            return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
