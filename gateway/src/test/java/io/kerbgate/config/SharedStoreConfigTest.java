package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kerbgate.config.GatewayConfig.Replay;
import io.kerbgate.replay.SharedStoreSettings;
import io.kerbgate.replay.SharedStoreSettings.Fail;
import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code replay:} section of the config file. */
final class SharedStoreConfigTest {

    private static final String REQUIRED = ConfigFixture.REQUIRED;
    private static final String SHARED = REQUIRED + "replay:\n  shared:\n    uri: redis://127.0.0.1:6379/0\n";

    @TempDir
    Path dir;

    @BeforeEach
    void writeKeytab() throws IOException {
        ConfigFixture.writeKeytab(dir);
    }

    private GatewayConfig parse(String yaml) throws ConfigException {
        return ConfigFixture.parse(yaml, dir);
    }

    private ConfigException error(String yaml) {
        return ConfigFixture.error(yaml, dir);
    }

    private SharedStoreSettings shared(String lines) throws ConfigException {
        return parse(SHARED + lines.indent(4)).replay().shared();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                  ",
        "'replay:'           ",
        "'replay: {}'        ",
        "'replay:\n  shared:'",
    })
    void absentOrEmpty_isPerNodeOnly(String lines) throws ConfigException {
        assertEquals(Replay.NONE, parse(REQUIRED + lines.replace("\\n", "\n").strip() + "\n").replay());
    }

    @Test
    void uriOnly_everythingElseDefaults() throws ConfigException {
        SharedStoreSettings shared = shared("");

        assertEquals(new SharedStoreSettings(URI.create("redis://127.0.0.1:6379/0"), null, null, Fail.CLOSED, Duration.ofMillis(50), 5,
                Duration.ofSeconds(2), 0, Duration.ofSeconds(10)), shared);
    }

    @Test
    void everyKeySet_isRead() throws Exception {
        Path password = SecretFile.writeString(dir.resolve("redis.password"), "s3cret\n");

        SharedStoreSettings shared = parse(REQUIRED + """
                replay:
                  shared:
                    uri: rediss://alice@redis.example.test:6380/2
                    password_file: redis.password
                    fail: open
                    timeout: 20ms
                    circuit_failures: 3
                    circuit_cooldown: 500ms
                    failover_wait: 2s500ms
                """).replay().shared();

        assertEquals(new SharedStoreSettings(URI.create("rediss://alice@redis.example.test:6380/2"), password, null, Fail.OPEN,
                Duration.ofMillis(20), 3, Duration.ofMillis(500), 0, Duration.ofMillis(2500)), shared);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "redis://h                 ",
        "redis://h:6379            ",
        "redis://h:6379/           ",
        "redis://h:6379/15         ",
        "REDIS://h:6379/0          ",
        "rediss://h:6380/0         ",
        "redis://:pw@h:6379/0      ",
        "redis://user:p%40ss@h/0   ",
        "'redis://[::1]:6379/0'    ",
        "redis-sentinel://s1:26379,s2:26379,s3:26379/0#mymaster",
        "rediss-sentinel://s1,s2/3#mymaster",
        "redis-sentinel://s1#m",
        "'redis-sentinel://[::1]:26379/0#m'",
        "redis-sentinel://:pw@s1:1,s2:2/0#m",
    })
    void uri_good(String uri) throws ConfigException {
        assertEquals(URI.create(uri.replace("'", "")), parse(SHARED.replace("redis://127.0.0.1:6379/0", uri))
                .replay().shared().uri());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://h:6379                   | is not a redis://, rediss://, redis-sentinel:// or rediss-sentinel:// URI",
        "sentinel://h:26379              | is not a redis://, rediss://, redis-sentinel:// or rediss-sentinel:// URI",
        "h:6379                          | is not a redis://, rediss://, redis-sentinel:// or rediss-sentinel:// URI",
        "redis://h1:6379,h2:6379/0       | has no host",
        "redis-sentinel://h:26379/0      | names no master",
        "redis-sentinel://h:26379/0#     | names no master",
        "redis-sentinel:///0#m           | names no sentinel",
        "redis-sentinel://h1,,h2/0#m     | lists an empty host",
        "redis-sentinel://h1:0,h2/0#m    | has h1:0, whose port is not from 1 to 65535",
        "redis-sentinel://h1:x,h2/0#m    | has h1:x, whose port is not from 1 to 65535",
        "redis-sentinel://h1,h2/zero#m   | has a path that is not a database number",
        "'redis-sentinel://h1,h2/0?timeout=1s#m' | has a query",
        "redis:///0                      | has no host",
        "'redis://h:6379/0?timeout=1s'   | has a query or fragment",
        "redis://h:6379/0#x              | has a query or fragment",
        "redis://h:6379/zero             | has a path that is not a database number",
        "redis://h:6379/0/1              | has a path that is not a database number",
        "'redis://h :6379'               | is not a URI (Illegal character in authority)",
        "redis://secret@h:6379/0         | names a user but no password",
        "[redis://h]                     | a list is not a non-empty string",
    })
    void uri_bad(String uri, String problem) {
        ConfigException e = error(SHARED.replace("redis://127.0.0.1:6379/0", uri));

        assertEquals("replay.shared.uri", e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void sentinel_theFixShowsTheSentinelForm() {
        ConfigException e = error(SHARED.replace("redis://127.0.0.1:6379/0", "redis-sentinel://h1:26379,h2:26379/0"));

        assertEquals("config error at 'replay.shared.uri': names no master; end the uri with #<name>, the name in the"
                + " sentinels' 'sentinel monitor <name> ...' line", e.getMessage());
    }

    @Test
    void sentinel_partsOfTheUri() throws ConfigException {
        SharedStoreSettings shared = parse(SHARED.replace("redis://127.0.0.1:6379/0",
                "rediss-sentinel://:pw@s1:26380,10.0.0.2,s3:1/4#mymaster")).replay().shared();

        assertTrue(shared.isSentinel());
        assertTrue(shared.tls());
        assertEquals(4, shared.database());
        assertEquals("mymaster", shared.sentinelMaster());
        assertEquals(List.of(new SharedStoreSettings.Node("s1", 26380), new SharedStoreSettings.Node("10.0.0.2", 26379),
                new SharedStoreSettings.Node("s3", 1)), shared.sentinels());
        assertEquals(":pw", shared.rawUserInfo());
        assertEquals("rediss-sentinel://:<redacted>@s1:26380,10.0.0.2,s3:1/4#mymaster", shared.redactedUri());
    }

    @Test
    void sentinelPasswordFile_withASentinelUri() throws Exception {
        Path password = SecretFile.writeString(dir.resolve("spw"), "x");

        SharedStoreSettings shared = parse(SHARED.replace("redis://127.0.0.1:6379/0", "redis-sentinel://s1,s2,s3/0#m")
                + "    sentinel_password_file: spw\n").replay().shared();

        assertEquals(password, shared.sentinelPasswordFile());
        assertNull(shared.passwordFile());
    }

    @Test
    void sentinelPasswordFile_withoutSentinels_isRefused() throws IOException {
        SecretFile.writeString(dir.resolve("spw"), "x");

        ConfigException e = error(SHARED + "    sentinel_password_file: spw\n");

        assertEquals("replay.shared.sentinel_password_file", e.key());
        assertEquals("is set but the uri names no sentinels", e.problem());
        assertTrue(e.fix().contains("redis-sentinel://host1:26379,host2:26379,host3:26379/0#mymaster"), e.fix());
    }

    @Test
    void sentinel_passwordFileAndAPasswordInTheUri_isRefused() throws IOException {
        SecretFile.writeString(dir.resolve("pw"), "x");

        ConfigException e = error(SHARED.replace("redis://127.0.0.1:6379/0", "redis-sentinel://:pw@s1,s2/0#m")
                + "    password_file: pw\n");

        assertEquals("replay.shared.password_file", e.key());
    }

    @Test
    void minReplicasAck() throws ConfigException {
        assertEquals(0, shared("").minReplicasAck());
        assertEquals(1, shared("min_replicas_ack: 1").minReplicasAck());
    }

    @Test
    void uri_errorsNeverQuoteTheUri_itMayHoldAPassword() {
        ConfigException e = error(SHARED.replace("redis://127.0.0.1:6379/0", "'redis://:hunter2@h :1'"));

        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void uri_missing() {
        ConfigException e = error(REQUIRED + "replay:\n  shared:\n    fail: open\n");

        assertEquals("config error at 'replay.shared.uri': is missing; add uri: redis://host:6379/0, or remove "
                + "replay.shared for a per-node replay cache only", e.getMessage());
    }

    @Test
    void passwordFile_relative_resolvesAgainstTheBaseDir() throws Exception {
        Path password = SecretFile.writeString(dir.resolve("pw"), "x");

        assertEquals(password, shared("password_file: pw").passwordFile());
    }

    @Test
    void passwordFile_andAPasswordInTheUri_isRefused() throws IOException {
        SecretFile.writeString(dir.resolve("pw"), "x");

        ConfigException e = error(SHARED.replace("redis://", "redis://:pw@") + "    password_file: pw\n");

        assertEquals("replay.shared.password_file", e.key());
        assertEquals("is set but the uri carries a password too", e.problem());
    }

    @Test
    void passwordFile_missing() {
        ConfigException e = error(SHARED + "    password_file: /nope/redis.password\n");

        assertEquals("config error at 'replay.shared.password_file': /nope/redis.password does not exist; point "
                + "password_file at a file that holds the password alone", e.getMessage());
    }

    @Test
    void passwordFile_empty() throws IOException {
        SecretFile.writeString(dir.resolve("pw"), "");

        assertEquals(dir.resolve("pw") + " is empty", error(SHARED + "    password_file: pw\n").problem());
    }

    @Test
    void passwordFile_directory() {
        assertEquals(dir.toAbsolutePath() + " is not a regular file",
                error(SHARED + "    password_file: .\n").problem());
    }

    @Test
    void passwordFile_unreadable() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads every file");
        Path pw = SecretFile.writeString(dir.resolve("pw"), "x");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("---------"));

        assertEquals(pw + " is not readable", error(SHARED + "    password_file: pw\n").problem());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "fail: maybe                | replay.shared.fail             | \"maybe\" is not closed or open",
        "fail: CLOSED               | replay.shared.fail             | \"CLOSED\" is not closed or open",
        "fail: true                 | replay.shared.fail             | true is not closed or open",
        "timeout: 50                | replay.shared.timeout          | 50 has no unit",
        "timeout: 0ms               | replay.shared.timeout          | 0s is not more than 0",
        "timeout: 11s               | replay.shared.timeout          | 11s is more than 10s",
        "timeout: fast              | replay.shared.timeout          | \"fast\" is not a duration",
        "circuit_failures: 0        | replay.shared.circuit_failures | 0 is out of range",
        "circuit_failures: 1001     | replay.shared.circuit_failures | 1001 is out of range",
        "circuit_failures: 2.5      | replay.shared.circuit_failures | 2.5 is not a whole number",
        "circuit_cooldown: 11m      | replay.shared.circuit_cooldown | 11m is more than 10m",
        "circuit_cooldown: -1s      | replay.shared.circuit_cooldown | \"-1s\" is not a duration",
        "min_replicas_ack: -1       | replay.shared.min_replicas_ack | -1 is out of range",
        "min_replicas_ack: 17       | replay.shared.min_replicas_ack | 17 is out of range",
        "failover_wait: 2m          | replay.shared.failover_wait    | 2m is more than 1m",
        "failover_wait: -1s         | replay.shared.failover_wait    | \"-1s\" is not a duration",
        "failover_wait: 10          | replay.shared.failover_wait    | 10 has no unit",
    })
    void values_bad(String line, String key, String problem) {
        ConfigException e = error(SHARED + "    " + line + "\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void fail_fixSaysWhatEachDirectionMeans() {
        assertEquals("write closed (refuse with 503 while the store is down) or open (trust this node's cache alone)",
                error(SHARED + "    fail: shut\n").fix());
    }

    @Test
    void failoverWait_zeroTurnsItOff_theFixGivesTheRange() throws ConfigException {
        assertEquals(Duration.ZERO, shared("failover_wait: 0s\n").failoverWait());
        assertEquals("use a duration from 0s (no wait) to 1m (default 10s)",
                error(SHARED + "    failover_wait: 5m\n").fix());
    }

    @Test
    void timeout_fixGivesTheRangeAndDefault() {
        assertEquals("use a duration from 1ms to 10s (default 50ms)", error(SHARED + "    timeout: 1m\n").fix());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "replay: {shard: {}}              | replay.shard          | shared",
        "'replay: {shared: {url: redis://h}}' | replay.shared.url | uri",
        "'replay: {shared: {uri: redis://h, circuit_failure: 1}}' | replay.shared.circuit_failure | circuit_failures",
    })
    void unknownKey_namesThePathAndSuggests(String line, String key, String suggestion) {
        ConfigException e = error(REQUIRED + line + "\n");

        assertEquals(key, e.key());
        assertEquals("unknown key", e.problem());
        assertTrue(e.fix().startsWith("did you mean " + suggestion + "? "), e.fix());
    }

    @Test
    void shared_notAMapping() {
        ConfigException e = error(REQUIRED + "replay:\n  shared: redis://h\n");

        assertEquals("replay.shared", e.key());
        assertTrue(e.fix().endsWith("valid keys under 'replay.shared': uri, password_file, sentinel_password_file, "
                + "fail, timeout, circuit_failures, circuit_cooldown, min_replicas_ack, failover_wait"), e.fix());
    }

    // the admin view and logs

    @Test
    void redactedYaml_withoutAPassword_readsBackToAnEqualConfig() throws Exception {
        SecretFile.writeString(dir.resolve("pw"), "x");
        GatewayConfig config = parse(SHARED + "    password_file: pw\n    fail: open\n    timeout: 1s500ms\n"
                + "    min_replicas_ack: 1\n");

        String yaml = ConfigLoader.toRedactedYaml(config);

        assertEquals(config, parse(yaml), yaml);
    }

    @Test
    void redactedYaml_perNodeOnly_readsBack() throws Exception {
        GatewayConfig config = parse(REQUIRED);

        String yaml = ConfigLoader.toRedactedYaml(config);

        assertEquals(config, parse(yaml), yaml);
        assertTrue(yaml.contains("shared: null"), yaml);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "redis://:hunter2@h:6379/0       | redis://:<redacted>@h:6379/0",
        "redis://alice:hunter2@h:6379/0  | redis://alice:<redacted>@h:6379/0",
        "rediss://a:hunter2%40x@h/1      | rediss://a:<redacted>@h/1",
        "redis://h:6379/0                | redis://h:6379/0",
    })
    void password_inTheUri_isNeverShown(String uri, String shown) throws ConfigException {
        GatewayConfig config = parse(SHARED.replace("redis://127.0.0.1:6379/0", uri));

        String yaml = ConfigLoader.toRedactedYaml(config);

        assertTrue(yaml.contains("uri: " + shown), yaml);
        assertFalse(yaml.contains("hunter2"), yaml);
        assertFalse(config.toString().contains("hunter2"), config.toString());
        assertNull(config.replay().shared().passwordFile());
    }
}
