package io.kerbgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.testing.MitKdc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kerbgate diagnose} against a real MIT KDC. The acceptor principal is {@code HTTP/localhost@MIT.TEST}, so
 * that its host resolves forward and back on any machine and the DNS step has something real to check.
 */
final class DiagnoseCommandTest {
    private static final String SERVICE = "HTTP/localhost@MIT.TEST";

    @TempDir
    static Path dir;

    private static MitKdc kdc;
    private static Path goodKeytab;
    private static Path staleKeytab;
    private static Path passwordFile;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        if (!MitKdc.isAvailable()) {
            return;
        }
        kdc = MitKdc.start("MIT.TEST");
        kdc.createPrincipal("alice@MIT.TEST", "alice-pw");
        // The stale keytab is the array's keytab from before a roll: kvno 1 only. The good one has kvno 1 and 2.
        staleKeytab = dir.resolve("stale.keytab");
        kdc.createServicePrincipalWithKeytab(SERVICE, staleKeytab, 18, 17);
        goodKeytab = dir.resolve("good.keytab");
        Files.copy(staleKeytab, goodKeytab);
        assertEquals(2, kdc.randomizeKey(SERVICE, 18, 17));
        kdc.exportKeytab(SERVICE, goodKeytab);
        for (Path keytab : List.of(goodKeytab, staleKeytab)) {
            Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-------"));
        }
        passwordFile = Files.writeString(dir.resolve("alice.pw"), "alice-pw\n");
    }

    @AfterAll
    static void stop() {
        if (kdc != null) {
            kdc.close();
        }
    }

    private static Path config(String name, Path keytab) throws IOException {
        return Files.writeString(dir.resolve(name), """
                listen: 127.0.0.1:8080
                keytab: %s
                principals: [%s]
                backends: [http://127.0.0.1:9001]
                """.formatted(keytab, SERVICE));
    }

    private int diagnose(Path config, String... credentials) {
        List<String> args = Stream.concat(Stream.of("diagnose", "--config", config.toString(), "--krb5-conf",
                kdc.krb5Conf().toString()), Stream.of(credentials)).toList();
        return KerbgateCommand.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args.toArray(String[]::new));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> lines(String text, String status) {
        return text.lines().filter(l -> l.startsWith(status + " ")).toList();
    }

    @Test
    void goodKeytab_andAPassword_everyStepPasses() throws IOException {
        assumeTrue(kdc != null, MitKdc.NOT_INSTALLED);

        int code = diagnose(config("good.yaml", goodKeytab), "--client", "alice@MIT.TEST",
                "--password-file", passwordFile.toString());

        String text = out();
        assertEquals(0, code, text);
        assertEquals(List.of(), lines(text, "FAIL"), text);
        assertEquals(List.of(), lines(text, "WARN"), text);
        for (String step : List.of("config", "keytab", "keys", "krb5.conf", "kdc", "clock", "dns", "ticket")) {
            assertTrue(text.lines().anyMatch(l -> l.matches("PASS +" + java.util.regex.Pattern.quote(step) + " .*")),
                    step + " did not pass:\n" + text);
        }
        assertTrue(text.contains("kvno 1 aes128-cts-hmac-sha1-96,aes256-cts-hmac-sha1-96; kvno 2"), text);
        assertTrue(text.contains("KDC ticket for " + SERVICE + " (kvno 2, aes256-cts-hmac-sha1-96) validated with this"
                + " keytab for alice@MIT.TEST; mutual authentication completed"), text);
        assertTrue(text.contains("KDC_ERR_C_PRINCIPAL_UNKNOWN"), text);
        assertTrue(text.contains("diagnose: "), text);
    }

    @Test
    void ccache_fromKinit_isValidated_andMitKvnoReportsTheKdcsKvno() throws IOException {
        assumeTrue(kdc != null, MitKdc.NOT_INSTALLED);
        Path ccache = dir.resolve("alice.ccache");
        kdc.kinit("alice@MIT.TEST", "alice-pw", ccache);

        int code = diagnose(config("good-ccache.yaml", goodKeytab), "--ccache", ccache.toString());

        String text = out();
        assertEquals(0, code, text);
        assertTrue(lines(text, "PASS").stream().anyMatch(l -> l.contains("ticket") && l.contains("kvno 2")
                && l.contains("KDC's current kvno 2 (MIT kvno)")), text);
    }

    @Test
    void staleKeytab_failsAtLocalValidation_withTheBadkeyverHint() throws IOException {
        assumeTrue(kdc != null, MitKdc.NOT_INSTALLED);

        int code = diagnose(config("stale.yaml", staleKeytab), "--client", "alice@MIT.TEST",
                "--password-file", passwordFile.toString());

        String text = out();
        assertEquals(1, code, text);
        List<String> fails = lines(text, "FAIL");
        assertEquals(1, fails.size(), text);
        assertTrue(fails.get(0).contains("ticket") && fails.get(0).contains("badkeyver")
                && fails.get(0).contains("ticket kvno 2 but keytab has 1"), text);
        assertTrue(text.contains("fix: ticket kvno 2 but keytab has 1"), text);
        assertTrue(lines(text, "WARN").stream().anyMatch(l -> l.contains("single kvno (1)")), text);
    }

    @Test
    void missingKeytab_failsWithTheFix_andTheOtherStepsStillRun() throws IOException {
        assumeTrue(kdc != null, MitKdc.NOT_INSTALLED);

        int code = diagnose(config("missing.yaml", dir.resolve("nowhere.keytab")));

        String text = out();
        assertEquals(1, code, text);
        assertTrue(lines(text, "FAIL").stream().anyMatch(l -> l.contains("config") && l.contains("'keytab'")), text);
        assertTrue(lines(text, "FAIL").stream().anyMatch(l -> l.contains("keytab") && l.contains("does not exist")),
                text);
        assertTrue(text.contains("fix: copy the array's keytab there"), text);
        assertTrue(lines(text, "PASS").stream().anyMatch(l -> l.contains("dns") && l.contains("localhost ->")), text);
        assertTrue(lines(text, "PASS").stream().anyMatch(l -> l.contains("clock")), text);
    }

    @Test
    void unreadableKeytab_failsWithTheFix() throws IOException {
        assumeTrue(kdc != null, MitKdc.NOT_INSTALLED);
        // As root every file is readable: a directory in the keytab's place fails the read the same way.
        Path notAFile = Files.createDirectories(dir.resolve("keytab-dir"));
        Path config = Files.writeString(dir.resolve("unreadable.yaml"), """
                listen: 127.0.0.1:8080
                keytab: %s
                backends: [http://127.0.0.1:9001]
                """.formatted(notAFile));

        int code = diagnose(config);

        String text = out();
        assertEquals(1, code, text);
        assertTrue(lines(text, "FAIL").stream().anyMatch(l -> l.contains("keytab") && l.contains("is not readable")),
                text);
        assertTrue(text.contains("fix: the service user must read it: chown kerbgate"), text);
    }

    @Test
    void worldReadableKeytab_failsLikeTheConfigCheck() throws IOException {
        assumeTrue(kdc != null, MitKdc.NOT_INSTALLED);
        Path open = Files.copy(goodKeytab, dir.resolve("open.keytab"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

        int code = diagnose(config("open.yaml", open));

        String text = out();
        assertEquals(1, code, text);
        assertTrue(lines(text, "FAIL").stream().anyMatch(l -> l.contains("config") && l.contains("rw-r--r--")), text);
        assertTrue(lines(text, "WARN").stream().anyMatch(l -> l.contains("rw-r--r--")), text);
        assertTrue(text.contains("fix: chown kerbgate " + open + " && chmod 600 " + open), text);
        assertTrue(lines(text, "SKIP").stream().anyMatch(l -> l.contains("ticket")), text);
        assertFalse(text.contains("Exception"), text);
    }
}
