package io.kerbgate.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * Apache Kerby's embedded KDC on a loopback TCP port (no UDP), for the demo and for tests that need a KDC with nothing
 * installed. Only {@code kerbgate demo} loads this class; the gateway's request path never does.
 *
 * <p><b>What it can issue.</b> Kerby 2.1 implements AES with SHA-1 (17, 18) but not RFC 8009 (19, 20): its
 * {@code EncryptionType} enum has no such values and its {@code EncryptionHandler} no such cipher, so it can neither
 * hold such a key nor issue such a ticket ({@link #canIssue}).
 */
public final class EmbeddedKdc implements AutoCloseable {
    private static final String KRB5_CONF_PROPERTY = "java.security.krb5.conf";

    private final SimpleKdcServer server;
    private final String realm;
    private final int port;

    private EmbeddedKdc(SimpleKdcServer server, String realm, int port) {
        this.server = server;
        this.realm = realm;
        this.port = port;
    }

    /**
     * Starts a KDC for {@code realm} on 127.0.0.1:{@code port}, keeping its database and the krb5.conf it writes for
     * its clients ({@link #kerbyKrb5Conf()}) in {@code workDir}. The JVM's {@code java.security.krb5.conf}, which
     * Kerby points at its own file while it starts, is left as it was.
     *
     * @param enctypes what the KDC issues, in its order of preference; none for Kerby's defaults
     */
    public static EmbeddedKdc start(Path workDir, String realm, int port, int... enctypes) throws KrbException {
        String previousKrb5Conf = System.getProperty(KRB5_CONF_PROPERTY);
        SimpleKdcServer server = null;
        try {
            server = new SimpleKdcServer();
            server.setWorkDir(workDir.toFile());
            server.setKdcRealm(realm);
            server.setKdcHost("127.0.0.1");
            server.setAllowUdp(false);
            server.setKdcTcpPort(port);
            if (enctypes.length > 0) {
                server.getKdcConfig().setString(KdcConfigKey.ENCRYPTION_TYPES, enctypeNames(enctypes));
            }
            server.init();
            server.start();
            return new EmbeddedKdc(server, realm, port);
        } catch (KrbException | RuntimeException e) {
            stopQuietly(server, e);
            throw e;
        } finally {
            restoreProperty(previousKrb5Conf);
        }
    }

    /** Whether Kerby's KDC can hold a key of, and issue a ticket in, enctype {@code number}. */
    public static boolean canIssue(int number) {
        EncryptionType type = EncryptionType.fromValue(number);
        return type != EncryptionType.NONE && EncryptionHandler.isImplemented(type);
    }

    /** Kerby's names of {@code enctypes}, space-separated: {@code aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96}. */
    private static String enctypeNames(int... enctypes) {
        return Arrays.stream(enctypes).peek(EmbeddedKdc::requireIssuable)
                .mapToObj(e -> EncryptionType.fromValue(e).getName()).collect(Collectors.joining(" "));
    }

    private static void requireIssuable(int enctype) {
        if (!canIssue(enctype)) {
            throw new IllegalArgumentException("Kerby's KDC cannot issue enctype " + enctype
                    + " (no RFC 8009 in Kerby 2.1): use a MIT KDC");
        }
    }

    /** Adds a principal ({@code name} or {@code name@REALM}) with password-derived keys, kvno 1. */
    public void createPrincipal(String principal, String password) throws KrbException {
        server.createPrincipal(qualify(principal), password);
    }

    /**
     * Adds a service principal with random keys (kvno 1) and writes them to {@code keytab}, mode 0600.
     *
     * @param enctypes exactly these keys; none for the KDC's own enctypes
     * @throws IllegalArgumentException for an enctype Kerby cannot issue (19, 20)
     */
    public void createService(String principal, Path keytab, int... enctypes) throws KrbException {
        if (enctypes.length == 0) {
            server.createPrincipal(qualify(principal));
        } else {
            List<EncryptionType> types = Arrays.stream(enctypes).peek(EmbeddedKdc::requireIssuable)
                    .mapToObj(EncryptionType::fromValue).toList();
            KrbIdentity identity = AdminHelper.createIdentity(qualify(principal), new KOptions());
            identity.addKeys(EncryptionUtil.generateKeys(types));
            server.getKadmin().getIdentityBackend().addIdentity(identity);
        }
        exportKeytab(principal, keytab);
    }

    /** Appends the principal's current keys to {@code keytab} (created if absent), mode 0600. */
    public void exportKeytab(String principal, Path keytab) throws KrbException {
        server.exportPrincipal(qualify(principal), keytab.toFile());
        // Kerby writes it with the umask's mode (0644); the gateway refuses a keytab every user can read.
        try {
            Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new KrbException("cannot make " + keytab + " private: " + e, e);
        }
    }

    /** The krb5.conf Kerby wrote for its clients (TCP, this KDC's port). */
    public Path kerbyKrb5Conf() {
        return server.getWorkDir().toPath().resolve("krb5.conf");
    }

    public String realm() {
        return realm;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws KrbException {
        server.stop();
    }

    private String qualify(String principal) {
        return principal.contains("@") ? principal : principal + "@" + realm;
    }

    private static void restoreProperty(String previous) {
        if (previous == null) {
            System.clearProperty(KRB5_CONF_PROPERTY);
        } else {
            System.setProperty(KRB5_CONF_PROPERTY, previous);
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
