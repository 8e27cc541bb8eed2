package io.kerbgate.testing;

import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.BasicAttribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.ModificationItem;
import javax.naming.ldap.InitialLdapContext;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.StartTlsRequest;
import javax.naming.ldap.StartTlsResponse;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Samba Active Directory domain controller for {@value #REALM}: provisioned in a temp dir
 * ({@code samba-tool domain provision}, about 10–40 s), started in the foreground ({@code samba -i -M single}) with
 * LDAP 389, LDAPS 636 and the KDC (with kpasswd) on 88/464 of 127.0.0.1 only, and a TLS certificate of our own CA
 * (SAN {@value #HOST} and 127.0.0.1, so clients verify it) instead of the one Samba would spend half a minute
 * generating.
 *
 * <p>The ports are fixed (AD clients and {@code samba} itself know no others), so there is ONE DC per test JVM,
 * shared by every AD test through {@link #shared()} and stopped by a shutdown hook; AD tests must not run in
 * parallel with another DC. Contents: the ASA user {@value #ASA} with SPN {@code HTTP/}{@value #ARRAY_HOST} and AES
 * only, {@code alice} (member of {@code web-users}) and {@code bob} (not).
 */
public final class SambaDc implements AutoCloseable {

    public static final String REALM = "AD.KERBGATE.TEST";
    public static final String DNS_DOMAIN = "ad.kerbgate.test";
    public static final String HOST = "dc1.ad.kerbgate.test";
    public static final String BASE_DN = "DC=ad,DC=kerbgate,DC=test";
    public static final String ADMIN_PASSWORD = "Adm1n-Kerbgate-Test!";
    public static final String ASA = "asa-array";
    public static final String ARRAY_HOST = "array.ad.kerbgate.test";
    public static final String ARRAY_SPN = "HTTP/" + ARRAY_HOST;
    public static final String ASA_PASSWORD = "Asa-Initial-Pass-1234!";
    public static final String ALICE_PASSWORD = "Alice-Pass-1234!x";
    public static final String BOB_PASSWORD = "Bob-Pass-1234!x";
    public static final String NOT_AVAILABLE = "Samba AD DC not installed (apt-get install samba-ad-dc "
            + "samba-ad-provision krb5-user) or ports 88/389/636 of 127.0.0.1 are taken";

    private static final String SAMBA = "/usr/sbin/samba";
    private static final String SAMBA_TOOL = "/usr/bin/samba-tool";
    private static final String KINIT = "/usr/bin/kinit";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern SID = Pattern.compile("objectSid: (S-1-5-21-[0-9-]+)");

    private static SambaDc shared;
    private static RuntimeException sharedFailure;

    private final WorkDir dir;
    private final RunningProcess samba;
    private final Duration provisionTime;
    private final Duration startTime;

    private SambaDc(WorkDir dir, RunningProcess samba, Duration provisionTime, Duration startTime) {
        this.dir = dir;
        this.samba = samba;
        this.provisionTime = provisionTime;
        this.startTime = startTime;
    }

    /** Whether Samba's DC and MIT's kinit are installed and the DC's ports are free. */
    public static synchronized boolean isAvailable() {
        if (shared != null) {
            return true;
        }
        return List.of(SAMBA, SAMBA_TOOL, KINIT, "/usr/bin/openssl").stream()
                .allMatch(p -> Files.isExecutable(Path.of(p))) && !listening(88) && !listening(389)
                && !listening(636);
    }

    /**
     * The DC of this JVM, provisioned and started at the first call. Callers first check {@link #isAvailable()} (or
     * hold the DC already): a DC that fails to start fails every test that asks for it, with the same message.
     */
    public static synchronized SambaDc shared() {
        if (shared != null) {
            return shared;
        }
        if (sharedFailure != null) {
            throw sharedFailure;
        }
        try {
            shared = start();
            SambaDc dc = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(dc::close, "stop samba"));
            return shared;
        } catch (RuntimeException e) {
            sharedFailure = e;
            throw e;
        }
    }

    private static SambaDc start() {
        WorkDir dir = WorkDir.create("kerbgate-samba-");
        try {
            Path tls = Files.createDirectories(dir.resolve("tls"));
            makeCertificates(tls);
            long t0 = System.nanoTime();
            Processes.command(SAMBA_TOOL, "domain", "provision", "--use-rfc2307", "--realm=" + REALM,
                    "--domain=KERBGATE", "--server-role=dc", "--dns-backend=NONE", "--host-name=dc1",
                    "--adminpass=" + ADMIN_PASSWORD, "--targetdir=" + dir.resolve("dc"),
                    "--option=interfaces=lo", "--option=bind interfaces only=yes",
                    "--option=server services=ldap, kdc",
                    "--option=tls enabled=yes", "--option=tls keyfile=" + tls.resolve("key.pem"),
                    "--option=tls certfile=" + tls.resolve("cert.pem"), "--option=tls cafile=" + tls.resolve("ca.pem"),
                    "--option=log file=" + dir.resolve("samba.log"))
                    .timeout(Duration.ofMinutes(3)).run();
            Duration provision = Duration.ofNanos(System.nanoTime() - t0);
            Files.writeString(dir.resolve("krb5.conf"), """
                    [libdefaults]
                        default_realm = %s
                        dns_lookup_realm = false
                        dns_lookup_kdc = false
                        rdns = false
                        udp_preference_limit = 1
                    [realms]
                        %s = {
                            kdc = 127.0.0.1
                            admin_server = 127.0.0.1
                            kpasswd_server = 127.0.0.1
                        }
                    [domain_realm]
                        .%s = %s
                    """.formatted(REALM, REALM, DNS_DOMAIN, REALM));
            t0 = System.nanoTime();
            RunningProcess samba = Processes.command(SAMBA, "-i", "-M", "single", "--debug-stdout", "-d", "1", "-s",
                    dir.resolve("dc/etc/smb.conf").toString()).start();
            long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            while (!(listening(88) && listening(636) && listening(389))) {
                if (!samba.isAlive() || System.nanoTime() > deadline) {
                    samba.close();
                    throw new IllegalStateException("samba did not start: " + samba.await(Duration.ofSeconds(5))
                            .stdout());
                }
                Thread.sleep(200);
            }
            SambaDc dc = new SambaDc(dir, samba, provision, Duration.ofNanos(System.nanoTime() - t0));
            t0 = System.nanoTime();
            dc.populate();
            System.err.printf("samba AD DC %s: provisioned in %d ms, started in %d ms, users and groups in %d ms%n",
                    REALM, provision.toMillis(), dc.startTime.toMillis(), (System.nanoTime() - t0) / 1_000_000);
            return dc;
        } catch (IOException e) {
            dir.close();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            dir.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private void populate() {
        tool("user", "create", ASA, ASA_PASSWORD);
        tool("user", "setexpiry", ASA, "--noexpiry");
        tool("spn", "add", ARRAY_SPN, ASA);
        tool("user", "create", "alice", ALICE_PASSWORD);
        tool("user", "create", "bob", BOB_PASSWORD);
        tool("group", "add", "web-users");
        tool("group", "addmembers", "web-users", "alice");
        // AES only: without msDS-SupportedEncryptionTypes the DC issues RC4 tickets for a user account's SPN.
        modify("CN=" + ASA + ",CN=Users," + BASE_DN, "msDS-SupportedEncryptionTypes", "24");
    }

    /** Runs {@code samba-tool <args> -s smb.conf}. */
    public Processes.Result tool(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(SAMBA_TOOL));
        argv.addAll(List.of(args));
        argv.addAll(List.of("-s", smbConf().toString()));
        return Processes.command(argv).timeout(Duration.ofMinutes(1)).run();
    }

    /** The objectSid of a user or group. */
    public String sid(String name, boolean group) {
        String out = tool(group ? "group" : "user", "show", name, "--attributes=objectSid").stdout();
        Matcher m = SID.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no objectSid for " + name + ": " + out);
        }
        return m.group(1);
    }

    /** Replaces one attribute as Administrator over StartTLS. */
    public void modify(String dn, String attribute, Object value) {
        try {
            LdapContext ctx = adminLdap();
            try {
                ctx.modifyAttributes(dn, new ModificationItem[] {new ModificationItem(DirContext.REPLACE_ATTRIBUTE,
                        new BasicAttribute(attribute, value))});
            } finally {
                ctx.close();
            }
        } catch (NamingException e) {
            throw new IllegalStateException("modify " + dn + " " + attribute + ": " + e, e);
        }
    }

    private LdapContext adminLdap() throws NamingException {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, "ldap://127.0.0.1:389");
        env.put(Context.SECURITY_AUTHENTICATION, "none");
        LdapContext ctx = new InitialLdapContext(env, null);
        try {
            StartTlsResponse tls = (StartTlsResponse) ctx.extendedOperation(new StartTlsRequest());
            tls.negotiate(sslContext().getSocketFactory());
        } catch (IOException | java.security.GeneralSecurityException e) {
            ctx.close();
            throw new IllegalStateException("StartTLS to the DC: " + e, e);
        }
        ctx.addToEnvironment(Context.SECURITY_AUTHENTICATION, "simple");
        ctx.addToEnvironment(Context.SECURITY_PRINCIPAL, "Administrator@" + DNS_DOMAIN);
        ctx.addToEnvironment(Context.SECURITY_CREDENTIALS, ADMIN_PASSWORD);
        ctx.reconnect(null);
        return ctx;
    }

    private SSLContext sslContext() throws IOException, java.security.GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile())) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            store.setCertificateEntry("ca", ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** Our CA, which signed the DC's LDAPS certificate (SAN {@value #HOST}, IP 127.0.0.1). */
    public Path caFile() {
        return dir.resolve("tls/ca.pem");
    }

    public Path smbConf() {
        return dir.resolve("dc/etc/smb.conf");
    }

    /** A client krb5.conf: KDC on 127.0.0.1, TCP. */
    public Path krb5Conf() {
        return dir.resolve("krb5.conf");
    }

    public Path dir() {
        return dir.path();
    }

    public Duration provisionTime() {
        return provisionTime;
    }

    public Duration startTime() {
        return startTime;
    }

    /** Environment for MIT client tools against this DC with {@code ccache}. */
    public Map<String, String> clientEnv(Path ccache) {
        return Map.of("KRB5_CONFIG", krb5Conf().toString(), "KRB5CCNAME", "FILE:" + ccache);
    }

    public void kinit(String principal, String password, Path ccache) {
        Processes.command(KINIT, principal).env(clientEnv(ccache)).stdin(password + "\n").run();
    }

    /** {@code samba-tool domain exportkeytab}: the keys the DC holds for {@code principal}. */
    public void exportKeytab(String principal, Path keytab) {
        tool("domain", "exportkeytab", keytab.toString(), "--principal=" + principal);
    }

    /**
     * The DC's keys of {@code account} (AES only), written under {@code principal} (an SPN of the account, with
     * realm) as {@code ktpass} would: what a gateway node holds.
     */
    public Path exportKeytabAs(String account, String principal, Path keytab) {
        try {
            Path raw = Files.createTempFile(dir.path(), "export", ".keytab");
            Files.delete(raw);
            exportKeytab(account, raw);
            List<KeytabEntry> entries = new java.util.ArrayList<>();
            for (KeytabEntry e : KeytabFile.parse(Files.readAllBytes(raw))) {
                if (e.enctype() == 17 || e.enctype() == 18) {
                    entries.add(new KeytabEntry(principal, e.nameType(), e.timestamp(), e.kvno(), e.enctype(),
                            e.key()));
                }
            }
            SecretFile.write(keytab, KeytabFile.write(entries));
            Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-------"));
            return keytab;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (KeytabException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        samba.close();
        dir.close();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void makeCertificates(Path tls) throws IOException {
        String openssl = "/usr/bin/openssl";
        Files.writeString(tls.resolve("ext.cnf"), "subjectAltName=DNS:" + HOST + ",IP:127.0.0.1\n"
                + "extendedKeyUsage=serverAuth\n");
        Processes.command(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3",
                "-keyout", tls.resolve("ca.key").toString(), "-out", tls.resolve("ca.pem").toString(),
                "-subj", "/CN=kerbgate test CA").run();
        Processes.command(openssl, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", tls.resolve("key.pem").toString(),
                "-out", tls.resolve("req.csr").toString(), "-subj", "/CN=" + HOST).run();
        Processes.command(openssl, "x509", "-req", "-days", "3", "-in", tls.resolve("req.csr").toString(),
                "-CA", tls.resolve("ca.pem").toString(), "-CAkey", tls.resolve("ca.key").toString(),
                "-CAcreateserial", "-out", tls.resolve("cert.pem").toString(),
                "-extfile", tls.resolve("ext.cnf").toString()).run();
        Files.setPosixFilePermissions(tls.resolve("key.pem"), PosixFilePermissions.fromString("rw-------"));
    }
}
