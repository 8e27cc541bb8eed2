package io.kerbgate.basic;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Recent login outcomes by principal and password, so that a browser that sends the same Basic header with every
 * request costs one AS exchange, not one per request, and a client that repeats a wrong password does not count
 * against the account at the KDC again and again. Concurrent attempts with the same credentials wait for the one login
 * in flight instead of each starting their own.
 *
 * <p>The key is the principal and an HMAC-SHA256 of principal and password under a random key made at start: the
 * password is never stored, and the hashes mean nothing to another process. A success is kept for
 * {@code success_cache} (never past its ticket's end), a wrong password for {@code failure_cache}; everything else
 * (rate limited, KDC unreachable, ticket refused) is not kept. A changed password or disabled account is therefore
 * noticed within those times. At most {@link #MAX_ENTRIES} entries.
 */
final class LoginCache {

    static final int MAX_ENTRIES = 100_000;
    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;
    private final AsyncCache<Key, Outcome> outcomes;

    LoginCache(Duration successFor, Duration failureFor, Clock clock, Ticker ticker) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.key = new SecretKeySpec(random, HMAC);
        this.outcomes = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).ticker(ticker)
                .expireAfter(new Expiry<Key, Outcome>() {
                    @Override
                    public long expireAfterCreate(Key k, Outcome outcome, long currentTime) {
                        return lifetime(outcome, successFor, failureFor, clock).toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(Key k, Outcome outcome, long currentTime, long currentDuration) {
                        return expireAfterCreate(k, outcome, currentTime);
                    }

                    @Override
                    public long expireAfterRead(Key k, Outcome outcome, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                }).buildAsync();
    }

    private static Duration lifetime(Outcome outcome, Duration successFor, Duration failureFor, Clock clock) {
        if (outcome instanceof Outcome.Success success) {
            Duration left = Duration.between(Instant.now(clock), success.accepted().ticketEnd());
            return left.compareTo(successFor) < 0 ? (left.isNegative() ? Duration.ZERO : left) : successFor;
        }
        return outcome instanceof Outcome.BadCredentials ? failureFor : Duration.ZERO;
    }

    /** The cache key of {@code principal} with {@code password} (its UTF-8 bytes). */
    Key key(String principal, byte[] password) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            byte[] name = principal.getBytes(StandardCharsets.UTF_8);
            mac.update(name);
            mac.update((byte) 0);
            mac.update(password);
            return new Key(principal, Base64.getEncoder().withoutPadding().encodeToString(mac.doFinal()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * The outcome for {@code key}: kept, or in flight for another request (waited for), or {@code login}'s, run on
     * this thread.
     */
    Answer get(Key key, Supplier<Outcome> login) {
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> existing = outcomes.asMap().putIfAbsent(key, mine);
        if (existing != null) {
            return new Answer(existing.join(), true);
        }
        try {
            Outcome outcome = login.get();
            mine.complete(outcome);
            return new Answer(outcome, false);
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** An outcome, and whether it was another request's (kept or in flight) rather than a login of this one. */
    record Answer(Outcome outcome, boolean shared) {}

    /** {@code principal} as the login names it, and the keyed hash of principal and password. */
    record Key(String principal, String digest) {}
}
