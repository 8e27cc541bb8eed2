package io.kerbgate.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the Debian package this build made ({@code mvn verify}: jdeb writes it in {@code package}, failsafe runs
 * this in {@code integration-test}) with {@code dpkg -i}, checks what it installed, and purges it, leaving the machine
 * as it was. Needs root and dpkg (CI has both); skipped elsewhere, and skipped when a kerbgate package or user is
 * already there, which it must not remove.
 *
 * <p>One test, not several: installing takes seconds and every check needs the installed package.
 */
final class DebPackageIT {

    private static final Path DPKG = Path.of("/usr/bin/dpkg");
    private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");
    private static final Path UNITS = Path.of("/lib/systemd/system");
    private static final List<String> SHIPPED_UNITS =
            List.of("kerbgate.service", "kerbgate-rollover.service", "kerbgate-rollover.timer");
    private static final List<String> CONFFILES =
            List.of("/etc/default/kerbgate", "/etc/kerbgate/kerbgate.yaml", "/etc/kerbgate/array.yaml.example");

    @TempDir
    Path tmp;

    @Test
    void install_checkEveryFile_verifyTheUnits_purge() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to install a package");
        assumeTrue(Files.isExecutable(DPKG), "needs dpkg");
        assumeTrue(System.getProperty("kerbgate.debDir") != null, "run by failsafe (mvn verify), which names the .deb");
        Path deb = builtDeb(Path.of(System.getProperty("kerbgate.debDir")));
        assumeTrue(sh("dpkg-query", "-W", "kerbgate").exitCode() != 0, "a kerbgate package is installed already");
        assumeTrue(sh("getent", "passwd", "kerbgate").exitCode() != 0, "a kerbgate user exists already");

