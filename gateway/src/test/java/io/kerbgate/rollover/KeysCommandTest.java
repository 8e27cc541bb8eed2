package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.cli.KerbgateCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kerbgate keys ...} through the real command line (the MIT paths are covered by RolloverTest). */
final class KeysCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return KerbgateCommand.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    @Test
    void aBadArrayFile_isExit2_withTheKeyPath() throws Exception {
        Path array = Files.writeString(dir.resolve("array.yaml"), "principal: HTTP/a.example.test@A.TEST\nprincipals: x\n");
        assertEquals(2, run("keys", "status", "--array", array.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("config error at 'principals': unknown key"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void schedule_writesTheServiceAndTimer_andPrintsTheCrontabLine() throws Exception {
        Path array = Files.writeString(dir.resolve("array.yaml"), """
                principal: HTTP/array.example.test@ARRAY.TEST
                enctypes: [aes256-cts-hmac-sha1-96]
                kdc: {type: mit}
                nodes: [{name: node1, keytab: node1.keytab}]
                """);
        Path units = dir.resolve("units");
        assertEquals(0, run("keys", "schedule", "--array", array.toString(), "--every", "30d", "--out", units.toString()),
                err.toString(StandardCharsets.UTF_8));

        String service = Files.readString(units.resolve("kerbgate-rollover.service"));
        assertTrue(service.contains("ExecStart=/usr/bin/kerbgate keys roll --array " + array.toAbsolutePath()
                + " --if-older-than 30d"), service);
        assertTrue(service.contains("ExecStart=-/usr/bin/kerbgate keys retire --array "), service);
        assertTrue(Files.readString(units.resolve("kerbgate-rollover.timer")).contains("OnCalendar=daily"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("17 3 * * * root /usr/bin/kerbgate keys retire"),
                out.toString(StandardCharsets.UTF_8));
    }

    /** The Debian package ships what {@code keys schedule --every 30d --array /etc/kerbgate/array.yaml} writes. */
    @Test
    void schedule_writesTheUnitsThePackageShips() throws Exception {
        Path array = Files.copy(repositoryRoot().resolve("conf/array.yaml"), dir.resolve("array.yaml"));
        Path units = dir.resolve("units");
        assertEquals(0, run("keys", "schedule", "--array", array.toString(), "--every", "30d", "--out", units.toString()),
                err.toString(StandardCharsets.UTF_8));

        for (String unit : List.of("kerbgate-rollover.service", "kerbgate-rollover.timer")) {
            String written = Files.readString(units.resolve(unit))
                    .replace(array.toAbsolutePath().toString(), "/etc/kerbgate/array.yaml");
            assertEquals(Files.readString(repositoryRoot().resolve("conf/systemd").resolve(unit)), written, unit);
        }
        String service = Files.readString(units.resolve("kerbgate-rollover.service"));
        assertTrue(service.contains(" --if-older-than 30d --metrics-file "
                + "/var/lib/prometheus/node-exporter/kerbgate_rollover.prom\n"), service);
        assertTrue(service.contains("\nUser=root\n"), service);
    }

    private static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("conf/systemd"))) {
                return d;
            }
        }
        throw new IllegalStateException("no conf/systemd above " + Path.of("").toAbsolutePath());
    }

    @Test
    void aBadInterval_isAUsageError() throws Exception {
        assertEquals(2, run("keys", "schedule", "--array", "x.yaml", "--every", "monthly"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--every: \"monthly\" is not an interval"));
    }
}
