package io.kerbgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real MIT krb5 KDC ({@code krb5kdc -n}, in the foreground) with its own database in a temp dir, on a free loopback
 * port (TCP and UDP), administered with {@code kadmin.local}. MIT 1.15 and later issue RFC 8009 tickets (19, 20), which
 * {@link KerbyKdc} cannot.
 *
 * <p>A ticket's enctype is that of the service's strongest key, whatever the client asks for, so a service created with
 * one enctype gets tickets of that enctype. Every tool runs with {@code KRB5_CONFIG} and {@code KRB5_KDC_PROFILE}
 * pointing into the temp dir, so the machine's {@code /etc/krb5.conf}, {@code /etc/krb5kdc} and any KDC a package
 * started on port 88 are never read or contacted.
 *
 * <pre>{@code
 * assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
 * }</pre>
 */
public final class MitKdc implements AutoCloseable {

    public static final String NOT_INSTALLED = "MIT krb5 not installed: run .ci/install-test-deps";

    private static final String KRB5KDC = "/usr/sbin/krb5kdc";
    private static final String KDB5_UTIL = "/usr/sbin/kdb5_util";
    private static final String KADMIN_LOCAL = "/usr/sbin/kadmin.local";
    private static final String KINIT = "/usr/bin/kinit";
    private static final int[] ENCTYPES = {18, 17, 20, 19};
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;
    private static final Pattern KVNO = Pattern.compile("Key: vno (\\d+),");

    private final WorkDir dir;
    private final String realm;
    private final RunningProcess kdc;
    private final int port;
    private final Thread killOnExit;

