package io.kerbgate.keys;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's key state directory ({@code keys.state_dir}, e.g. {@code /var/lib/kerbgate/keys}, systemd's
 * {@code StateDirectory=}): the node's own, written by no one else, so the gateway runs with {@code /etc} read-only.
 *
 * <table>
 *   <caption>Files, each replaced atomically (temp file, fsync, rename, fsync of the directory), mode 0600</caption>
 *   <tr><td>{@value #INSTALLED}</td><td>the keys the rollover tool installed ({@code PUT /keys}); watched like the
 *       configured keytab</td></tr>
 *   <tr><td>{@value #ACCEPTED_KEYTAB}</td><td>the key bytes of every version the node accepts, those in grace
 *       included (they may be in no other file any more)</td></tr>
 *   <tr><td>{@value #ACCEPTED_JSON}</td><td>what it accepts and until when, the pinned principals and the retired
 *       kvnos: {@code {"format": 1, "pinned_principals": [...], "retired_below": {"P": 3}, "versions":
 *       [{"principal": "P", "kvno": 4, "first_seen": "...", "last_seen": "...", "retires_at": null}]}}</td></tr>
 * </table>
 * The JSON is written after the keytab it describes, so a crash between the two leaves a JSON that names only keys
 * the keytab has (or fewer); a version the JSON names without keys is skipped with a warning.
 */
public final class KeyStateStore {

    public static final String INSTALLED = "keys.keytab";
    static final String ACCEPTED_KEYTAB = "accepted.keytab";
    static final String ACCEPTED_JSON = "accepted.json";

    private static final Logger log = LoggerFactory.getLogger(KeyStateStore.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;

    private KeyStateStore(Path dir) {
        this.dir = dir;
    }

    /** Opens {@code dir}, creating it (0700) when absent. @throws IOException when it cannot be created */
    public static KeyStateStore open(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (!Files.isDirectory(absolute)) {
            try {
                Files.createDirectories(absolute, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(absolute);
            }
        }
        return new KeyStateStore(absolute);
    }

    public Path dir() {
        return dir;
    }

    /** The keytab {@code PUT /keys} writes. */
    public Path installedKeytab() {
        return dir.resolve(INSTALLED);
    }

    record Saved(@JsonProperty("format") int format,
            @JsonProperty("pinned_principals") List<String> pinnedPrincipals,
            @JsonProperty("retired_below") Map<String, Integer> retiredBelow,
            @JsonProperty("versions") List<SavedVersion> versions) {}

    record SavedVersion(@JsonProperty("principal") String principal, @JsonProperty("kvno") int kvno,
            @JsonProperty("first_seen") String firstSeen, @JsonProperty("last_seen") String lastSeen,
            @JsonProperty("retires_at") @Nullable String retiresAt) {}

    /** Writes the ring's state: keys first, then the JSON that describes them. */
    public synchronized void save(KeyRing.State state) throws IOException {
        List<KeytabEntry> entries = new ArrayList<>();
        List<SavedVersion> versions = new ArrayList<>();
        for (KeyVersion v : state.keys().allVersions()) {
            for (int enctype : v.enctypeArray()) {
                entries.add(new KeytabEntry(v.principal(), 1, v.firstSeen().getEpochSecond() & 0xFFFF_FFFFL,
                        v.kvno(), enctype, v.key(enctype)));
            }
            versions.add(new SavedVersion(v.principal(), v.kvno(), v.firstSeen().toString(), v.lastSeen().toString(),
                    v.retiresAt().map(Instant::toString).orElse(null)));
        }
        KeytabFile.writeAtomically(dir.resolve(ACCEPTED_KEYTAB), entries);
        Saved saved = new Saved(1, List.copyOf(new TreeSet<>(state.pinnedPrincipals())),
                new TreeMap<>(state.retiredBelow()), versions);
        KeytabFile.writeAtomically(dir.resolve(ACCEPTED_JSON), JSON.writeValueAsBytes(saved));
    }

    /**
     * What a previous run saved, or empty when nothing was (a new node).
     *
     * @throws IOException when the files exist but cannot be read or parsed: the node must not start as if new,
     *                     forgetting its pin and retired kvnos
     */
    public Optional<KeyRing.State> load() throws IOException {
        Saved saved;
        try {
            saved = JSON.readValue(Files.readAllBytes(dir.resolve(ACCEPTED_JSON)), Saved.class);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IOException(dir.resolve(ACCEPTED_JSON) + " cannot be read: " + e.getMessage()
                    + "; fix or remove it (removing it forgets the pinned principals and retired kvnos)", e);
        }
        if (saved.format() != 1) {
            throw new IOException(dir.resolve(ACCEPTED_JSON) + " has format " + saved.format() + ", not 1");
        }
        List<KeytabEntry> entries;
        try {
            entries = KeytabFile.parse(Files.readAllBytes(dir.resolve(ACCEPTED_KEYTAB)));
        } catch (NoSuchFileException e) {
            entries = List.of();
        } catch (KeytabException e) {
            throw new IOException(dir.resolve(ACCEPTED_KEYTAB) + " is not a valid keytab: " + e.getMessage(), e);
        }
        Map<String, SortedMap<Integer, byte[]>> keys = new HashMap<>();
        for (KeytabEntry e : entries) {
            keys.computeIfAbsent(e.principal() + "#" + e.kvno(), k -> new TreeMap<>()).put(e.enctype(), e.key());
        }
        List<KeyVersion> versions = new ArrayList<>();
        for (SavedVersion v : saved.versions() == null ? List.<SavedVersion>of() : saved.versions()) {
            SortedMap<Integer, byte[]> byEnctype = keys.get(v.principal() + "#" + v.kvno());
            if (byEnctype == null) {
                log.warn("{} names {} kvno {} but {} has no key for it; skipped", ACCEPTED_JSON, v.principal(),
                        v.kvno(), ACCEPTED_KEYTAB);
                continue;
            }
            versions.add(new KeyVersion(v.principal(), v.kvno(), byEnctype, Instant.parse(v.firstSeen()),
                    Instant.parse(v.lastSeen()), v.retiresAt() == null ? null : Instant.parse(v.retiresAt())));
        }
        return Optional.of(new KeyRing.State(
                new TreeSet<>(saved.pinnedPrincipals() == null ? List.of() : saved.pinnedPrincipals()),
                saved.retiredBelow() == null ? Map.of() : saved.retiredBelow(), new KeySet(versions)));
    }
}
