package io.kerbgate.diagnostics;

import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Loads a keytab the way the gateway does (the real parser and {@link KeyRing}), for one diagnostic run. */
public final class AcceptorKeys {

    private AcceptorKeys() {}

    /** The keytab's entries. @throws InspectionException naming the file and what is wrong with it */
    public static List<KeytabEntry> read(Path keytab) throws InspectionException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(keytab);
        } catch (NoSuchFileException e) {
            throw new InspectionException("keytab " + keytab + " does not exist");
        } catch (AccessDeniedException e) {
            throw new InspectionException("keytab " + keytab + " is not readable by this user");
        } catch (IOException e) {
            throw new InspectionException("keytab " + keytab + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return KeytabFile.parse(bytes);
        } catch (KeytabException e) {
            throw new InspectionException("keytab " + keytab + ": " + e.getMessage(), e);
        }
    }

    /**
     * The key set the gateway would build from these entries at start.
     *
     * @param principals the configured acceptor principals; empty for every principal in the keytab
     */
    public static KeySet keySet(List<KeytabEntry> entries, List<String> principals, Clock clock)
            throws InspectionException {
        KeyRing ring = new KeyRing(principals, Duration.ZERO, clock);
        try {
            ring.update(entries);
        } catch (KeytabException e) {
            throw new InspectionException(e.getMessage(), e);
        }
        return ring.current();
    }
}
