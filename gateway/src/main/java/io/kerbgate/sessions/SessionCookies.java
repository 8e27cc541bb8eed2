package io.kerbgate.sessions;

import io.kerbgate.config.GatewayConfig.Sessions.Cookie;
import io.kerbgate.keys.CookieKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.jspecify.annotations.Nullable;

/**
 * Seals, opens and strips the session cookie ({@code sessions.cookie}).
 *
 * <p>The cookie's value is {@code base64url(version | nonce | AES-256-GCM(plaintext) | tag)}: one version byte
 * ({@value #VERSION}), a 12-byte random nonce, the ciphertext and its 16-byte tag. The additional authenticated data is
 * the cookie's name followed by the version byte, so a value cut from another cookie or another format does not open.
 * The plaintext is {@code principal \n groups (comma-separated) \n expiry \n issued-at}, both times in epoch seconds.
 * The first key of the {@link CookieKeys} seals; every key is tried to open.
 *
 * <p>Thread-safe: one {@link Cipher} per thread; the keys come from a supplier read once per call.
 */
public final class SessionCookies {

    public static final byte VERSION = 1;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    /** A cookie value longer than this is not one of ours (a PAC's worth of groups fits well under it). */
    static final int MAX_VALUE_CHARS = 8192;

    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
        }
    });

    private final Cookie config;
    private final Supplier<CookieKeys> keys;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final byte[] aad;

    public SessionCookies(Cookie config, Supplier<CookieKeys> keys, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        byte[] name = config.name().getBytes(StandardCharsets.US_ASCII);
        this.aad = Arrays.copyOf(name, name.length + 1);
        aad[name.length] = VERSION;
    }

    public String name() {
        return config.name();
    }

    /** What a request's cookie turned out to be. */
    public enum Result { ABSENT, USED, INVALID, EXPIRED }

    /**
     * The verdict on a request's cookies.
     *
     * @param principal the principal it carries when {@link Result#USED}, otherwise {@code null}
     * @param groups    its group SIDs when used, otherwise empty
     */
    public record Opened(Result result, @Nullable String principal, List<String> groups) {
        static final Opened ABSENT = new Opened(Result.ABSENT, null, List.of());
        static final Opened INVALID = new Opened(Result.INVALID, null, List.of());
        static final Opened EXPIRED = new Opened(Result.EXPIRED, null, List.of());

        public Opened {
            groups = List.copyOf(groups);
        }
    }

    /**
     * The {@code Set-Cookie} value for a principal that just authenticated with Negotiate, or {@code null} when no
     * cookie can be issued: the ticket has already ended, or the principal or a group cannot be carried.
     *
     * @param ticketEnd the end time of the ticket it authenticated with; the cookie expires no later
     */
    public @Nullable String issue(String principal, List<String> groups, Instant ticketEnd) {
        if (principal.isEmpty() || principal.indexOf('\n') >= 0
                || groups.stream().anyMatch(g -> g.isEmpty() || g.indexOf(',') >= 0 || g.indexOf('\n') >= 0)) {
            return null;
        }
        long now = clock.instant().getEpochSecond();
        long expiry = Math.min(saturatedAdd(now, config.maxAge().toSeconds()), ticketEnd.getEpochSecond());
        if (expiry <= now) {
            return null;
        }
        String plain = principal + "\n" + String.join(",", groups) + "\n" + expiry + "\n" + now;
        return config.name() + "=" + seal(plain.getBytes(StandardCharsets.UTF_8)) + "; Path=/; HttpOnly; SameSite=Lax;"
                + " Max-Age=" + (expiry - now) + (config.secure() ? "; Secure" : "");
    }

    String seal(byte[] plain) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.ENCRYPT_MODE, keys.get().sealing(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            byte[] sealed = cipher.doFinal(plain);
            ByteBuffer out = ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length);
            out.put(VERSION).put(nonce).put(sealed);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM seal failed", e);
        }
    }

    /**
     * Opens the request's cookie of this name. Several of them (a browser may send one per path or domain): the first
     * valid one wins; otherwise expired when one was authentic but expired, invalid when none was authentic.
     *
     * @param cookieHeaders the request's {@code Cookie} header values
     */
    public Opened open(List<String> cookieHeaders) {
        Opened verdict = Opened.ABSENT;
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                String value = valueOf(pair);
                if (value == null) {
                    continue;
                }
                Opened opened = openValue(value);
                if (opened.result() == Result.USED) {
                    return opened;
                }
                if (verdict != Opened.EXPIRED) {
                    verdict = opened;
                }
            }
        }
        return verdict;
    }

    private @Nullable String valueOf(String pair) {
        int eq = pair.indexOf('=');
        if (eq < 0 || !pair.substring(0, eq).strip().equals(config.name())) {
            return null;
        }
        String value = pair.substring(eq + 1).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return value;
    }

    Opened openValue(String value) {
        if (value.length() > MAX_VALUE_CHARS) {
            return Opened.INVALID;
        }
        byte[] token;
        try {
            token = Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return Opened.INVALID;
        }
        if (token.length < 1 + NONCE_BYTES + TAG_BITS / 8 || token[0] != VERSION) {
            return Opened.INVALID;
        }
        byte[] plain = null;
        Cipher cipher = CIPHER.get();
        for (SecretKey key : keys.get().keys()) {
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, token, 1, NONCE_BYTES));
                cipher.updateAAD(aad);
                plain = cipher.doFinal(token, 1 + NONCE_BYTES, token.length - 1 - NONCE_BYTES);
                break;
            } catch (AEADBadTagException e) {
                // Not this key (or tampered): try the next.
            } catch (GeneralSecurityException e) {
                return Opened.INVALID;
            }
        }
        if (plain == null) {
            return Opened.INVALID;
        }
        String[] fields = new String(plain, StandardCharsets.UTF_8).split("\n", -1);
        if (fields.length != 4 || fields[0].isEmpty()) {
            return Opened.INVALID;
        }
        long expiry;
        try {
            expiry = Long.parseLong(fields[2]);
            Long.parseLong(fields[3]);
        } catch (NumberFormatException e) {
            return Opened.INVALID;
        }
        if (clock.instant().getEpochSecond() >= expiry) {
            return Opened.EXPIRED;
        }
        List<String> groups = fields[1].isEmpty() ? List.of() : List.of(fields[1].split(","));
        return new Opened(Result.USED, fields[0], groups);
    }

    /**
     * Removes every cookie of this name from the {@code Cookie} headers, keeping the others in order.
     *
     * @return the remaining cookies as one header value, {@code null} when none remain, or the input itself (same
     *         list) when it held no cookie of this name
     */
    public @Nullable List<String> strip(List<String> cookieHeaders) {
        boolean found = false;
        List<String> kept = new ArrayList<>();
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                String trimmed = pair.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                int eq = trimmed.indexOf('=');
                String name = (eq < 0 ? trimmed : trimmed.substring(0, eq)).strip();
                if (name.equals(config.name())) {
                    found = true;
                } else {
                    kept.add(trimmed);
                }
            }
        }
        if (!found) {
            return cookieHeaders;
        }
        return kept.isEmpty() ? null : List.of(String.join("; ", kept));
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
