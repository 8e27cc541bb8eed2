package io.kerbgate.rollover;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The key being rolled, kept beside the array file ({@code <array>.pending.keytab}, mode 0600) from generate until
 * it is committed and checked, so that a rerun distributes the same key to the nodes the interrupted run did not
 * reach and commits that key, not another.
 *
 * <p><b>A secret at rest.</b> It holds the array principal's next keys, which let whoever reads them impersonate the
 * array once committed; protect the array file's directory as the KDC's admin keytab is protected. When the KDC takes
 * the key only as a password ({@link KdcAdapter#needsPassword()}: MIT {@code cpw -pw}, AD), the password is kept too,
 * as the key of the pseudo-principal {@code kerbgate/rollover-password@REALM} with enctype 0: without it an
 * interrupted run could not commit the keys the nodes already hold. It grants nothing the keys do not already
 * grant (both obtain tickets as the array). The file is deleted when the run is done.
 */
final class PendingKeytab {

    static final String PASSWORD_PRINCIPAL = "kerbgate/rollover-password@";
    private static final int PASSWORD_ENCTYPE = 0;

    private final Path file;

    PendingKeytab(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    void write(String principal, NewKey key, boolean withPassword, long timestamp) throws IOException {
        List<KeytabEntry> entries = new ArrayList<>(key.entries(principal, timestamp));
        if (withPassword) {
            byte[] password = new String(key.password()).getBytes(StandardCharsets.UTF_8);
            entries.add(new KeytabEntry(PASSWORD_PRINCIPAL + realm(principal), NewKey.NAME_TYPE, timestamp,
                    key.kvno(), PASSWORD_ENCTYPE, password));
            Arrays.fill(password, (byte) 0);
        }
        KeytabFile.writeAtomically(file, entries);
    }

    /** The pending key of {@code kvno}, or empty when there is no pending keytab. */
    Optional<NewKey> read(String principal, int kvno) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        List<KeytabEntry> entries;
        try {
            entries = KeytabFile.parse(bytes);
        } catch (KeytabException e) {
            throw new IOException(file + " is damaged: " + e.getMessage(), e);
        }
        List<KerberosKey> keys = new ArrayList<>();
        char[] password = null;
        for (KeytabEntry e : entries) {
            if (e.kvno() != kvno) {
                continue;
            }
            if (e.principal().equals(principal) && Enctype.fromId(e.enctype()) != null) {
                keys.add(new KerberosKey(Enctype.fromId(e.enctype()), e.key()));
            } else if (e.principal().startsWith(PASSWORD_PRINCIPAL) && e.enctype() == PASSWORD_ENCTYPE) {
                password = new String(e.key(), StandardCharsets.UTF_8).toCharArray();
            }
        }
        if (keys.isEmpty()) {
            throw new IOException(file + " holds no key of " + principal + " kvno " + kvno);
        }
        return Optional.of(new NewKey(kvno, keys, password));
    }

    void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    private static String realm(String principal) {
        return principal.substring(principal.lastIndexOf('@') + 1);
    }
}
