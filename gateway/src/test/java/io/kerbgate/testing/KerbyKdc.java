package io.kerbgate.testing;

import io.kerbgate.demo.EmbeddedKdc;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.kerby.kerberos.kerb.KrbException;

/**
 * The demo's {@link EmbeddedKdc} (Apache Kerby) on a free loopback TCP port, in its own temp dir, for tests, with
 * client krb5.conf files of the tests' making ({@link Krb5ConfFile}).
 *
 * <p><b>What it can issue.</b> AES with SHA-1 (17, 18) but not RFC 8009 (19, 20) ({@link #canIssue}); tickets of 19
 * and 20 come from {@link MitKdc}.
 *
 * <p><b>Choosing the ticket's enctype.</b> Kerby encrypts a ticket, and makes its session key, with the first enctype of
 * its own list (here 18, 17) that the client asks for; it never looks at which keys the service has. So a test that wants
 * an aes128 ticket gives its client {@link #krb5Conf(int...) krb5Conf(17)}, whose {@code default_tgs_enctypes} asks for
 * 17 only, and a service created with key 17 only. A service that lacks the enctype chosen gets no ticket.
 */
public final class KerbyKdc implements AutoCloseable {

    /** What this KDC issues, in its order of preference. */
    private static final int[] ENCTYPES = {18, 17};

    private final EmbeddedKdc kdc;
    private final WorkDir dir;
    private final Path krb5Conf;

    private KerbyKdc(EmbeddedKdc kdc, WorkDir dir) {
        this.kdc = kdc;
        this.dir = dir;
        this.krb5Conf = Krb5ConfFile.write(dir.resolve("krb5.conf"), kdc.realm(), kdc.port(), ENCTYPES);
    }

    /** Starts a KDC for {@code realm} on a free loopback TCP port (no UDP: every client here is told to use TCP). */
    public static KerbyKdc start(String realm) throws KrbException {
        WorkDir dir = WorkDir.create("kerbgate-kerby-");
        try {
            // Kerby writes a krb5.conf of its own there; ours is beside it.
            Path workDir = dir.resolve("kerby");
            if (!workDir.toFile().mkdir()) {
                throw new IllegalStateException("cannot create " + workDir);
            }
            return new KerbyKdc(EmbeddedKdc.start(workDir, realm, FreePorts.tcp(), ENCTYPES), dir);
        } catch (KrbException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** Whether Kerby's KDC can hold a key of, and issue a ticket in, enctype {@code number}. */
    public static boolean canIssue(int number) {
        return EmbeddedKdc.canIssue(number);
    }

    public String realm() {
        return kdc.realm();
    }

    public int port() {
        return kdc.port();
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
        return Krb5ConfFile.write(dir.resolve("krb5-" + suffix + ".conf"), kdc.realm(), kdc.port(), enctypes);
    }

    /** Adds a principal with password-derived keys of 18 and 17, kvno 1. */
    public void createPrincipal(String principal, String password) throws KrbException {
        kdc.createPrincipal(principal, password);
    }

    /**
     * Adds a service principal with random keys of exactly {@code enctypes} (kvno 1) and writes them to {@code keytab}.
     *
     * @throws IllegalArgumentException for no enctype, or one Kerby cannot issue (19, 20)
     */
    public void createServicePrincipalWithKeytab(String principal, Path keytab, int... enctypes) throws KrbException {
        if (enctypes.length == 0) {
            throw new IllegalArgumentException("at least one enctype is needed");
        }
        for (int e : enctypes) {
            requireIssuable(e);
        }
        kdc.createService(principal, keytab, enctypes);
    }

    /** Appends the principal's current keys to {@code keytab} (created if absent), mode 0600. */
    public void exportKeytab(String principal, Path keytab) throws KrbException {
        kdc.exportKeytab(principal, keytab);
    }

    /** Stops the KDC and deletes its temp dir. */
    @Override
    public void close() throws KrbException {
        try {
            kdc.close();
        } finally {
            dir.close();
        }
    }

    private static void requireIssuable(int enctype) {
        if (!canIssue(enctype)) {
            throw new IllegalArgumentException("Kerby's KDC cannot issue enctype " + enctype
                    + " (no RFC 8009 in Kerby 2.1): use MitKdc");
        }
    }
}
