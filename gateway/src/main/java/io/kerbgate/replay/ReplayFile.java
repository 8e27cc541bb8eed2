package io.kerbgate.replay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay cache on disk ({@code acceptor.replay_cache_file}), so that a restarted node still refuses what its
 * previous run accepted, without the restart guard's outage (issue #11 item 8). The design of MIT's file replay
 * cache: append-only fixed-size records of (expiry, MAC tag), each with a CRC, read back at start.
 *
 * <p><b>Format.</b> A 48-byte header ({@code KGRC}, version 1, the boot id of the host that wrote it), then records of
 * 38 bytes: type (1 = entry, 2 = clean close), expiry in epoch milliseconds, tag length, tag (zero-padded to 24 bytes),
 * CRC-32 of the 34 bytes before it. A torn last record (a crash mid-write) is shorter than 38 bytes and ignored; a
 * record whose CRC fails ends the reading of its segment.
 *
 * <p><b>Bounded.</b> Two segments, {@code file} and {@code file.prev}. Once the current segment is older than the
 * entries' life (2 × skew) it becomes {@code .prev}, replacing the one before, every record of which has expired by
 * then. So the files hold at most two lives' worth of records, at most about 2 × 38 bytes × the cache's bound. At start
 * both are read, the live entries are written to a fresh segment (compaction) and the rest is dropped.
 *
 * <p><b>Durability.</b> Each record is written with one {@code write} before the authenticator is accepted, so a
 * crashed or killed process loses nothing (the kernel has it). {@code fsync} runs in batches, every
 * {@link #SYNC_INTERVAL}, on a thread of its own; only a host crash can lose the last batch. That case is recognised at
 * the next start, the previous run having left neither a clean-close record nor the same boot id, and the restart
 * guard then applies as if there were no file.
 */
public final class ReplayFile implements Journal {
    /** How often written records are forced to disk. */
    public static final Duration SYNC_INTERVAL = Duration.ofMillis(100);

    static final int HEADER_BYTES = 48;
    static final int RECORD_BYTES = 38;
    static final int MAX_TAG = 24;
    private static final byte[] MAGIC = "KGRC".getBytes(StandardCharsets.US_ASCII);
    private static final byte VERSION = 1;
    private static final byte ENTRY = 1;
    private static final byte CLEAN_CLOSE = 2;
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final Logger log = LoggerFactory.getLogger(ReplayFile.class);

    private final Path file;
    private final Path prev;
    private final Clock clock;
    private final Duration rotateAfter;
    private final String bootId;
    private final List<Restored> restored;
    private final boolean previousRunMayBeLost;
    private final Object lock = new Object();
    private final Thread syncer;
    private final boolean syncEachRecord;
    /** Held for the file's whole use: two processes appending to one file would interleave and lose records. */
    private final FileLock ownership;
    private FileChannel channel;
    private Instant segmentStart;
    private volatile boolean dirty;
    private volatile boolean closed;

    private ReplayFile(Path file, FileLock ownership, Clock clock, Duration rotateAfter, String bootId,
            List<Restored> restored, boolean previousRunMayBeLost, Duration syncInterval) throws IOException {
        this.file = file;
        this.ownership = ownership;
        this.prev = sibling(file, ".prev");
        this.clock = clock;
        this.rotateAfter = rotateAfter;
        this.bootId = bootId;
        this.restored = List.copyOf(restored);
        this.previousRunMayBeLost = previousRunMayBeLost;
        this.syncEachRecord = syncInterval.isZero();
        compact();
        this.syncer = new Thread(() -> syncLoop(syncInterval), "kerbgate-replay-fsync");
        syncer.setDaemon(true);
        syncer.start();
    }

    /**
     * Reads what the previous run left at {@code file} (and {@code file.prev}), keeps the live entries, and starts a
     * fresh segment holding them.
     *
     * @param entryLife how long entries live (2 × skew); a segment is rotated after that long
     * @throws IOException when the directory cannot be written, or another process uses the file
     */
    public static ReplayFile open(Path file, Clock clock, Duration entryLife) throws IOException {
        return open(file, clock, entryLife, SYNC_INTERVAL);
    }

    /** {@link #open(Path, Clock, Duration)} with another fsync interval ({@link Duration#ZERO}: after every record). */
    public static ReplayFile open(Path file, Clock clock, Duration entryLife, Duration syncInterval)
            throws IOException {
        FileLock ownership = lock(file);
        try {
            return open(file, ownership, clock, entryLife, syncInterval);
        } catch (IOException | RuntimeException e) {
            ownership.channel().close();
            throw e;
        }
    }

    private static ReplayFile open(Path file, FileLock ownership, Clock clock, Duration entryLife,
            Duration syncInterval) throws IOException {
        String bootId = bootId();
        Instant now = clock.instant();
        List<Restored> live = new ArrayList<>();
        Path prev = sibling(file, ".prev");
        Segment older = Segment.read(prev, now, live);
        Segment current = Segment.read(file, now, live);
        boolean mayBeLost;
        if (current == null && older == null) {
            log.info("replay file {} does not exist: first start with it (created now)", file);
            mayBeLost = false;
        } else {
            Segment last = current != null ? current : older;
            // A process that crashed lost nothing (the kernel had each record); a host that crashed may have lost
            // the last unsynced batch, and then a previous run's acceptances can be missing here.
            mayBeLost = !last.cleanClose && !bootId.equals(last.bootId);
            if (last.damaged) {
                log.warn("replay file {}: a damaged record ends what could be read; the restart guard applies", file);
                mayBeLost = true;
            }
        }
        log.info("replay file {}: {} live entries restored{}", file, live.size(),
                mayBeLost ? "; the previous run ended with the host (unclean, other boot): restart guard on" : "");
        return new ReplayFile(file, ownership, clock, entryLife, bootId, live, mayBeLost, syncInterval);
    }

    /** Takes {@code file.lock}; the kernel drops it with the process, so a crash leaves nothing to clean up. */
    private static FileLock lock(Path file) throws IOException {
        Path lockFile = sibling(file, ".lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            channel.close();
            throw new IOException("replay file " + file + " is in use by another kerbgate process (it holds "
                    + lockFile + "); give each node and each process a replay file of its own");
        }
        return held;
    }

    @Override
    public List<Restored> restored() {
        return restored;
    }

    /** True when what the previous run accepted may be missing here: then the restart guard must apply. */
    public boolean previousRunMayBeLost() {
        return previousRunMayBeLost;
    }

    @Override
    public void record(ReplayKey key, Duration ttl) throws IOException {
        ByteBuffer record = record(ENTRY, clock.instant().plus(ttl).toEpochMilli(), key.tag());
        synchronized (lock) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (Duration.between(segmentStart, clock.instant()).compareTo(rotateAfter) >= 0) {
                rotate();
            }
            while (record.hasRemaining()) {
                channel.write(record);
            }
        }
        dirty = true;
        if (syncEachRecord) {
            sync();
        }
    }

    /** Writes the live entries into a new segment and makes it the current one; drops {@code .prev}. */
    private void compact() throws IOException {
        Path tmp = sibling(file, ".tmp");
        Instant now = clock.instant();
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(header());
            for (Restored r : restored) {
                ByteBuffer b = record(ENTRY, now.plus(r.remaining()).toEpochMilli(), r.key().tag());
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            out.force(true);
        }
        move(tmp, file);
        Files.deleteIfExists(prev);
        syncDirectory();
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        segmentStart = now;
    }

    /** The current segment becomes {@code .prev} (every record of the old {@code .prev} has expired by now). */
    private void rotate() throws IOException {
        channel.force(false);
        channel.close();
        move(file, prev);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(header());
            out.force(true);
        }
        syncDirectory();
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        segmentStart = clock.instant();
    }

    private void syncLoop(Duration interval) {
        while (!closed) {
            try {
                Thread.sleep(interval.isZero() ? 1000 : interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            sync();
        }
    }

    private void sync() {
        if (!dirty) {
            return;
        }
        dirty = false;
        FileChannel c;
        synchronized (lock) {
            c = channel;
        }
        try {
            c.force(false);
        } catch (ClosedChannelException e) {
            // rotated or closed meanwhile: both force before closing
        } catch (IOException e) {
            dirty = true;
            log.warn("replay file {}: fsync failed ({}); a host crash now could lose recent entries", file,
                    e.getMessage());
        }
    }

    /** Writes the clean-close record: the next start knows nothing was lost. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.write(record(CLEAN_CLOSE, 0, new byte[0]));
                channel.force(true);
                channel.close();
            } catch (IOException e) {
                log.warn("replay file {}: clean close failed ({}); the next start applies the restart guard "
                        + "if the host also restarted", file, e.getMessage());
            }
            try {
                ownership.channel().close();
            } catch (IOException e) {
                log.debug("replay file {}: closing the lock: {}", file, e.getMessage());
            }
        }
        syncer.interrupt();
    }

    /** Ends this run as a SIGKILL would: no clean-close record; the lock goes as the kernel would drop it. */
    void killForTest() throws IOException {
        synchronized (lock) {
            closed = true;
            channel.close();
            ownership.channel().close();
        }
        syncer.interrupt();
    }

    private ByteBuffer header() {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        byte[] boot = bootId.getBytes(StandardCharsets.US_ASCII);
        h.put(MAGIC).put(VERSION).put((byte) boot.length).put(boot, 0, Math.min(boot.length, 42));
        return h.clear();
    }

    static ByteBuffer record(byte type, long expiryMillis, byte[] tag) {
        if (tag.length > MAX_TAG) {
            throw new IllegalArgumentException("tag of " + tag.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(RECORD_BYTES);
        b.put(type).putLong(expiryMillis).put((byte) tag.length).put(tag);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, RECORD_BYTES - 4);
        b.putInt(RECORD_BYTES - 4, (int) crc.getValue());
        return b.clear();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically: " + e.getMessage(), e);
        }
    }

    private void syncDirectory() {
        // Makes the renames durable; some file systems refuse to open a directory, which costs only that.
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            log.debug("cannot fsync the directory of {}: {}", file, e.getMessage());
        }
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static String bootId() {
        try {
            return Files.readString(BOOT_ID).strip();
        } catch (IOException | RuntimeException e) {
            // Unknown: a new id each run, so an unclean end always counts as a possible host crash.
            return "unknown-" + UUID.randomUUID();
        }
    }

    /** What one segment file held. */
    private record Segment(String bootId, boolean cleanClose, boolean damaged) {

        /** Adds the live entries to {@code live}; null when the file does not exist. */
        static @Nullable Segment read(Path path, Instant now, List<Restored> live) throws IOException {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (NoSuchFileException e) {
                return null;
            }
            if (bytes.length < HEADER_BYTES || !Arrays.equals(bytes, 0, 4, MAGIC, 0, 4) || bytes[4] != VERSION) {
                log.warn("replay file {} has no valid header: ignored", path);
                return new Segment("", false, true);
            }
            int bootLength = Math.min(bytes[5], 42);
            String boot = new String(bytes, 6, bootLength, StandardCharsets.US_ASCII);
            boolean clean = false;
            boolean damaged = false;
            long nowMillis = now.toEpochMilli();
            ByteBuffer in = ByteBuffer.wrap(bytes);
            CRC32 crc = new CRC32();
            for (int at = HEADER_BYTES; at + RECORD_BYTES <= bytes.length; at += RECORD_BYTES) {
                crc.reset();
                crc.update(bytes, at, RECORD_BYTES - 4);
                int length = bytes[at + 9];
                if ((int) crc.getValue() != in.getInt(at + RECORD_BYTES - 4) || length < 0 || length > MAX_TAG) {
                    damaged = true;
                    break;
                }
                clean = bytes[at] == CLEAN_CLOSE;
                long expiry = in.getLong(at + 1);
                if (bytes[at] == ENTRY && expiry > nowMillis) {
                    live.add(new Restored(new ReplayKey(Arrays.copyOfRange(bytes, at + 10, at + 10 + length)),
                            Duration.ofMillis(expiry - nowMillis)));
                }
            }
            // A torn last record (fewer than RECORD_BYTES at the end) is a write the crash cut short: ignored.
            return new Segment(boot, clean, damaged);
        }
    }
}
