package io.kerbgate.rollover;

import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The keys the array may still need, kept beside the array file ({@code <array>.keys.keytab}, mode 0600, replaced
 * atomically as the pending keytab is): every committed kvno, appended by {@code keys init} and {@code keys roll}
 * once the KDC issues it, until {@code keys retire} finds its grace over. {@code keys add-node} sends a node joining
 * an array reached only by admin URLs the current key and the older kvnos still in grace from here: the KDC keeps
 * only its current kvno, and an admin API never gives keys out.
 *
 * <p>Each entry's keytab timestamp is the moment its kvno was committed (whole seconds), so the file alone says when
 * each kvno's grace ends: the commit of the next kvno plus the array file's {@code grace}. The newest kvno has no
 * end.
 *
 * <p><b>A secret at rest</b>, like the pending keytab: the array principal's keys, current one included. Protect the
 * array file's directory as the KDC's admin keytab is protected.
 */
final class KeyArchive {

    private final Path file;

    KeyArchive(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Every entry, or none when there is no archive yet. */
    List<KeytabEntry> entries() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        try {
            return KeytabFile.parse(bytes);
        } catch (KeytabException e) {
            throw new IOException(file + " is damaged: " + e.getMessage(), e);
        }
    }

    /**
     * Records {@code entries} (one kvno, the principal's and its aliases') as committed at {@code committedAt},
     * replacing what the archive held under that kvno: a rerun that finds the commit done writes it again, the same.
     */
    void add(List<KeytabEntry> entries, Instant committedAt) throws IOException {
        List<Integer> kvnos = entries.stream().map(KeytabEntry::kvno).distinct().toList();
        List<KeytabEntry> next = new ArrayList<>();
        for (KeytabEntry e : entries()) {
            if (!kvnos.contains(e.kvno())) {
                next.add(e);
            }
        }
        for (KeytabEntry e : entries) {
            next.add(new KeytabEntry(e.principal(), e.nameType(), committedAt.getEpochSecond(), e.kvno(),
                    e.enctype(), e.key()));
        }
        KeytabFile.writeAtomically(file, next);
    }

    /** Per kvno of {@code principal}, when it was committed. */
    SortedMap<Integer, Instant> committed(String principal) throws IOException {
        return committed(entries(), principal);
    }

    /** The kvno of {@code principal} the archive holds last, if any. */
    Optional<Integer> newest(String principal) throws IOException {
        SortedMap<Integer, Instant> committed = committed(principal);
        return committed.isEmpty() ? Optional.empty() : Optional.of(committed.lastKey());
    }

    /**
     * The entries of the kvnos still needed at {@code now}: the newest, and each older one whose grace (the commit of
     * the next kvno plus {@code grace}) has not ended.
     */
    List<KeytabEntry> inGrace(String principal, Instant now, Duration grace) throws IOException {
        List<KeytabEntry> all = entries();
        List<Integer> keep = live(committed(all, principal), now, grace);
        return all.stream().filter(e -> keep.contains(e.kvno())).toList();
    }

    /** Removes the kvnos whose grace has ended at {@code now}. @return the kvnos removed */
    List<Integer> prune(String principal, Instant now, Duration grace) throws IOException {
        List<KeytabEntry> all = entries();
        SortedMap<Integer, Instant> committed = committed(all, principal);
        List<Integer> keep = live(committed, now, grace);
        List<Integer> removed = committed.keySet().stream().filter(k -> !keep.contains(k)).toList();
        if (!removed.isEmpty()) {
            KeytabFile.writeAtomically(file, all.stream().filter(e -> !removed.contains(e.kvno())).toList());
        }
        return removed;
    }

    private static List<Integer> live(SortedMap<Integer, Instant> committed, Instant now, Duration grace) {
        List<Integer> keep = new ArrayList<>();
        Instant nextCommit = null;
        for (Integer kvno : committed.keySet().stream().sorted((a, b) -> b - a).toList()) {
            if (nextCommit == null || now.isBefore(nextCommit.plus(grace))) {
                keep.add(kvno);
            }
            nextCommit = committed.get(kvno);
        }
        return keep;
    }

    private static SortedMap<Integer, Instant> committed(List<KeytabEntry> entries, String principal) {
        TreeMap<Integer, Instant> out = new TreeMap<>();
        for (KeytabEntry e : entries) {
            if (e.principal().equals(principal)) {
                out.merge(e.kvno(), Instant.ofEpochSecond(e.timestamp()), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        return out;
    }
}
