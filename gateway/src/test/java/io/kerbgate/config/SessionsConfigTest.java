package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Files.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
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
}
