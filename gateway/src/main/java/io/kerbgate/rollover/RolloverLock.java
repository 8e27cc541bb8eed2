package io.kerbgate.rollover;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One {@code kerbgate keys} run per array at a time: an exclusive lock on {@code <array>.lock}. The operating
 * system drops the lock when the process dies, however it dies, so a killed run never leaves a stale lock; the
 * file's contents (pid and start time of the holder) only make the refusal message useful.
 */
final class RolloverLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private RolloverLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws LockedException when another run holds the lock, naming it */
    static RolloverLock acquire(Path file, Instant now) throws IOException, LockedException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process: another run inside the same JVM
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new LockedException("another kerbgate keys run holds " + file
                    + (holder.isEmpty() ? "" : " (" + holder + ")") + "; wait for it to finish, then run again");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " since " + now + "\n")
                .getBytes(StandardCharsets.UTF_8)), 0);
        return new RolloverLock(channel, lock);
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(200);
            channel.read(buffer, 0);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** Another run holds the lock. */
    static final class LockedException extends Exception {
        LockedException(String message) {
            super(message);
        }
    }
}