        Processes.Result install = sh("dpkg", "-i", deb.toString());
        try {
            assertEquals(0, install.exitCode(), "dpkg -i " + deb + ": " + install.stdout() + install.stderr());
            launcher();
            userAndDirectories();
            conffiles();
            units();
        } finally {
            Processes.Result purge = sh("dpkg", "--purge", "kerbgate");
            assertEquals(0, purge.exitCode(), purge.stdout() + purge.stderr());
        }
        // Purged: nothing of it is left, the user and group included.
        assertNotEquals(0, sh("dpkg-query", "-W", "kerbgate").exitCode());
        assertNotEquals(0, sh("getent", "passwd", "kerbgate").exitCode(), "the kerbgate user survived the purge");
        assertNotEquals(0, sh("getent", "group", "kerbgate").exitCode(), "the kerbgate group survived the purge");
        for (String gone : List.of("/usr/bin/kerbgate", "/usr/share/kerbgate", "/var/lib/kerbgate", "/etc/kerbgate",
                "/etc/default/kerbgate", "/lib/systemd/system/kerbgate.service")) {
            assertFalse(Files.exists(Path.of(gone), LinkOption.NOFOLLOW_LINKS), gone + " survived the purge");
        }
    }

    /** {@code kerbgate --version} from the jar's manifest; JAVA_OPTS from /etc/default/kerbgate, the environment's first. */
    private void launcher() throws IOException {
        Processes.Result version = Processes.command("/usr/bin/kerbgate", "--version").run();
        assertTrue(version.stdout().startsWith("kerbgate ") && !version.stdout().contains("dev"), version.stdout());
        assertEquals("rwxr-xr-x", mode("/usr/bin/kerbgate"));
        assertEquals("rw-r--r--", mode("/usr/share/kerbgate/kerbgate.jar"));

        // -XshowSettings:properties makes the JVM print "Property settings:" to stderr before it runs the jar.
        Files.writeString(Path.of("/etc/default/kerbgate"), "JAVA_OPTS=\"-XshowSettings:properties -Xmx64m\"\n");
        Processes.Result fromFile = Processes.command("/usr/bin/kerbgate", "--version").env("JAVA_OPTS", "").run();
        assertTrue(fromFile.stderr().contains("Property settings:"), "JAVA_OPTS of /etc/default/kerbgate ignored");
        Processes.Result fromEnv = Processes.command("/usr/bin/kerbgate", "--version")
                .env("JAVA_OPTS", "-Xmx96m").run();
        assertFalse(fromEnv.stderr().contains("Property settings:"), "the environment's JAVA_OPTS lost to the file");
        assertEquals(version.stdout(), fromEnv.stdout());
    }

    private void userAndDirectories() throws IOException {
        String[] passwd = sh("getent", "passwd", "kerbgate").stdout().trim().split(":");
        assertTrue(Integer.parseInt(passwd[2]) < 1000, "not a system user: uid " + passwd[2]);
        assertEquals("/var/lib/kerbgate", passwd[5]);
        assertEquals("/usr/sbin/nologin", passwd[6]);
        String group = sh("getent", "group", "kerbgate").stdout().trim();
        assertEquals(passwd[3], group.split(":")[2], "the primary group is not kerbgate: " + group);

        PosixFileAttributes state = Files.readAttributes(Path.of("/var/lib/kerbgate"), PosixFileAttributes.class);
        assertEquals("kerbgate", state.owner().getName());
        assertEquals("kerbgate", state.group().getName());
        assertEquals("rwxr-x---", PosixFilePermissions.toString(state.permissions()));
    }

    private void conffiles() throws IOException {
        String listed = sh("dpkg-query", "-W", "-f=${Conffiles}", "kerbgate").stdout();
        for (String conffile : CONFFILES) {
            assertTrue(listed.contains(" " + conffile + " "), conffile + " is not a conffile: " + listed);
            assertTrue(Files.isRegularFile(Path.of(conffile)), conffile);
        }
        // The shipped config is the production example, and every key in it is one the loader knows. It keeps its
        // keys in the state directory (keys.state_dir), so a node passes check-config before it has any: it starts,
        // reports not ready, and `kerbgate keys init` or `add-node` installs them.
        Processes.Result check = Processes.command("/usr/bin/kerbgate", "check-config")
                .env("JAVA_OPTS", "-Xmx128m").exec();
        assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
        assertTrue(check.stdout().startsWith("config OK: /etc/kerbgate/kerbgate.yaml"), check.stdout());
        assertTrue(check.stdout().contains("  backends:   http://"), "backends named by their URLs: "
                + check.stdout());
    }

    /** Every unit the package ships, and the pair {@code kerbgate keys schedule} writes, pass systemd's checker. */
    private void units() throws IOException {
        List<Path> units = new ArrayList<>();
        for (String unit : SHIPPED_UNITS) {
            Path installed = UNITS.resolve(unit);
            assertEquals("rw-r--r--", mode(installed.toString()));
            assertEquals(Files.readString(repositoryRoot().resolve("conf/systemd").resolve(unit)),
                    Files.readString(installed), unit + " differs from conf/systemd");
            units.add(installed);
        }
        Path array = Files.writeString(tmp.resolve("array.yaml"), """
                principal: HTTP/array.example.test@ARRAY.TEST
                enctypes: [aes256-cts-hmac-sha1-96]
                kdc: {type: mit}
                nodes: [{name: node1, keytab: /etc/kerbgate/http.keytab}]
                """);
        Path written = tmp.resolve("units");
        Processes.command("/usr/bin/kerbgate", "keys", "schedule", "--every", "30d", "--array", array.toString(),
                "--out", written.toString()).run();
        units.add(written.resolve("kerbgate-rollover.service"));
        units.add(written.resolve("kerbgate-rollover.timer"));
        String service = Files.readString(written.resolve("kerbgate-rollover.service"));
        assertTrue(service.contains("ExecStart=/usr/bin/kerbgate keys roll --array " + array), service);

        assumeTrue(Files.isExecutable(ANALYZE), "systemd-analyze is not installed");
        for (Path unit : units) {
            // systemd-analyze verify checks the syntax, every key, and that ExecStart's binary exists: /usr/bin/kerbgate.
            Processes.Result r = Processes.command(ANALYZE.toString(), "verify", unit.toString())
                    .timeout(Duration.ofSeconds(60)).exec();
            assertEquals(0, r.exitCode(), unit + ": " + r.stdout() + r.stderr());
            assertFalse(r.stderr().contains(unit.getFileName() + ":"), unit + ": " + r.stderr());
        }
    }

    /** The newest kerbgate_*_all.deb in the build directory. */
    private static Path builtDeb(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("kerbgate_.+_all\\.deb"))
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new AssertionError("no kerbgate_*_all.deb in " + dir + ": jdeb did not run"));
        }
    }

    private static String mode(String path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(path), LinkOption.NOFOLLOW_LINKS));
    }

    private static Processes.Result sh(String... argv) {
        return Processes.command(argv).env("DEBIAN_FRONTEND", "noninteractive").timeout(Duration.ofSeconds(120)).exec();
    }

    private static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("conf/systemd"))) {
                return d;
            }
        }
        throw new IllegalStateException("no conf/systemd above " + Path.of("").toAbsolutePath());
    }
}
