package io.kerbgate.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.Sessions;
import io.kerbgate.config.GatewayConfig.Sessions.Cookie;
import io.kerbgate.keys.CookieKeys;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The {@code sessions} section as it is written ({@link #sessions()}). */
record SessionsSection(@Nullable Boolean connectionBound, @Nullable CookieSection cookie) {

    static final Duration MAX_MAX_AGE = Duration.ofDays(7);
    static final String NAME_FIX = "write a cookie name of letters, digits and !#$%&'*+-.^_`|~ (default "
            + Cookie.DEFAULT_NAME + ")";
    static final String KEY_FILE_FIX = "point key_file at a file of 64-hex-digit keys, one per line, mode 0600"
            + " (create one with: openssl rand -hex 32 > session.key)";
    /** RFC 6265 §4.1.1: a cookie name is an RFC 2616 token. */
    private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,64}");

    Sessions sessions() {
        return new Sessions(connectionBound != null && connectionBound, cookie == null ? null : cookie.cookie());
    }

    /** {@code sessions.cookie}: the encrypted session cookie. */
    record CookieSection(
            @Fix(NAME_FIX) @Nullable String name,
            @Fix(KEY_FILE_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path keyFile,
            @Nullable Duration maxAge,
            @Nullable Boolean secure) {
        CookieSection {
            name = name == null ? Cookie.DEFAULT_NAME : name;
            if (!COOKIE_NAME.matcher(name).matches()) {
                throw new InvalidValue("name", ConfigValues.quote(name) + " is not a cookie name", NAME_FIX);
            }
            readKeys(Checks.require("key_file", keyFile, KEY_FILE_FIX));
            String ageFix = "use a duration from 1s to " + Durations.format(MAX_MAX_AGE) + " (default 8h)";
            maxAge = Checks.duration("max_age", maxAge, Cookie.DEFAULT_MAX_AGE, MAX_MAX_AGE, ageFix);
            if (maxAge.toSeconds() < 1) {
                throw new InvalidValue("max_age", Durations.format(maxAge) + " is under 1s", ageFix);
            }
        }

        Cookie cookie() {
            return new Cookie(name, keyFile, maxAge, secure == null || secure);
        }
    }

    // Read and checked now so that a missing, unreadable, world-readable or malformed key file fails the start.
    private static void readKeys(Path path) {
        String key = "key_file";
        if (Files.isRegularFile(path)) {
            InvalidValue.check(() -> {
                ConfigValues.requirePrivate(key, path);
                return path;
            });
        }
        try {
            CookieKeys.read(path);
        } catch (AccessDeniedException e) {
            throw new InvalidValue(key, path + " is not readable",
                    "let the user that runs kerbgate read it, and nobody else: it opens every session cookie");
        } catch (IOException e) {
            throw new InvalidValue(key, path + " cannot be read (" + e.getMessage() + ")", KEY_FILE_FIX);
        } catch (IllegalArgumentException e) {
            String problem = e.getMessage().startsWith(path.toString()) ? e.getMessage() : path + " " + e.getMessage();
            throw new InvalidValue(key, problem, KEY_FILE_FIX);
        }
    }
}
