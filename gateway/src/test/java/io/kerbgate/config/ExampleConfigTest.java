package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.replay.SharedStoreSettings;
import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps {@code conf/kerbgate.yaml} loadable and its values equal to the defaults it claims to show. */
final class ExampleConfigTest {

    private static final String EXAMPLE_KEYTAB = "/etc/kerbgate/http.keytab";
    private static final String EXAMPLE_PASSWORD_FILE = "/etc/kerbgate/redis.password";

    @TempDir
    Path dir;

    @Test
    void exampleLoads_andShowsTheDefaults() throws IOException, ConfigException {
        Path keytab = SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
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
        assertEquals(defaults.keys(), config.keys());
        assertEquals(defaults.replay(), config.replay());
        assertEquals(defaults.balancing(), config.balancing());
        assertEquals(defaults.health(), config.health());
        assertEquals(defaults.retries(), config.retries());
        assertEquals(defaults.drain(), config.drain());
        assertEquals(defaults.accessLog(), config.accessLog());
        assertEquals(defaults.auth(), config.auth());
        assertEquals(defaults.sessions(), config.sessions());
        config.backendOptions().forEach(backend -> assertTrue(backend.isDefault(), backend.toString()));
    }

    @Test
    void exampleSharedReplayBlock_uncommented_showsItsDefaults() throws IOException, ConfigException {
        Path keytab = SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        Path password = SecretFile.writeString(dir.resolve("redis.password"), "secret\n");
        String example = Files.readString(exampleFile());
        assertTrue(example.contains("password_file: " + EXAMPLE_PASSWORD_FILE), "the example's password_file moved");
        // Only the replay block: other sections' commented examples (identity.rules, tls) are not meant to be
        // uncommented as they stand.
        int start = example.indexOf("\nreplay:\n");
        int end = example.indexOf("\n\n", start + 1);
        assertTrue(start >= 0 && end > start, "the example's replay block moved");
        String uncommented = (example.substring(0, start)
                + example.substring(start, end).replace("\n  #   ", "\n    ") + example.substring(end))
                .replace(EXAMPLE_KEYTAB, keytab.toString())
                .replace(EXAMPLE_PASSWORD_FILE, password.toString());

        SharedStoreSettings shared = ConfigLoader.parse(uncommented, dir).replay().shared();

        assertEquals(new SharedStoreSettings(URI.create("redis://127.0.0.1:6379/0"), password, null, SharedStoreSettings.DEFAULT_FAIL,
                SharedStoreSettings.DEFAULT_TIMEOUT, SharedStoreSettings.DEFAULT_CIRCUIT_FAILURES, SharedStoreSettings.DEFAULT_CIRCUIT_COOLDOWN,
                SharedStoreSettings.DEFAULT_MIN_REPLICAS_ACK, SharedStoreSettings.DEFAULT_FAILOVER_WAIT), shared);
    }

    @Test
    void exampleMentionsEveryKeyTheLoaderWrites() throws IOException, ConfigException {
        Path keytab = SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        String example = Files.readString(exampleFile());
        String effective = ConfigLoader.toRedactedYaml(
                ConfigLoader.parse(example.replace(EXAMPLE_KEYTAB, keytab.toString()), dir));

        effective.lines()
                .map(line -> line.strip().replaceFirst(":.*", ""))
                .filter(key -> !key.isEmpty() && !key.startsWith("-"))
                .forEach(key -> assertTrue(example.contains(key + ":"), "conf/kerbgate.yaml lacks " + key));
    }

    @Test
    void exampleMentionsEveryOptionalKey() throws IOException, ConfigException {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n");
        SecretFile.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n");
        SecretFile.write(dir.resolve("assertion.key"), new byte[32]);
        Path sessionKey = SecretFile.writeString(dir.resolve("session.key"), "ab".repeat(32) + "\n");
        Files.setPosixFilePermissions(sessionKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String example = Files.readString(exampleFile());
        String everything = ConfigLoader.toRedactedYaml(ConfigLoader.parse("""
                listen: 127.0.0.1:8443
                keytab: http.keytab
                backends: [https://127.0.0.1:9443]
                identity:
                  rules: [{match: a, replace: b}]
                  local_realms: [ARRAY.TEST]
                  assertion: {type: hmac, key_file: assertion.key}
                admin: {allowed_hosts: [kerbgate-1.example.test]}
                tls: {cert: cert.pem, key: key.pem}
                backend_tls: {ca: cert.pem}
                sessions: {cookie: {key_file: session.key}}
                """, dir));

        everything.lines()
                .map(String::strip)
                // "- match: a" starts a mapping in a list; "- TLSv1.3" is a value
                .map(line -> line.startsWith("- ") && line.contains(": ") ? line.substring(2) : line)
                .map(line -> line.replaceFirst(":.*", ""))
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
