package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SessionsConfigTest {

    private static final String BASE = """
            listen: 127.0.0.1:8080
            keytab: http.keytab
            backends: [http://127.0.0.1:9001]
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void keytab() throws IOException {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
    }

    @Test
    void default_isOff() throws ConfigException {
        assertFalse(ConfigLoader.parse(BASE, dir).sessions().connectionBound());
        assertFalse(ConfigLoader.parse(BASE + "sessions:\n", dir).sessions().connectionBound());
    }

    @Test
    void connectionBound_parsesAndRoundTrips() throws ConfigException {
        GatewayConfig config = ConfigLoader.parse(BASE + "sessions: {connection_bound: true}\n", dir);
        assertTrue(config.sessions().connectionBound());

        String yaml = ConfigLoader.toRedactedYaml(config);
        assertTrue(yaml.contains("connection_bound: true"), yaml);
        assertEquals(config.sessions(), ConfigLoader.parse(yaml, dir).sessions());
    }

    @Test
    void badValue_namesTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(BASE + "sessions: {connection_bound: sometimes}\n", dir));
        assertEquals("sessions.connection_bound", e.key());
    }

    @Test
    void unknownKey_namesTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(BASE + "sessions: {conection_bound: true}\n", dir));
        assertEquals("sessions.conection_bound", e.key());
        assertTrue(e.fix().contains("connection_bound"), e.fix());
    }

    @Test
    void cookie_defaultsAndRoundTrip() throws IOException, ConfigException {
        Path key = keyFile("session.key", "ab".repeat(32) + "\n");
        GatewayConfig config = ConfigLoader.parse(BASE + "sessions: {cookie: {key_file: session.key}}\n", dir);
        GatewayConfig.Sessions.Cookie cookie = config.sessions().cookie();
        assertEquals(new GatewayConfig.Sessions.Cookie("kerbgate_session", key, Duration.ofHours(8), true), cookie);
        assertFalse(config.sessions().connectionBound());
        assertNull(ConfigLoader.parse(BASE, dir).sessions().cookie(), "off by default");

        String yaml = ConfigLoader.toRedactedYaml(config);
        assertTrue(yaml.contains("key_file: " + key), yaml);
        assertEquals(config.sessions(), ConfigLoader.parse(yaml, dir).sessions());
        assertFalse(ConfigLoader.toRedactedYaml(ConfigLoader.parse(BASE, dir)).contains("cookie"),
                "an absent cookie is not written");
    }

    @Test
    void cookie_everyKeySet() throws IOException, ConfigException {
        keyFile("session.key", "# current first\n" + "AB".repeat(32) + "\n\n" + "cd".repeat(32) + "\n");
        GatewayConfig.Sessions sessions = ConfigLoader.parse(BASE + """
                sessions:
                  connection_bound: true
                  cookie: {name: gw_s, key_file: session.key, max_age: 30m, secure: false}
                """, dir).sessions();
        assertTrue(sessions.connectionBound());
        assertEquals("gw_s", sessions.cookie().name());
        assertEquals(Duration.ofMinutes(30), sessions.cookie().maxAge());
        assertFalse(sessions.cookie().secure());
    }

    @Test
    void cookie_errorsNameTheKey_inOneLine() throws IOException {
        keyFile("session.key", "ab".repeat(32) + "\n");
        keyFile("short.key", "abcd\n");
        keyFile("empty.key", "# nothing\n");
        Path open = keyFile("open.key", "ab".repeat(32) + "\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

        assertCookieError("sessions.cookie.key_file", "{}", "is missing");
        assertCookieError("sessions.cookie.key_file", "{key_file: absent.key}", "does not exist");
        assertCookieError("sessions.cookie.key_file", "{key_file: short.key}", "line 1 is not a key");
        assertCookieError("sessions.cookie.key_file", "{key_file: empty.key}", "holds no key");
        assertCookieError("sessions.cookie.key_file", "{key_file: open.key}", "readable by every user");
        assertCookieError("sessions.cookie.name", "{key_file: session.key, name: 'a b'}", "is not a cookie name");
        assertCookieError("sessions.cookie.max_age", "{key_file: session.key, max_age: 0s}", "not more than 0");
        assertCookieError("sessions.cookie.max_age", "{key_file: session.key, max_age: 8d}", "more than 7d");
        assertCookieError("sessions.cookie.max_age", "{key_file: session.key, max_age: 500ms}", "under 1s");
        assertCookieError("sessions.cookie.secure", "{key_file: session.key, secure: maybe}", "not true or false");
        assertCookieError("sessions.cookie.max_ag", "{key_file: session.key, max_ag: 1h}", "unknown key");
    }

    private void assertCookieError(String key, String cookie, String problem) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(BASE + "sessions: {cookie: " + cookie + "}\n", dir), cookie);
        assertEquals(key, e.key(), cookie);
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(e.getMessage().contains("ab".repeat(8)), "no key material: " + e.getMessage());
    }

    private Path keyFile(String name, String text) throws IOException {
        Path file = Files.writeString(dir.resolve(name), text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
