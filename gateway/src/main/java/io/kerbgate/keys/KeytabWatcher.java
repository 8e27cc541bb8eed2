package io.kerbgate.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollover listener: notices a changed keytab at once, parses it whole, and only then hands it to the
 * {@link KeyRing}. A keytab that cannot be read or parsed (missing, empty, truncated, half-written, corrupt) never
 * replaces good keys: it is logged at WARN and counted, and the current keys stay.
 *
 * <p>Two ways to notice a change, because neither is enough alone:
 * <ul>
 *   <li>a {@link WatchService} on the keytab's directory (and on the directory of the file it resolves to, when that
 *       differs). Any event there, including OVERFLOW, triggers a check, which catches in-place writes, a
 *       rename-replace and Kubernetes' swap of the {@code ..data} symlink at once;</li>
 *   <li>a poll every {@code pollInterval} (default 2 s) that hashes the file's contents (SHA-256), for file systems
 *       that send no events (NFS, some container mounts) and directories that were replaced under the watch.</li>
 * </ul>
 * A check rereads the file through the configured path, so symlinks are resolved afresh each time, and reloads only
 * when the contents' hash differs from the last one seen; the same bad file is therefore reported once, not at
 * every poll. Events are debounced: a burst within {@value #DEBOUNCE_MILLIS} ms causes one check.
 *
 * <p>A watcher may watch several keytabs whose entries together make the keys: a node with a state directory watches
 * the configured keytab (if any) and the state directory's {@link KeyStateStore#INSTALLED}. There, a file that does
 * not exist simply contributes no keys, and the node may start with none at all ({@link #awaitingKeys()}): it then
 * listens, answers 503, and becomes ready when the rollover tool installs keys.
 *
 * <p>A keytab that lacks the principals the node serves is an identity mismatch ({@link KeyRing}): refused like any
 * bad file, but logged at ERROR and counted apart ({@link #identityRefusals()}).
 *
 * <p>Everything after {@link #start()} runs on one daemon thread, {@code kerbgate-keytab-watcher}, which also retires
 * expired grace kvnos at each poll. Debounce and poll timing use {@link System#nanoTime()}, since they measure
 * intervals; reload times come from the ring's {@link java.time.Clock}.
 */
public final class KeytabWatcher implements AutoCloseable {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    static final long DEBOUNCE_MILLIS = 100;
    /** Far above any real keytab (about 100 bytes an entry); guards against a path that points at something huge. */
    static final int MAX_KEYTAB_BYTES = 4 << 20;

    private static final Logger log = LoggerFactory.getLogger(KeytabWatcher.class);
    private static final String THREAD_NAME = "kerbgate-keytab-watcher";

    private final List<Path> keytabs;
    private final boolean missingIsEmpty;
    private final KeyRing ring;
    private final long pollNanos;
    private final AtomicLong reloadsOk = new AtomicLong();
    private final AtomicLong reloadsFailed = new AtomicLong();
    private final AtomicLong identityRefusals = new AtomicLong();
    private volatile Instant lastReload;
    private volatile String lastError;
    private volatile boolean closed;

    // Confined to the watcher thread once it runs (start() sets them before starting it).
    private final Map<Path, WatchKey> watched = new HashMap<>();
    private WatchService watchService;
    private String lastFingerprint;
    private Thread thread;

    public KeytabWatcher(Path keytab, KeyRing ring) {
        this(keytab, ring, DEFAULT_POLL_INTERVAL);
    }

    /** @param pollInterval how often the file's hash is compared, for file systems that send no events */
    public KeytabWatcher(Path keytab, KeyRing ring, Duration pollInterval) {
        this(List.of(keytab), false, ring, pollInterval);
    }

    /**
     * @param keytabs        the keytabs whose entries together make the keys, in order
     * @param missingIsEmpty a keytab that does not exist contributes no keys (a node with a state directory),
     *                       instead of being an error; the node may then start without any key
     */
    public KeytabWatcher(List<Path> keytabs, boolean missingIsEmpty, KeyRing ring, Duration pollInterval) {
        if (keytabs.isEmpty()) {
            throw new IllegalArgumentException("no keytab to watch");
        }
        this.keytabs = keytabs.stream().map(Path::toAbsolutePath).toList();
        this.missingIsEmpty = missingIsEmpty;
        this.ring = ring;
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
        }
        this.pollNanos = pollInterval.toNanos();
    }

    /**
     * Loads the keytab into the ring and starts watching it.
     *
     * @throws KeytabException when the first load fails; the message names the file and what to fix
     */
    public synchronized void start() throws KeytabException {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        try {
            byte[][] files = read();
            lastFingerprint = sha256(files);
            load(files);
        } catch (KeytabException e) {
            reloadsFailed.incrementAndGet();
            if (e.isIdentityMismatch()) {
                identityRefusals.incrementAndGet();
            }
            lastError = e.getMessage();
            throw e;
        }
        if (ring.current().isEmpty()) {
            log.warn("no keys yet in {}: the node answers 503 until kerbgate keys init or add-node installs them",
                    keytabs);
        }
        try {
            watchService = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("cannot watch {} for changes ({}); relying on the poll every {} ms", keytabs, e.toString(),
                    TimeUnit.NANOSECONDS.toMillis(pollNanos));
        }
        watchDirectories();
        thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
    }

    /** Successful loads, the first one included. */
    public long reloadsOk() {
        return reloadsOk.get();
    }

    /** Loads refused (unreadable, unparseable or unusable keytab); each distinct bad file counts once. */
    public long reloadsFailed() {
        return reloadsFailed.get();
    }

    /** Refused loads whose keytab lacked the principals the node serves (a subset of {@link #reloadsFailed()}). */
    public long identityRefusals() {
        return identityRefusals.get();
    }

    /** True while the node has no key at all: none of its keytabs exists or lists one yet. */
    public boolean awaitingKeys() {
        return ring.current().isEmpty();
    }

    /** The keytabs watched. */
    public List<Path> keytabs() {
        return keytabs;
    }

    /** When the keys were last loaded successfully, or {@code null} before the first load. */
    public Instant lastReload() {
        return lastReload;
    }

    /** Why the most recent refused load was refused, or {@code null} if none has been. */
    public String lastError() {
        return lastError;
    }

    /** Stops the watcher thread and waits (briefly) for it to end. The keys stay as they are. */
    @Override
    public void close() {
        closed = true;
        Thread running;
        WatchService service;
        synchronized (this) {
            running = thread;
            service = watchService;
        }
        if (running == null) {
            return;
        }
        // Closing the watch service wakes a waiting poll without interrupting a read in progress, which would
        // otherwise be counted as a failed reload.
        if (service != null) {
            closeWatchService(service);
        } else {
            running.interrupt();
        }
        try {
            running.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long nextPoll = System.nanoTime() + pollNanos;
        long checkAt = Long.MAX_VALUE; // a pending, debounced check
        try {
            while (!closed) {
                long wait = Math.max(0, Math.min(nextPoll, checkAt) - System.nanoTime());
                if (awaitEvents(wait)) {
                    checkAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEBOUNCE_MILLIS);
                }
                long now = System.nanoTime();
                if (now - checkAt >= 0) {
                    checkAt = Long.MAX_VALUE;
                    check();
                }
                if (now - nextPoll >= 0) {
                    nextPoll = now + pollNanos;
                    tick();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            if (!closed) {
                log.error("keytab watcher for {} stopped unexpectedly; keytab changes will not be seen", keytabs, e);
            }
        } finally {
            if (watchService != null) {
                closeWatchService(watchService);
            }
        }
    }

    private void tick() {
        try {
            watchDirectories();
            check();
            ring.retireExpired();
        } catch (RuntimeException e) {
            // Never let the watcher thread die: the next tick must still run.
            log.error("keytab watcher tick failed for {}; retrying at the next poll", keytabs, e);
        }
    }

    /** Waits up to {@code nanos} for file events; true when some arrived (their kinds do not matter). */
    private boolean awaitEvents(long nanos) throws InterruptedException {
        if (watchService == null) {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return false;
        }
        WatchKey key = watchService.poll(nanos, TimeUnit.NANOSECONDS);
        boolean any = false;
        while (key != null) {
            any |= !key.pollEvents().isEmpty();
            key.reset(); // an invalid key (directory gone) is re-registered at the next poll
            key = watchService.poll();
        }
        return any;
    }

    /** Rereads the file and reloads when its contents changed; any failure keeps the current keys. */
    private void check() {
        try {
            byte[][] bytes;
            String fingerprint;
            try {
                bytes = read();
                fingerprint = sha256(bytes);
            } catch (KeytabException e) {
                fingerprint = "unreadable: " + e.getMessage();
                if (!fingerprint.equals(lastFingerprint)) {
                    lastFingerprint = fingerprint;
                    refused(e);
                }
                return;
            }
            if (fingerprint.equals(lastFingerprint)) {
                return;
            }
            lastFingerprint = fingerprint;
            load(bytes);
        } catch (KeytabException e) {
            refused(e);
        } catch (RuntimeException e) {
            // A bug rather than a bad file, but the outcome is the same: keep the keys, count it, keep watching.
            refused(new KeytabException("unexpected error while loading " + keytabs + ": " + e, e));
        }
    }

    /** Parses every file whole, then hands their entries together to the ring; {@code null} is a missing file. */
    private void load(byte[][] files) throws KeytabException {
        List<KeytabEntry> entries = new ArrayList<>();
        for (int i = 0; i < files.length; i++) {
            if (files[i] == null) {
                continue;
            }
            try {
                entries.addAll(KeytabFile.parse(files[i]));
            } catch (KeytabException e) {
                throw new KeytabException("keytab " + describePath(keytabs.get(i)) + " is not a valid keytab: "
                        + e.getMessage(), e);
            }
        }
        if (entries.isEmpty() && missingIsEmpty && ring.current().isEmpty()) {
            // No keys yet: nothing to load, nothing refused. The node waits for the rollover tool.
            lastError = null;
            return;
        }
        try {
            ring.update(entries);
        } catch (KeytabException e) {
            throw e.isIdentityMismatch()
                    ? KeytabException.identityMismatch("keytab " + describeAll() + ": " + e.getMessage())
                    : new KeytabException("keytab " + describeAll() + ": " + e.getMessage(), e);
        }
        lastReload = ring.clock().instant();
        lastError = null;
        reloadsOk.incrementAndGet();
    }

    private String describeAll() {
        return keytabs.size() == 1 ? describePath(keytabs.get(0))
                : String.join(" + ", keytabs.stream().map(this::describePath).toList());
    }

    private void refused(KeytabException e) {
        reloadsFailed.incrementAndGet();
        lastError = e.getMessage();
        if (e.isIdentityMismatch()) {
            identityRefusals.incrementAndGet();
            log.error("keytab REFUSED, it is not this node's identity; keeping the current keys {}: {}",
                    ring.current(), e.getMessage());
            return;
        }
        log.warn("keytab not reloaded, keeping the current keys {}: {}", ring.current(), e.getMessage());
    }

    /** Every keytab's bytes, in order; {@code null} for one that does not exist when that is allowed. */
    private byte[][] read() throws KeytabException {
        byte[][] files = new byte[keytabs.size()][];
        for (int i = 0; i < files.length; i++) {
            files[i] = read(keytabs.get(i));
        }
        return files;
    }

    private byte[] read(Path keytab) throws KeytabException {
        String fix = ": check the path and that the gateway's user (" + System.getProperty("user.name")
                + ") can read it";
        if (Files.isDirectory(keytab)) {
            throw new KeytabException("keytab " + keytab + " is a directory, not a keytab file" + fix);
        }
        // The mode is part of what a check compares: a chmod o+r alone is noticed at the next poll, logged and counted.
        String exposure;
        try {
            exposure = SecretFiles.exposure(keytab);
        } catch (IOException e) {
            exposure = null; // the read below reports a missing or unreadable file
        }
        if (exposure != null) {
            throw new KeytabException("keytab " + exposure + ", and whoever reads it can impersonate any user to this"
                    + " gateway: " + SecretFiles.fix(keytab));
        }
        try (InputStream in = Files.newInputStream(keytab)) {
            byte[] bytes = in.readNBytes(MAX_KEYTAB_BYTES + 1);
            if (bytes.length > MAX_KEYTAB_BYTES) {
                throw new KeytabException("keytab " + describePath(keytab) + " is larger than " + MAX_KEYTAB_BYTES
                        + " bytes, too large to be a keytab: check the path");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            if (missingIsEmpty) {
                return null;
            }
            throw new KeytabException("keytab " + describePath(keytab) + " does not exist" + fix, e);
        } catch (AccessDeniedException e) {
            throw new KeytabException("keytab " + describePath(keytab) + " is not readable (permission denied)" + fix,
                    e);
        } catch (IOException e) {
            throw new KeytabException("keytab " + describePath(keytab) + " cannot be read (" + e + ")" + fix, e);
        }
    }

    /** The configured path, and where it leads when that is elsewhere (a symlink, as in a Kubernetes secret). */
    private String describePath(Path keytab) {
        try {
            Path real = keytab.toRealPath();
            return real.equals(keytab) ? keytab.toString() : keytab + " (-> " + real + ")";
        } catch (IOException e) {
            return keytab.toString();
        }
    }

    /**
     * Watches the keytab's directory and, when the path is a symlink, the directory of its current target; keys of
     * directories no longer involved are cancelled.
     */
    private void watchDirectories() {
        if (watchService == null) {
            return;
        }
        Set<Path> wanted = new LinkedHashSet<>();
        for (Path keytab : keytabs) {
            wanted.add(keytab.getParent());
            try {
                wanted.add(keytab.toRealPath().getParent());
            } catch (IOException e) {
                // No target now: the configured directory is enough to see it come back.
            }
        }
        watched.entrySet().removeIf(entry -> {
            boolean drop = !wanted.contains(entry.getKey()) || !entry.getValue().isValid();
            if (drop) {
                entry.getValue().cancel();
            }
            return drop;
        });
        for (Path dir : wanted) {
            if (watched.containsKey(dir)) {
                continue;
            }
            try {
                watched.put(dir, dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
            } catch (IOException e) {
                log.debug("cannot watch {} ({}); the poll covers it", dir, e.toString());
            }
        }
    }

    private static void closeWatchService(WatchService service) {
        try {
            service.close();
        } catch (IOException e) {
            log.debug("closing the keytab watch service", e);
        }
    }

    private static String sha256(byte[][] files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] file : files) {
                // Length-prefixed, so that moving bytes from one file to the next changes the hash; -1 is absent.
                digest.update(Integer.toString(file == null ? -1 : file.length).getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) ':');
                if (file != null) {
                    digest.update(file);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
