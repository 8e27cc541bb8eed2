package io.kerbgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.config.GatewayConfig.Sessions;
import io.kerbgate.config.GatewayConfig.Sessions.Cookie;
import io.kerbgate.sessions.CookieKeys;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.InvalidPathException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The {@code sessions} section: reads it into {@link Sessions} and writes it back for the admin view. */
final class SessionsConfig {

    static final List<String> KEYS = List.of("connection_bound", "cookie");
    static final List<String> COOKIE_KEYS = List.of("name", "key_file", "max_age", "secure");
    static final Duration MAX_MAX_AGE = Duration.ofDays(7);

    /** RFC 6265 §4.1.1: a cookie name is an RFC 2616 token. */
    private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,64}");
    private static final String KEY_FILE_FIX = "point key_file at a file of 64-hex-digit keys, one per line, mode 0600"
            + " (create one with: openssl rand -hex 32 > session.key)";

    private SessionsConfig() {}

    static Sessions parse(YamlSection section, Path baseDir) throws ConfigException {
        boolean connectionBound = section.has("connection_bound")
                && ConfigValues.bool(section.key("connection_bound"), section.get("connection_bound"));
        Cookie cookie = section.has("cookie") ? cookie(section.section("cookie", COOKIE_KEYS), baseDir) : null;
        return new Sessions(connectionBound, cookie);
    }

    private static Cookie cookie(YamlSection section, Path baseDir) throws ConfigException {
        String name = Cookie.DEFAULT_NAME;
        if (section.has("name")) {
            String nameFix = "write a cookie name of letters, digits and !#$%&'*+-.^_`|~ (default "
                    + Cookie.DEFAULT_NAME + ")";
            name = ConfigValues.text(section.key("name"), section.get("name"), nameFix);
            if (!COOKIE_NAME.matcher(name).matches()) {
                throw new ConfigException(section.key("name"), ConfigValues.quote(name) + " is not a cookie name",
                        nameFix);
            }
        }
        Path keyFile = keyFile(section.key("key_file"), section.require("key_file", KEY_FILE_FIX), baseDir);
        Duration maxAge = section.has("max_age")
                ? ConfigLoader.duration(section, "max_age", MAX_MAX_AGE, "use a duration from 1s to "
                        + ConfigValues.formatDuration(MAX_MAX_AGE) + " (default 8h)")
                : Cookie.DEFAULT_MAX_AGE;
        if (maxAge.toSeconds() < 1) {
            throw new ConfigException(section.key("max_age"), ConfigValues.formatDuration(maxAge) + " is under 1s",
                    "use a duration from 1s to " + ConfigValues.formatDuration(MAX_MAX_AGE) + " (default 8h)");
        }
        boolean secure = !section.has("secure") || ConfigValues.bool(section.key("secure"), section.get("secure"));
        return new Cookie(name, keyFile, maxAge, secure);
    }

    // Read and checked now so that a missing, unreadable, world-readable or malformed key file fails the start.
    private static Path keyFile(String key, JsonNode node, Path baseDir) throws ConfigException {
        String text = ConfigValues.text(key, node, KEY_FILE_FIX);
        Path path;
        try {
            path = baseDir.toAbsolutePath().resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not a file path", KEY_FILE_FIX);
        }
        if (Files.isRegularFile(path)) {
            ConfigValues.requirePrivate(key, path);
        }
        try {
            CookieKeys.read(path);
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, path + " is not readable",
                    "let the user that runs kerbgate read it, and nobody else: it opens every session cookie");
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")", KEY_FILE_FIX, e);
        } catch (IllegalArgumentException e) {
            String problem = e.getMessage().startsWith(path.toString()) ? e.getMessage() : path + " " + e.getMessage();
            throw new ConfigException(key, problem, KEY_FILE_FIX);
        }
        return path;
    }

    static void write(Sessions sessions, ObjectNode root) {
        ObjectNode node = root.putObject("sessions");
        node.put("connection_bound", sessions.connectionBound());
        writeCookie(sessions.cookie(), node);
    }

    // Like tls: an absent cookie is not written, so the admin view and the configs only show it when it is on.
    private static void writeCookie(@Nullable Cookie cookie, ObjectNode sessions) {
        if (cookie == null) {
            return;
        }
        ObjectNode node = sessions.putObject("cookie");
        node.put("name", cookie.name());
        node.put("key_file", cookie.keyFile().toString());
        node.put("max_age", ConfigValues.formatDuration(cookie.maxAge()));
        node.put("secure", cookie.secure());
    }
}