    private MitKdc(WorkDir dir, String realm, RunningProcess kdc, int port) {
        this.dir = dir;
        this.realm = realm;
        this.kdc = kdc;
        this.port = port;
        // A test JVM that exits without close() (a crash, a killed build) must not leave a KDC behind.
        this.killOnExit = new Thread(kdc::close, "stop krb5kdc " + kdc.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Whether the MIT KDC, its admin tools and kinit are installed where Debian puts them. */
    public static boolean isAvailable() {
        return List.of(KRB5KDC, KDB5_UTIL, KADMIN_LOCAL, KINIT).stream().allMatch(p -> Files.isExecutable(Path.of(p)));
    }

    /** Creates a database for {@code realm} and starts the KDC on a free loopback port. */
    public static MitKdc start(String realm) {
        if (!isAvailable()) {
            throw new IllegalStateException(NOT_INSTALLED);
        }
        WorkDir dir = WorkDir.create("kerbgate-mitkdc-");
        try {
            // kdb5_util needs the realm's paths only; the port is chosen right before the KDC binds it.
            writeConfig(dir, realm, 0);
            Processes.command(KDB5_UTIL, "create", "-s", "-r", realm, "-P", "master-password")
                    .env(adminEnv(dir)).timeout(TOOL_TIMEOUT).run();
            for (int attempt = 1; ; attempt++) {
                int port = FreePorts.tcpAndUdp();
                writeConfig(dir, realm, port);
                RunningProcess kdc = Processes.command(KRB5KDC, "-n", "-r", realm).env(adminEnv(dir)).start();
                if (kdc.awaitListening(port, STARTUP_TIMEOUT)) {
                    return new MitKdc(dir, realm, kdc, port);
                }
                kdc.close();
                // Most likely someone took the port between our check and the KDC's bind: try another.
                if (attempt == START_ATTEMPTS) {
                    throw new IllegalStateException("krb5kdc did not start on 127.0.0.1:" + port + "\n" + kdc.stderr()
                            + "\n" + readQuietly(dir.resolve("kdc.log")));
                }
            }
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    public String realm() {
        return realm;
    }

    public int port() {
        return port;
    }

    /** The client krb5.conf: TCP to this KDC, enctypes 18, 17, 20, 19. */
    public Path krb5Conf() {
        return dir.resolve("krb5.conf");
    }

    /** What the KDC has logged so far: one line per AS and TGS request, with its outcome ({@code PREAUTH_FAILED}). */
    public String log() {
        return readQuietly(dir.resolve("kdc.log"));
    }

    /** {@code KRB5_CONFIG} and {@code KRB5CCNAME} for a client tool (klist, curl, python) using {@code ccache}. */
    public Map<String, String> clientEnv(Path ccache) {
        return Map.of("KRB5_CONFIG", krb5Conf().toString(), "KRB5CCNAME", "FILE:" + ccache.toAbsolutePath());
    }

    /** Runs one {@code kadmin.local} query, such as {@code "getprinc alice"}, and returns what it printed. */
    public String kadmin(String query) {
        return Processes.command(KADMIN_LOCAL, "-r", realm, "-q", query).env(adminEnv(dir)).timeout(TOOL_TIMEOUT)
                .run().stdout();
    }

    /** Adds a principal with password-derived keys of the realm's enctypes, kvno 1. */
    public void createPrincipal(String principal, String password) {
        kadmin("addprinc -pw " + word(password) + " " + word(principal));
    }

    /**
     * Adds a service principal with random keys of exactly {@code enctypes} and writes them to {@code keytab}. Its
     * tickets are of the first enctype.
     */
    public void createServicePrincipalWithKeytab(String principal, Path keytab, int... enctypes) {
        kadmin("addprinc -randkey -e " + keySalts(enctypes) + " " + word(principal));
        exportKeytab(principal, keytab);
    }

    /** Appends the principal's current keys to {@code keytab} ({@code ktadd -norandkey}: the keys and kvno stay). */
    public void exportKeytab(String principal, Path keytab) {
        kadmin("ktadd -norandkey -k " + word(keytab.toAbsolutePath().toString()) + " " + word(principal));
    }

    /** {@code cpw -pw}: new password-derived keys. @return the new kvno */
    public int changePassword(String principal, String password) {
        kadmin("cpw -pw " + word(password) + " " + word(principal));
        return kvno(principal);
    }

    /** {@code cpw -randkey}: new random keys of {@code enctypes}, or of the realm's enctypes if none. @return the new kvno */
    public int randomizeKey(String principal, int... enctypes) {
        String e = enctypes.length == 0 ? "" : "-e " + keySalts(enctypes) + " ";
        kadmin("cpw -randkey " + e + word(principal));
        return kvno(principal);
    }

    /** The principal's current key version number. */
    public int kvno(String principal) {
        String info = kadmin("getprinc " + word(principal));
        Matcher m = KVNO.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no key version in kadmin's answer:\n" + info);
        }
        return Integer.parseInt(m.group(1));
    }

    /** Gets a TGT for {@code principal} with the {@code kinit} binary into {@code ccache}. */
    public void kinit(String principal, String password, Path ccache) {
        Processes.command(KINIT, principal).env(clientEnv(ccache)).stdin(password + "\n").timeout(TOOL_TIMEOUT).run();
    }

    /** Stops the KDC and deletes the database, the stash and the logs. */
    @Override
    public void close() {
        try {
            kdc.close();
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } finally {
            dir.close();
        }
    }

    private static void writeConfig(WorkDir dir, String realm, int port) {
        Path d = dir.path().toAbsolutePath();
        // kdc_listen in [kdcdefaults] too: its default is port 88 on every address, which a KDC started by the
        // Debian package may hold.
        String listen = "127.0.0.1:" + port;
        String kdcConf = String.join("\n",
                "[kdcdefaults]",
                "  kdc_listen = " + listen,
                "  kdc_tcp_listen = " + listen,
                "",
                "[realms]",
                "  " + realm + " = {",
                "    database_name = " + d.resolve("principal"),
                "    key_stash_file = " + d.resolve("stash"),
                "    acl_file = " + d.resolve("kadm5.acl"),
                "    kdc_listen = " + listen,
                "    kdc_tcp_listen = " + listen,
                "    master_key_type = aes256-cts-hmac-sha1-96",
                "    supported_enctypes = " + keySalts(ENCTYPES).replace(',', ' '),
                "  }",
                "",
                "[logging]",
                "  kdc = FILE:" + d.resolve("kdc.log"),
                "  admin_server = FILE:" + d.resolve("kadmin.log"),
                "  default = FILE:" + d.resolve("krb5.log"),
                "");
        try {
            Files.writeString(dir.resolve("kdc.conf"), kdcConf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Krb5ConfFile.write(dir.resolve("krb5.conf"), realm, port, ENCTYPES);
    }

    private static Map<String, String> adminEnv(WorkDir dir) {
        return Map.of("KRB5_CONFIG", dir.resolve("krb5.conf").toString(),
                "KRB5_KDC_PROFILE", dir.resolve("kdc.conf").toString());
    }

    /** {@code aes256-cts-hmac-sha1-96:normal,...}, the key/salt list of kadmin's {@code -e}. */
    private static String keySalts(int... enctypes) {
        return String.join(",", Arrays.stream(Krb5ConfFile.enctypeNames(enctypes).split(" ")).map(n -> n + ":normal").toList());
    }

    // kadmin.local splits its query on white space and has its own quoting: keep arguments to one plain word.
    private static String word(String s) {
        if (s.isEmpty() || !s.matches("[\\w@./:+=-]+")) {
            throw new IllegalArgumentException("not a plain word for kadmin.local: " + s);
        }
        return s;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
