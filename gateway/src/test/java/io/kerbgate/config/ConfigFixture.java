package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every config test needs: the required keys, a keytab file the loader accepts, parsing against a directory,
 * and the rule that every error is one line naming the key, the problem and the fix.
 */
final class ConfigFixture {
    static final String REQUIRED = """
            listen: 127.0.0.1:8080
            keytab: http.keytab
            backends: [http://127.0.0.1:9001]
            """;

    private ConfigFixture() {}

    /** A keytab header with no entries: enough for the loader, which checks the file, not its keys. */
    static void writeKeytab(Path dir) throws IOException {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02, 0, 0, 0, 0});
    }

    static GatewayConfig parse(String yaml, Path dir) throws ConfigException {
        return ConfigLoader.parse(yaml, dir);
    }

    static ConfigException error(String yaml, Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml, dir));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertEquals("config error" + (e.key().isEmpty() ? "" : " at '" + e.key() + "'") + ": " + e.problem() + "; "
                + e.fix(), e.getMessage());
        return e;
    }
}
