package io.kerbgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.testing.SecretFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class KerbgateCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Path goodConfig;

    @BeforeEach
    void writeConfig() throws IOException {
        SecretFile.write(dir.resolve("http.keytab"), KeytabFile.write(List.of(new KeytabEntry(
                "HTTP/gw.example.test@EXAMPLE.TEST", 1, 0, 1, Enctype.AES256_CTS_HMAC_SHA1_96.id(),
                KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96).bytes()))));
        goodConfig = Files.writeString(dir.resolve("kerbgate.yaml"), """
                listen: 127.0.0.1:8080
                keytab: http.keytab
                backends: [http://127.0.0.1:9001, http://127.0.0.1:9002]
                """);
    }

    private int run(String... args) {
        return KerbgateCommand.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "run", "check-config", "demo"})
    void help_onEveryCommand(String subcommand) {
        String[] args = subcommand.isEmpty() ? new String[] {"--help"} : new String[] {subcommand, "--help"};

        assertEquals(0, run(args));
        assertTrue(out().startsWith("Usage: kerbgate" + (subcommand.isEmpty() ? "" : " " + subcommand)), out());
        assertTrue(out().contains("--version"), out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "run", "check-config", "demo"})
    void version_onEveryCommand_isDevOutsideAJar(String subcommand) {
        String[] args = subcommand.isEmpty() ? new String[] {"--version"} : new String[] {subcommand, "--version"};

        assertEquals(0, run(args));
        assertEquals("kerbgate dev", out().strip());
    }

    @Test
    void help_listsTheSubcommands() {
        run("--help");

        assertTrue(out().contains("run"), out());
        assertTrue(out().contains("check-config"), out());
        assertTrue(out().contains("demo"), out());
    }

    @Test
    void noSubcommand_isAUsageError() {
        assertEquals(2, run());
        assertTrue(err().contains("Missing required subcommand"), err());
    }

    @Test
    void unknownOption_isAUsageError() {
        assertEquals(2, run("run", "--confg", "x.yaml"));
        assertTrue(err().contains("Possible solutions: --config"), err());
    }

    @Test
    void run_badConfig_exits2_withOneLineNamingTheKey() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"),
                Files.readString(goodConfig) + "clock_skew: 5 minutes\n");

        assertEquals(2, run("run", "--config", bad.toString()));

        assertEquals("config error at 'clock_skew': \"5 minutes\" is not a duration; use a form like 5m, 300s or 10h5m"
                + System.lineSeparator(), err());
        assertEquals("", out());
    }

    @Test
    void run_missingConfigFile_exits2() {
        Path missing = dir.resolve("nope.yaml");

        assertEquals(2, run("run", "-c", missing.toString()));
        assertTrue(err().startsWith("config error: " + missing + " does not exist;"), err());
        assertFalse(err().contains("\tat "), err());
    }

    @Test
    void run_aKeytabWithoutKeys_isAConfigError_exit2_asForCheckConfig() throws IOException {
        Path keytab = Files.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});

        assertEquals(2, run("run", "--config", goodConfig.toString()));
        String line = "config error at 'keytab': " + keytab.toAbsolutePath() + ": the keytab holds no keys; export the"
                + " array's key into it" + System.lineSeparator();
        assertEquals(line, err());
        err.reset();
        assertEquals(2, run("check-config", "--config", goodConfig.toString()));
        assertEquals(line, err());
    }

    @Test
    void checkConfig_aMissingKeytab_exits2_namingIt() throws IOException {
        Files.delete(dir.resolve("http.keytab"));

        assertEquals(2, run("check-config", "--config", goodConfig.toString()));
        assertTrue(err().startsWith("config error at 'keytab': " + dir.resolve("http.keytab").toAbsolutePath()
                + " does not exist"), err());
    }

    @Test
    void checkConfig_aNodeWithAStateDirectoryAndNoKeytab_passes_sinceItStartsBeforeKeys() throws IOException {
        Path node = Files.writeString(dir.resolve("node.yaml"), """
                listen: 127.0.0.1:8080
                backends: [http://127.0.0.1:9001]
                keys: {state_dir: state}
                """);

        assertEquals(0, run("check-config", "--config", node.toString()), err());
        assertTrue(out().startsWith("config OK: " + node), out());
    }

    @Test
    void checkConfig_aTlsCertificateThatDoesNotLoad_exits2_namingTheKey() throws IOException {
        Path withTls = Files.writeString(dir.resolve("tls.yaml"), Files.readString(goodConfig)
                + "tls: {cert: nope.pem, key: nope.key}\n");

        assertEquals(2, run("check-config", "--config", withTls.toString()));
        assertTrue(err().startsWith("config error at 'tls"), err());
        assertTrue(err().contains("nope"), err());
    }

    @Test
    void checkConfig_ok_printsASummary() {
        assertEquals(0, run("check-config", "--config", goodConfig.toString()));

        assertEquals(String.join(System.lineSeparator(),
                "config OK: " + goodConfig,
                "  listen:     127.0.0.1:8080",
                "  admin:      127.0.0.1:9090",
                "  keytab:     " + dir.resolve("http.keytab").toAbsolutePath(),
                "  principals: every principal in the keytab",
                "  backends:   http://127.0.0.1:9001, http://127.0.0.1:9002",
                "  clock_skew: 5m",
                "warning: no acceptor.replay_cache_file (and no replay.shared failing closed): after every start this"
                        + " node refuses all tokens for clock_skew (5m), since it cannot know what its previous run"
                        + " accepted; set acceptor.replay_cache_file to a file in a directory only kerbgate writes,"
                        + " e.g. /var/lib/kerbgate/replay.cache",
                ""), out());
        assertEquals("", err());
    }

    @Test
    void checkConfig_withAReplayFile_warnsOfNoRestartOutage() throws IOException {
        Path withFile = Files.writeString(dir.resolve("file.yaml"), Files.readString(goodConfig)
                + "acceptor:\n  replay_cache_file: " + dir.resolve("replay.cache") + "\n");

        assertEquals(0, run("check-config", "--config", withFile.toString()));
        assertFalse(out().contains("warning"), out());
    }

    @Test
    void checkConfig_effective_printsTheFullYaml() {
        assertEquals(0, run("check-config", "--effective", "--config", goodConfig.toString()));

        assertTrue(out().contains("replay_cache_max_entries: 1000000"), out());
        assertTrue(out().contains("max_header_size: 96KiB"), out());
    }

    @Test
    void checkConfig_bad_exits2() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), Files.readString(goodConfig) + "identity:\n  heder: X\n");

        assertEquals(2, run("check-config", "--config", bad.toString()));
        assertTrue(err().startsWith("config error at 'identity.heder': unknown key; did you mean header?"), err());
        assertEquals("", out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"check-config", "run"})
    void worldReadableKeytab_failsCheckConfigAndRun_withTheKeyAndTheFix(String command) throws IOException {
        Path keytab = dir.resolve("http.keytab");
        Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-r--r--"));

        assertEquals(2, run(command, "--config", goodConfig.toString()));

        assertEquals("config error at 'keytab': " + keytab + " is mode 0644 (rw-r--r--): readable by every user; "
                + "chmod 600 " + keytab + " (owned by the user that runs kerbgate), or chown root:kerbgate " + keytab
                + " && chmod 640 " + keytab, err().strip());
    }

    @Test
    void groupReadableKeytab_passes() throws IOException {
        Files.setPosixFilePermissions(dir.resolve("http.keytab"), PosixFilePermissions.fromString("r--r-----"));

        assertEquals(0, run("check-config", "--config", goodConfig.toString()), err());
    }
}
