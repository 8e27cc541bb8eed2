package io.kerbgate.identity;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kerbgate.config.GroupNamesConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names ({@code sAMAccountName}) of the PAC's group SIDs, looked up in the directory ({@code identity.group_names})
 * and cached: bounded, each entry (a name, or the absence of one) kept for {@code cache_ttl}.
 *
 * <p>{@link #cachedNames} never blocks, so it may run on an event loop: when every SID is cached it answers at once;
 * otherwise it answers {@code null} (the request goes on with SIDs only) and the missing SIDs are looked up on a
 * thread of this class (one lookup at a time; a SID is looked up once however many requests ask for it while it is
 * in flight), to fill the cache for the next request. After a failed lookup (directory unreachable, bind refused) no new lookup starts for
 * {@link #RETRY_AFTER_FAILURE}, so that an outage does not become a lookup per request.
 */
public final class GroupNames implements AutoCloseable {

    /** After a failed lookup, how long requests go without names before the directory is asked again. */
    public static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(GroupNames.class);

    /** A blocking lookup, run off the event loop. */
    @FunctionalInterface
    public interface Directory {
        /** The name of each SID that the directory knows; SIDs it does not know are left out. */
        Map<String, String> names(Set<String> sids) throws Exception;
    }

    private final AsyncLoadingCache<String, Optional<String>> cache;
    private final ExecutorService executor;
    private final AtomicLong retryAt = new AtomicLong(Long.MIN_VALUE);
    private final long retryNanos;

    public GroupNames(Directory directory, Duration ttl, int maxEntries) {
        this(directory, ttl, maxEntries, RETRY_AFTER_FAILURE);
    }

    GroupNames(Directory directory, Duration ttl, int maxEntries, Duration retryAfterFailure) {
        Objects.requireNonNull(directory, "directory");
        AtomicInteger threads = new AtomicInteger();
        // One lookup at a time, on a daemon thread that goes away when idle.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "kerbgate-group-names-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
        this.retryNanos = retryAfterFailure.toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(ttl)
                .executor(executor)
                .buildAsync(new CacheLoader<String, Optional<String>>() {
                    @Override
                    public Optional<String> load(String sid) throws Exception {
                        return loadAll(Set.of(sid)).get(sid);
                    }

                    @Override
                    public Map<String, Optional<String>> loadAll(Set<? extends String> sids) throws Exception {
                        return lookUp(directory, Set.copyOf(sids));
                    }
                });
    }

    /** A resolver for {@code identity.group_names}: LDAPS with a simple bind. */
    public static GroupNames of(GroupNamesConfig config) {
        return new GroupNames(new LdapGroupDirectory(config), config.cacheTtl(), config.cacheMaxEntries());
    }

    private Map<String, Optional<String>> lookUp(Directory directory, Set<String> sids) throws Exception {
        Map<String, String> found;
        try {
            found = directory.names(sids);
        } catch (Exception e) {
            retryAt.set(System.nanoTime() + retryNanos);
            log.warn("group names: looking up {} SIDs failed, requests go on with SIDs only for {}s: {}",
                    sids.size(), retryNanos / 1_000_000_000L, e.toString());
            throw e;
        }
        Map<String, Optional<String>> names = new HashMap<>(sids.size() * 2);
        for (String sid : sids) {
            names.put(sid, Optional.ofNullable(found.get(sid)).map(GroupNames::headerSafe));
        }
        return names;
    }

    /**
     * The names of {@code sids}, in their order, leaving out SIDs without a name (well-known and foreign SIDs, deleted
     * groups); or {@code null} when some are not cached yet, which starts their lookup. Never blocks.
     */
    public @Nullable List<String> cachedNames(List<String> sids) {
        if (sids.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(sids.size());
        List<String> missing = null;
        for (String sid : sids) {
            CompletableFuture<Optional<String>> name = cache.getIfPresent(sid);
            if (name != null && name.isDone() && !name.isCompletedExceptionally()) {
                name.join().ifPresent(names::add);
            } else if (name == null) {
                if (missing == null) {
                    missing = new ArrayList<>();
                }
                missing.add(sid);
            } else {
                return null; // being looked up
            }
        }
        if (missing == null) {
            return names;
        }
        long at = retryAt.get();
        if (at == Long.MIN_VALUE || System.nanoTime() - at >= 0) {
            cache.getAll(missing); // looked up on this class's threads; the result fills the cache
        }
        return null;
    }

    /** The names of {@code sids}, looked up when not cached; completes on this class's threads. */
    public CompletableFuture<List<String>> names(List<String> sids) {
        List<String> ordered = List.copyOf(new LinkedHashSet<>(sids));
        return cache.getAll(ordered).thenApply(map -> {
            List<String> names = new ArrayList<>(ordered.size());
            for (String sid : ordered) {
                Optional<String> name = map.get(sid);
                if (name != null) {
                    name.ifPresent(names::add);
                }
            }
            return List.copyOf(names);
        });
    }

    /**
     * A name as it may go in a comma-separated header: {@code ,} {@code %}, a leading or trailing space and anything
     * else outside printable ASCII percent-encoded (UTF-8), so that nothing can split, fold or forge an entry
     * ({@code Domain Users} stays as it is).
     */
    static String headerSafe(String name) {
        StringBuilder b = new StringBuilder(name.length());
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xff;
            boolean innerSpace = c == ' ' && i > 0 && i < bytes.length - 1;
            if (innerSpace || c > 0x20 && c < 0x7f && c != ',' && c != '%') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
