package io.kerbgate.sessions;

import io.kerbgate.keys.CookieKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session cookie's key file, kept current: read once at construction (a bad file fails the start), then a thread
 * of its own, {@code kerbgate-cookie-keys}, compares the file's content hash (SHA-256, so an atomic rename and a copy
 * in place both count) every poll interval. A changed file that reads and parses replaces the keys; one that does not
 * (missing, half-written, no key, readable by others) is logged at WARN and counted, and the old keys stay. The same bad
 * content is reported once, not at every poll.
 *
 * <p>Meter: {@value #RELOADS} with {@code result} success or rejected.
 */
public final class CookieKeyFile implements Supplier<CookieKeys>, AutoCloseable {

    public static final String RELOADS = "kerbgate.sessions.cookie.key.reloads";

    private static final Logger log = LoggerFactory.getLogger(CookieKeyFile.class);

    private final Path file;
    private final Counter loaded;
    private final Counter rejected;
    private final ScheduledExecutorService poller;
    private volatile CookieKeys keys;
    /** The content hash of the last file tried, good or bad; touched by the poller thread only after start. */
    private byte[] lastTried;

    /**
     * Reads the file now and starts polling it.
     *
     * @throws IOException              when it cannot be read
     * @throws IllegalArgumentException when it is not a usable key file
     */
    public CookieKeyFile(Path file, MeterRegistry registry, Duration pollInterval) throws IOException {
        this.file = file;
        byte[] content = Files.readAllBytes(file);
        this.keys = CookieKeys.read(file);
        this.lastTried = hash(content);
        this.loaded = Counter.builder(RELOADS).description("Session cookie key file reloads")
                .tag("result", "success").register(registry);
        this.rejected = Counter.builder(RELOADS).description("Session cookie key file reloads")
                .tag("result", "rejected").register(registry);
        log.info("session cookie keys loaded from {}: {} key(s)", file, keys.keys().size());
        this.poller = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("kerbgate-cookie-keys", true));
        long millis = Math.max(1, pollInterval.toMillis());
        poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public CookieKeys get() {
        return keys;
    }

    private void poll() {
        // A scheduled task that throws is never run again: everything is caught and logged.
        try {
            byte[] content;
            try {
                content = Files.readAllBytes(file);
            } catch (IOException e) {
                byte[] marker = hash(String.valueOf(e).getBytes(StandardCharsets.UTF_8));
                if (!Arrays.equals(marker, lastTried)) {
                    lastTried = marker;
                    rejected.increment();
                    log.warn("session cookie key file {} cannot be read ({}); keeping the {} current key(s)", file,
                            e.toString(), keys.keys().size());
                }
                return;
            }
            byte[] hash = hash(content);
            if (Arrays.equals(hash, lastTried)) {
                return;
            }
            lastTried = hash;
            CookieKeys fresh;
            try {
                fresh = CookieKeys.read(file);
            } catch (IOException | IllegalArgumentException e) {
                rejected.increment();
                log.warn("session cookie key file {} rejected: {}; keeping the {} current key(s)", file,
                        e.getMessage(), keys.keys().size());
                return;
            }
            keys = fresh;
            loaded.increment();
            log.info("session cookie keys reloaded from {}: {} key(s)", file, fresh.keys().size());
        } catch (RuntimeException e) {
            log.error("session cookie key file poll failed", e);
        }
    }

    private static byte[] hash(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops polling; the current keys stay usable. */
    @Override
    public void close() {
        poller.shutdownNow();
    }
}
