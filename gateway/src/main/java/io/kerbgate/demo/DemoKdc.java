package io.kerbgate.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;

/**
 * Apache Kerby's embedded KDC on a free loopback TCP port, for the demo (and tests that need a KDC with nothing
 * installed). Only {@code kerbgate demo} loads this class; the gateway's request path never does.
 */
public final class DemoKdc implements AutoCloseable {
    private final SimpleKdcServer kdc;
    private final String realm;
    private final int port;

    private DemoKdc(SimpleKdcServer kdc, String realm, int port) {
        this.kdc = kdc;
        this.realm = realm;
        this.port = port;
    }

    public static DemoKdc start(Path workDir, String realm) throws KrbException, IOException {
        int port = freePort();
        SimpleKdcServer kdc = new SimpleKdcServer();
        kdc.setWorkDir(workDir.toFile());
        kdc.setKdcRealm(realm);
        kdc.setKdcHost("127.0.0.1");
        kdc.setAllowUdp(false);
        kdc.setKdcTcpPort(port);
        kdc.init();
        kdc.start();
        return new DemoKdc(kdc, realm, port);
    }

    public void createUser(String name, String password) throws KrbException {
        kdc.createPrincipal(name + "@" + realm, password);
    }

    /** Creates a service principal with a random key and exports its keys to the keytab. */
    public void createService(String principal, Path keytab) throws KrbException {
        kdc.createPrincipal(principal);
        kdc.exportPrincipal(principal, keytab.toFile());
        // Kerby writes it with the umask's mode (0644); the gateway refuses a keytab every user can read.
        try {
            Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new KrbException("cannot make " + keytab + " private: " + e, e);
        }
    }

    /** The krb5.conf Kerby wrote for its clients (TCP, this KDC's port). */
    public Path krb5Conf() {
        return kdc.getWorkDir().toPath().resolve("krb5.conf");
    }

    public String realm() {
        return realm;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws KrbException {
        kdc.stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
