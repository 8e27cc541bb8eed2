package io.kerbgate.rollover.node;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.rollover.HeldKeys;
import io.kerbgate.rollover.NodeException;
import io.kerbgate.rollover.NodeTarget;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A node whose gateway watches a keytab this tool can write: a local path, or a mount of the node's disk. Every
 * change is a whole new file written atomically ({@link KeytabFile#writeAtomically}), so the node's watcher sees the
 * old keytab or the new one, never half of it. A node that also has an admin API is verified through it as well:
 * the file being right is not the same as the gateway having loaded it.
 */
final class KeytabFileNode implements NodeTarget {

    private final String name;
    private final Path keytab;
    private final @Nullable AdminApiNode admin;
    private final @Nullable URI front;

    KeytabFileNode(String name, Path keytab, @Nullable AdminApiNode admin, @Nullable URI front) {
        this.name = name;
        this.keytab = keytab;
        this.admin = admin;
        this.front = front;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<GatewayState> gateway(String principal) {
        return admin == null ? Optional.empty() : admin.gateway(principal);
    }

    @Override
    public HeldKeys held(String principal) throws NodeException {
        Map<Integer, Set<Integer>> byKvno = new TreeMap<>();
        for (KeytabEntry e : read(false)) {
            if (e.principal().equals(principal)) {
                byKvno.computeIfAbsent(e.kvno(), k -> new TreeSet<>()).add(e.enctype());
            }
        }
        return HeldKeys.of(byKvno);
    }

    @Override
    public void install(List<KeytabEntry> entries) throws NodeException {
        List<KeytabEntry> current = read(false);
        List<KeytabEntry> next = new ArrayList<>(current);
        boolean changed = false;
        for (KeytabEntry entry : entries) {
            KeytabEntry same = find(next, entry);
            if (same != null && Arrays.equals(same.key(), entry.key())) {
                continue;
            }
            // Same kvno, other key: left by an abandoned run whose key the KDC never had; ours replaces it.
            if (same != null) {
                next.remove(same);
            }
            next.add(entry);
            changed = true;
        }
        if (changed) {
            write(next);
        }
    }

    @Override
    public void verify(List<KeytabEntry> expected) throws NodeException {
        List<KeytabEntry> onDisk = read(true);
        for (KeytabEntry entry : expected) {
            KeytabEntry found = find(onDisk, entry);
            if (found == null) {
                throw new NodeException(name, keytab + " lacks kvno " + entry.kvno() + " "
                        + Enctype.describe(entry.enctype()));
            }
            if (!Arrays.equals(found.key(), entry.key())) {
                throw new NodeException(name, keytab + " holds another key under kvno " + entry.kvno() + " "
                        + Enctype.describe(entry.enctype()));
            }
        }
        if (admin != null) {
            admin.verify(expected);
        }
    }

    @Override
    public List<Integer> retireBelow(String principal, int keepFrom) throws NodeException {
        List<KeytabEntry> current = read(true);
        List<KeytabEntry> kept = new ArrayList<>();
        Set<Integer> removed = new TreeSet<>();
        for (KeytabEntry e : current) {
            if (e.principal().equals(principal) && e.kvno() < keepFrom) {
                removed.add(e.kvno());
            } else {
                kept.add(e);
            }
        }
        if (!removed.isEmpty()) {
            write(kept);
        }
        return List.copyOf(removed);
    }

    @Override
    public Optional<List<KeytabEntry>> entries() throws NodeException {
        return Optional.of(read(true));
    }

    @Override
    public Optional<URI> front() {
        return Optional.ofNullable(front);
    }

    private static @Nullable KeytabEntry find(List<KeytabEntry> entries, KeytabEntry like) {
        for (KeytabEntry e : entries) {
            if (e.principal().equals(like.principal()) && e.kvno() == like.kvno() && e.enctype() == like.enctype()) {
                return e;
            }
        }
        return null;
    }

    /**
     * @param mustExist false where a node without a keytab yet simply holds nothing (its first key, status): a
     *                  missing file is then an empty keytab; a missing directory never is (an unmounted disk)
     */
    private List<KeytabEntry> read(boolean mustExist) throws NodeException {
        try {
            return KeytabFile.parse(Files.readAllBytes(keytab));
        } catch (NoSuchFileException e) {
            if (!mustExist && Files.isDirectory(keytab.toAbsolutePath().getParent())) {
                return List.of();
            }
            throw new NodeException(name, (Files.isDirectory(keytab.toAbsolutePath().getParent())
                    ? keytab + " does not exist" : "directory " + keytab.toAbsolutePath().getParent()
                    + " does not exist (is the node's disk mounted?)"), e);
        } catch (KeytabException e) {
            throw new NodeException(name, keytab + " is not a valid keytab: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new NodeException(name, "cannot read " + keytab + ": " + e, e);
        }
    }

    private void write(List<KeytabEntry> entries) throws NodeException {
        PosixFileAttributes before = attributes();
        try {
            KeytabFile.writeAtomically(keytab, entries);
            keepOwnership(before);
        } catch (IOException e) {
            throw new NodeException(name, "cannot write " + keytab + ": " + e, e);
        }
    }

    private @Nullable PosixFileAttributes attributes() {
        try {
            return Files.readAttributes(keytab, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    // writeAtomically leaves a 0600 file owned by us. The gateway may run as another user, so the replaced file's
    // owner, group and mode carry over; if the watcher polls between the rename and this, it finds the file
    // unreadable, keeps its keys and reads the file again at its next poll.
    private void keepOwnership(@Nullable PosixFileAttributes before) throws IOException {
        if (before == null || !before.isRegularFile()) {
            return;
        }
        Files.setPosixFilePermissions(keytab, before.permissions());
        PosixFileAttributes after = Files.readAttributes(keytab, PosixFileAttributes.class);
        if (!after.owner().equals(before.owner()) || !after.group().equals(before.group())) {
            var view = Files.getFileAttributeView(keytab, PosixFileAttributeView.class);
            view.setOwner(before.owner());
            view.setGroup(before.group());
        }
    }
}
