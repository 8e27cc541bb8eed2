package io.kerbgate.testing;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kerby.KOptions;
import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.admin.kadmin.local.AdminHelper;
import org.apache.kerby.kerberos.kerb.common.EncryptionUtil;
import org.apache.kerby.kerberos.kerb.crypto.EncryptionHandler;
import org.apache.kerby.kerberos.kerb.request.KrbIdentity;
import org.apache.kerby.kerberos.kerb.server.KdcConfigKey;
import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;
import org.apache.kerby.kerberos.kerb.type.base.EncryptionType;

/**
 * Apache Kerby's embedded KDC on a free loopback TCP port, in its own temp dir, for tests.
 *
 * <p><b>What it can issue.</b> Kerby 2.1 implements AES with SHA-1 (17, 18) but not RFC 8009 (19, 20): its
 * {@code EncryptionType} enum has no such values and its {@code EncryptionHandler} no such cipher, so it can neither
 * hold such a key nor issue such a ticket ({@link #canIssue}). Tickets of 19 and 20 come from {@link MitKdc}.
 *
 * <p><b>Choosing the ticket's enctype.</b> Kerby encrypts a ticket, and makes its session key, with the first enctype of
 * its own list (here 18, 17) that the client asks for; it never looks at which keys the service has. So a test that wants
 * an aes128 ticket gives its client {@link #krb5Conf(int...) krb5Conf(17)}, whose {@code default_tgs_enctypes} asks for
 * 17 only, and a service created with key 17 only. A service that lacks the enctype chosen gets no ticket.
 */
public final class KerbyKdc implements AutoCloseable {

    /** What this KDC issues, in its order of preference. */
    private static final int[] ENCTYPES = {18, 17};

    private final SimpleKdcServer server;
    private final WorkDir dir;
    private final String realm;
    private final int port;
    private final Path krb5Conf;

    private KerbyKdc(SimpleKdcServer server, WorkDir dir, String realm, int port) {
        this.server = server;
        this.dir = dir;
        this.realm = realm;
        this.port = port;
        this.krb5Conf = Krb5ConfFile.write(dir.resolve("krb5.conf"), realm, port, ENCTYPES);
    }

    /** Starts a KDC for {@code realm} on a free loopback TCP port (no UDP: every client here is told to use TCP). */
    public static KerbyKdc start(String realm) throws KrbException {
        WorkDir dir = WorkDir.create("kerbgate-kerby-");
        String previousKrb5Conf = System.getProperty(JdkKrb5.KRB5_CONF_PROPERTY);
        SimpleKdcServer server = null;
        try {
            server = new SimpleKdcServer();
            // Kerby writes a krb5.conf of its own there; ours is beside it.
            File workDir = dir.resolve("kerby").toFile();
            if (!workDir.mkdir()) {
                throw new IllegalStateException("cannot create " + workDir);
            }
            server.setWorkDir(workDir);
            server.setKdcRealm(realm);
            server.setKdcHost("127.0.0.1");
            server.setAllowUdp(false);
            int port = FreePorts.tcp();
            server.setKdcTcpPort(port);
            server.getKdcConfig().setString(KdcConfigKey.ENCRYPTION_TYPES, Krb5ConfFile.enctypeNames(ENCTYPES));
            server.init();
            server.start();
            return new KerbyKdc(server, dir, realm, port);
        } catch (KrbException | RuntimeException e) {
            stopQuietly(server, e);
            dir.close();
            throw e;
        } finally {
            // init() points java.security.krb5.conf at a file of its own for the whole JVM; JdkKrb5 decides that.
            restoreProperty(previousKrb5Conf);
        }
    }

    /** Whether Kerby's KDC can hold a key of, and issue a ticket in, enctype {@code number}. */
    public static boolean canIssue(int number) {
        EncryptionType type = EncryptionType.fromValue(number);
        return type != EncryptionType.NONE && EncryptionHandler.isImplemented(type);
    }

    public String realm() {
        return realm;
    }

    public int port() {
        return port;
    }

    /** The client krb5.conf asking for 18 then 17: tickets come out as 18 where the service has an 18 key. */
    public Path krb5Conf() {
        return krb5Conf;
    }

    /** A client krb5.conf asking for {@code enctypes} only, so that the tickets are of the first of them. */
    public Path krb5Conf(int... enctypes) {
        for (int e : enctypes) {
            requireIssuable(e);
        }
        String suffix = Arrays.stream(enctypes).mapToObj(Integer::toString).collect(Collectors.joining("-"));
        return Krb5ConfFile.write(dir.resolve("krb5-" + suffix + ".conf"), realm, port, enctypes);
    }

    /** Adds a principal with password-derived keys of 18 and 17, kvno 1. */
    public void createPrincipal(String principal, String password) throws KrbException {
        server.createPrincipal(qualify(principal), password);
    }

    /**
     * Adds a service principal with random keys of exactly {@code enctypes} (kvno 1) and writes them to {@code keytab}.
     *
     * @throws IllegalArgumentException for an enctype Kerby cannot issue (19, 20)
     */
    public void createServicePrincipalWithKeytab(String principal, Path keytab, int... enctypes) throws KrbException {
        if (enctypes.length == 0) {
            throw new IllegalArgumentException("at least one enctype is needed");
        }
        List<EncryptionType> types = Arrays.stream(enctypes).peek(KerbyKdc::requireIssuable)
                .mapToObj(EncryptionType::fromValue).toList();
        KrbIdentity identity = AdminHelper.createIdentity(qualify(principal), new KOptions());
        identity.addKeys(EncryptionUtil.generateKeys(types));
        server.getKadmin().getIdentityBackend().addIdentity(identity);
        exportKeytab(principal, keytab);
    }

    /** Appends the principal's current keys to {@code keytab} (created if absent). */
    public void exportKeytab(String principal, Path keytab) throws KrbException {
        server.exportPrincipal(qualify(principal), keytab.toFile());
        // Kerby writes it with the umask's mode (0644); the gateway refuses a keytab every user can read.
        SecretFile.chmod600(keytab);
    }

    /** Stops the KDC and deletes its temp dir. */
    @Override
    public void close() throws KrbException {
        try {
            server.stop();
        } finally {
            dir.close();
        }
    }

    private String qualify(String principal) {
        return principal.contains("@") ? principal : principal + "@" + realm;
    }

    private static void requireIssuable(int enctype) {
        if (!canIssue(enctype)) {
            throw new IllegalArgumentException("Kerby's KDC cannot issue enctype " + enctype
                    + " (no RFC 8009 in Kerby 2.1): use MitKdc");
        }
    }

    private static void restoreProperty(String previous) {
        if (previous == null) {
            System.clearProperty(JdkKrb5.KRB5_CONF_PROPERTY);
        } else {
            System.setProperty(JdkKrb5.KRB5_CONF_PROPERTY, previous);
        }
    }

    private static void stopQuietly(SimpleKdcServer server, Exception cause) {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (KrbException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
