package io.kerbgate.keys;

import io.kerbgate.crypto.Enctype;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Changes the keytab a gateway watches, for the admin API's {@code PUT /keys} and {@code DELETE /keys}: read the whole
 * file, change the entry list, write a whole new file atomically ({@link KeytabFile#writeAtomically}), keeping the
 * old file's permission bits. The {@link KeytabWatcher} then loads it like any other change, so the file stays the
 * single source of the keys and a restart keeps what was written. Edits are serialised by this object; the rollover
 * tool takes the array lock, so two tools never race on one node either.
 */
public final class KeytabEditor {

    private final Path keytab;
    private final Supplier<Set<String>> acceptorPrincipals;
    private final boolean createIfMissing;

    /** @param acceptorPrincipals the gateway's principals; empty means any principal may be added */
    public KeytabEditor(Path keytab, List<String> acceptorPrincipals) {
        this(keytab, () -> new LinkedHashSet<>(acceptorPrincipals), false);
    }

    /**
     * @param acceptorPrincipals asked at each edit: the principals the node serves now (configured or pinned); empty
     *                           means any principal may be added
     * @param createIfMissing    a keytab that does not exist yet is an empty one (a state directory's), rather than
     *                           an error
     */
    public KeytabEditor(Path keytab, Supplier<Set<String>> acceptorPrincipals, boolean createIfMissing) {
        this.keytab = Objects.requireNonNull(keytab, "keytab").toAbsolutePath();
        this.acceptorPrincipals = Objects.requireNonNull(acceptorPrincipals, "acceptorPrincipals");
        this.createIfMissing = createIfMissing;
    }

    public Path keytab() {
        return keytab;
    }

    /**
     * What an edit did, each item like {@code HTTP/a@R kvno 3 aes256-cts-hmac-sha1-96}.
     *
     * @param changed   entries added or replaced (same principal, kvno and enctype, another key)
     * @param unchanged entries that were there already with the same key
     */
    public record Added(List<String> changed, List<String> unchanged) {
        public Added {
            changed = List.copyOf(changed);
            unchanged = List.copyOf(unchanged);
        }
    }

    /**
     * Adds {@code entries} beside the file's own. An entry of the same principal, kvno and enctype with another key
     * replaces the old one (left by an abandoned rollover whose key the KDC never had). Writes only if something
     * changed, so the same body twice changes nothing.
     *
     * @throws IllegalArgumentException when an entry is for a principal this gateway does not accept
     * @throws KeytabException          when the node's own keytab cannot be read or parsed: it is left alone
     * @throws IOException              when the new file cannot be written
     */
    public synchronized Added add(List<KeytabEntry> entries) throws KeytabException, IOException {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("the keytab holds no entries");
        }
        Set<String> acceptorPrincipals = this.acceptorPrincipals.get();
        for (KeytabEntry e : entries) {
            if (!acceptorPrincipals.isEmpty() && !acceptorPrincipals.contains(e.principal())) {
                throw new IllegalArgumentException(e.principal() + " is not one of this gateway's principals "
                        + acceptorPrincipals);
            }
        }
        List<KeytabEntry> next = new ArrayList<>(read());
        List<String> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (KeytabEntry entry : entries) {
            KeytabEntry same = find(next, entry);
            if (same != null && Arrays.equals(same.keyBytes(), entry.keyBytes())) {
                unchanged.add(describe(entry));
                continue;
            }
            if (same != null) {
                next.remove(same);
            }
            next.add(entry);
            changed.add(describe(entry) + (same == null ? "" : " (replaced another key)"));
        }
        if (!changed.isEmpty()) {
            write(next);
        }
        return new Added(changed, unchanged);
    }

    /**
     * Removes {@code principal}'s kvnos below {@code belowKvno}. The gateway keeps accepting them for its grace
     * period, as after any change of the file.
     *
     * @return the kvnos removed; empty when there were none (nothing is written)
     * @throws IllegalStateException when that would leave the principal without any key
     * @throws KeytabException       when the node's own keytab cannot be read or parsed
     */
    public synchronized SortedSet<Integer> removeBelow(String principal, int belowKvno)
            throws KeytabException, IOException {
        List<KeytabEntry> kept = new ArrayList<>();
        SortedSet<Integer> removed = new TreeSet<>();
        boolean principalKept = false;
        for (KeytabEntry e : read()) {
            if (e.principal().equals(principal) && e.kvno() < belowKvno) {
                removed.add(e.kvno());
            } else {
                kept.add(e);
                principalKept |= e.principal().equals(principal);
            }
        }
        if (removed.isEmpty()) {
            return removed;
        }
        if (!principalKept) {
            throw new IllegalStateException("removing kvnos below " + belowKvno + " would leave " + principal
                    + " without a key (it has " + removed + ")");
        }
        write(kept);
        return removed;
    }

    private List<KeytabEntry> read() throws KeytabException, IOException {
        try {
            return KeytabFile.parse(Files.readAllBytes(keytab));
        } catch (NoSuchFileException e) {
            if (createIfMissing) {
                return List.of();
            }
            throw new KeytabException("the node's keytab " + keytab + " does not exist");
        } catch (KeytabException e) {
            throw new KeytabException("the node's keytab " + keytab + " is not a valid keytab (" + e.getMessage()
                    + "); fix it before adding keys", e);
        }
    }

    private void write(List<KeytabEntry> entries) throws IOException {
        Set<PosixFilePermission> before = null;
        try {
            before = Files.getPosixFilePermissions(keytab, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IOException e) {
            // Not POSIX, or no file: writeAtomically's 0600 is right.
        }
        KeytabFile.writeAtomically(keytab, entries);
        if (before != null) {
            Files.setPosixFilePermissions(keytab, before);
        }
    }

    private static @Nullable KeytabEntry find(List<KeytabEntry> entries, KeytabEntry like) {
        for (KeytabEntry e : entries) {
            if (e.principal().equals(like.principal()) && e.kvno() == like.kvno() && e.enctype() == like.enctype()) {
                return e;
            }
        }
        return null;
    }

    private static String describe(KeytabEntry e) {
        return e.principal() + " kvno " + e.kvno() + " " + Enctype.describe(e.enctype());
    }
}
