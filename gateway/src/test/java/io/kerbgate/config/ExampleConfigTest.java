package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps {@code conf/kerbgate.yaml} loadable and its values equal to the defaults it claims to show. */
final class ExampleConfigTest {

    private static final String EXAMPLE_KEYTAB = "/etc/kerbgate/http.keytab";

    @TempDir
    Path dir;

    @Test
    void exampleLoads_andShowsTheDefaults() throws IOException, ConfigException {
        Path keytab = Files.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        String example = Files.readString(exampleFile());
        assertTrue(example.contains("keytab: " + EXAMPLE_KEYTAB), "the example's keytab line moved");

        GatewayConfig config = ConfigLoader.parse(example.replace(EXAMPLE_KEYTAB, keytab.toString()), dir);
        GatewayConfig defaults = ConfigLoader.parse("""
                listen: 127.0.0.1:8080
                keytab: http.keytab
                backends: [http://127.0.0.1:9001]
                """, dir);

        assertEquals(defaults.principals(), config.principals());
        assertEquals(defaults.clockSkew(), config.clockSkew());
        assertEquals(defaults.identity(), config.identity());
        assertEquals(defaults.admin(), config.admin());
        assertEquals(defaults.acceptor(), config.acceptor());
        assertEquals(defaults.limits(), config.limits());
        assertEquals(defaults.timeouts(), config.timeouts());
        assertEquals(defaults.balancing(), config.balancing());
        assertEquals(defaults.health(), config.health());
        assertEquals(defaults.retries(), config.retries());
        assertEquals(defaults.drain(), config.drain());
        assertEquals(defaults.accessLog(), config.accessLog());
        assertEquals(defaults.auth(), config.auth());
        config.backendOptions().forEach(backend -> assertTrue(backend.isDefault(), backend.toString()));
    }

    @Test
    void exampleMentionsEveryKeyTheLoaderWrites() throws IOException, ConfigException {
        Path keytab = Files.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        String example = Files.readString(exampleFile());
        String effective = ConfigLoader.toRedactedYaml(
                ConfigLoader.parse(example.replace(EXAMPLE_KEYTAB, keytab.toString()), dir));

        effective.lines()
                .map(line -> line.strip().replaceFirst(":.*", ""))
                .filter(key -> !key.isEmpty() && !key.startsWith("-"))
                .forEach(key -> assertTrue(example.contains(key + ":"), "conf/kerbgate.yaml lacks " + key));
    }

    // Surefire runs in the module directory; walk up to the repository root, which holds conf/.
    private static Path exampleFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("conf/kerbgate.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("conf/kerbgate.yaml not found above " + Path.of("").toAbsolutePath());
    }
}
