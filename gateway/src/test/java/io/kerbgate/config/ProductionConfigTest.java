package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps {@code conf/kerbgate-production.yaml} loadable and complete: every key the loader knows is in it. */
final class ProductionConfigTest {

    private static final String KEYTAB = "/etc/kerbgate/http.keytab";

    @TempDir
    Path dir;

    private GatewayConfig load() throws IOException, ConfigException {
        Path keytab = SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        String text = Files.readString(file());
        assertTrue(text.contains("keytab: " + KEYTAB), "the production config's keytab line moved");
        return ConfigLoader.parse(text.replace(KEYTAB, keytab.toString())
                .replace("/var/lib/kerbgate/replay.cache", dir.resolve("replay.cache").toString()), dir);
    }

    @Test
    void productionConfig_loads_withItsProductionValues() throws IOException, ConfigException {
        GatewayConfig config = load();

        assertEquals(80, config.listen().getPort());
        assertTrue(config.listen().getAddress().isAnyLocalAddress());
        assertEquals(List.of("HTTP/array.example.com@EXAMPLE.COM"), config.principals());
        assertEquals(3, config.backends().size());
        assertEquals(Duration.ofMinutes(5), config.clockSkew());
        assertTrue(config.admin().listen().getAddress().isLoopbackAddress(), "admin stays on loopback by default");
        assertEquals(List.of("EXAMPLE.COM"), config.acceptor().allowedClientRealms());
        assertEquals(false, config.acceptor().allowRc4());
    }

    @Test
    void productionConfig_setsEveryKeyTheLoaderKnows() throws IOException, ConfigException {
        String text = Files.readString(file());
        String effective = ConfigLoader.toRedactedYaml(load());

        effective.lines()
                .map(line -> line.strip().replaceFirst(":.*", ""))
                .filter(key -> !key.isEmpty() && !key.startsWith("-"))
                .forEach(key -> assertTrue(text.lines().anyMatch(l -> l.strip().startsWith(key + ":")),
                        "conf/kerbgate-production.yaml does not set " + key));
    }

    private static Path file() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("conf/kerbgate-production.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("conf/kerbgate-production.yaml not found above " + Path.of("").toAbsolutePath());
    }
}
