package io.kerbgate.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The one rule for every file that holds a secret (the keytab, the session cookie keys, the assertion key, the TLS
 * private key, the Redis and LDAP password files): nobody but its owner and its group may read it, and nobody but its
 * owner may change it. So {@code 0600}, {@code 0400}, {@code 0640} and {@code 0440} (the usual {@code root:kerbgate}
 * service keytab) pass; a file readable or writable by every user ({@code o+r}, {@code o+w}) or writable by its group
 * ({@code g+w}) is refused. Whoever reads the keytab can impersonate any user to the gateway; whoever writes it can
 * plant a key of their own.
 *
 * <p>The permissions are those of the file a symlink resolves to (Kubernetes mounts secrets as symlinks into
 * {@code ..data}; its default {@code defaultMode} is 0644, which this refuses). A file system without POSIX
 * permissions passes.
 */
public final class SecretFiles {

    private SecretFiles() {}

    /**
     * Why {@code file}'s permissions expose it, in one line without its contents, e.g. {@code /etc/kerbgate/http.keytab
     * is mode 0644 (rw-r--r--): readable by every user}; {@code null} when they do not.
     *
     * @throws IOException when the permissions cannot be read
     */
    public static @Nullable String exposure(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return null;
        }
        Set<PosixFilePermission> p = view.readAttributes().permissions();
        String who;
        if (p.contains(PosixFilePermission.OTHERS_READ) && p.contains(PosixFilePermission.OTHERS_WRITE)) {
            who = "readable and writable by every user";
        } else if (p.contains(PosixFilePermission.OTHERS_READ)) {
            who = "readable by every user";
        } else if (p.contains(PosixFilePermission.OTHERS_WRITE)) {
            who = "writable by every user";
        } else if (p.contains(PosixFilePermission.GROUP_WRITE)) {
            who = "writable by its group";
        } else {
            return null;
        }
        return file + " is mode " + octal(p) + " (" + PosixFilePermissions.toString(p) + "): " + who;
    }

    /** How to fix an {@link #exposure}: the two modes that pass, with the commands. */
    public static String fix(Path file) {
        return "chmod 600 " + file + " (owned by the user that runs kerbgate), or chown root:kerbgate " + file
                + " && chmod 640 " + file;
    }

    /**
     * @throws IllegalArgumentException with {@link #exposure} and {@link #fix} in one line when others may read or
     *                                  change {@code file}
     * @throws IOException              when its permissions cannot be read
     */
    public static void requirePrivate(Path file) throws IOException {
        String exposure = exposure(file);
        if (exposure != null) {
            throw new IllegalArgumentException(exposure + "; " + fix(file));
        }
    }

    private static String octal(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", mode);
    }
}
