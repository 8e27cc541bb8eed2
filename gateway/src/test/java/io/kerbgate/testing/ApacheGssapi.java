package io.kerbgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A real Kerberized backend: Apache httpd with mod_auth_gssapi ({@code AuthType GSSAPI}, {@code Require valid-user})
 * on a loopback port, serving one static file, with the service keytab given, bound to the connection
 * ({@code GssapiConnectionBound On}, as IIS does by default). Its access log writes the user
 * mod_auth_gssapi authenticated ({@code REMOTE_USER}, {@code %u}) for each request: {@link #remoteUsers()}.
 */
public final class ApacheGssapi implements AutoCloseable {

    public static final String NOT_INSTALLED = "apache2 or mod_auth_gssapi not installed"
            + " (apt-get install apache2 libapache2-mod-auth-gssapi)";
    private static final Path BINARY = Path.of("/usr/sbin/apache2");
    private static final Path MODULES = Path.of("/usr/lib/apache2/modules");
    /** The body of {@code /hello.txt}. */
    public static final String HELLO = "hello from the kerberized backend\n";

    private final WorkDir dir;
    private final RunningProcess process;
    private final int port;

    private ApacheGssapi(WorkDir dir, RunningProcess process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    public static boolean isAvailable() {
        return Files.isExecutable(BINARY) && Files.exists(MODULES.resolve("mod_auth_gssapi.so"));
    }

    /**
     * @param keytab   the backend's service keytab (copied into Apache's own dir, readable by its workers)
     * @param krb5Conf the realm's krb5.conf
     */
    public static ApacheGssapi start(Path keytab, Path krb5Conf) {
        WorkDir dir = WorkDir.create("kerbgate-apache-");
        int port = FreePorts.tcp();
        try {
            // Apache's workers run as www-data when it starts as root: they read the keytab and write the rcache.
            Files.setPosixFilePermissions(dir.path(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Path www = Files.createDirectories(dir.resolve("www"));
            Files.writeString(www.resolve("hello.txt"), HELLO);
            Path rcache = Files.createDirectories(dir.resolve("rcache"));
            Files.setPosixFilePermissions(rcache, PosixFilePermissions.fromString("rwxrwxrwx"));
            // Copies of the keytab and krb5.conf, which the workers could not read where they are.
            Path ownKrb5Conf = dir.resolve("krb5.conf");
            Files.copy(krb5Conf, ownKrb5Conf);
            Files.setPosixFilePermissions(ownKrb5Conf, PosixFilePermissions.fromString("rw-r--r--"));
            Path ownKeytab = dir.resolve("backend.keytab");
            Files.copy(keytab, ownKeytab);
            Files.setPosixFilePermissions(ownKeytab, PosixFilePermissions.fromString("rw-r--r--"));
            Files.writeString(dir.resolve("apache.conf"), """
                    ServerRoot %1$s
                    ServerName localhost
                    Listen 127.0.0.1:%2$d
                    PidFile %1$s/apache.pid
                    DefaultRuntimeDir %1$s
                    ErrorLog %1$s/error.log
                    LogLevel info
                    User www-data
                    Group www-data
                    Mutex file:%1$s
                    LoadModule mpm_event_module %3$s/mod_mpm_event.so
                    LoadModule authn_core_module %3$s/mod_authn_core.so
                    LoadModule authz_core_module %3$s/mod_authz_core.so
                    LoadModule authz_user_module %3$s/mod_authz_user.so
                    LoadModule auth_gssapi_module %3$s/mod_auth_gssapi.so
                    StartServers 1
                    ServerLimit 1
                    ThreadsPerChild 8
                    MaxRequestWorkers 8
                    LogFormat "%%u %%>s \\"%%r\\"" who
                    CustomLog %1$s/access.log who
                    DocumentRoot %1$s/www
                    <Location />
                      AuthType GSSAPI
                      AuthName "kerbgate delegation backend"
                      GssapiCredStore keytab:%4$s
                      GssapiSSLonly Off
                      GssapiUseSessions Off
                      # Authenticates the connection, not each request: a later request on it is its first user's.
                      GssapiConnectionBound On
                      Require valid-user
                    </Location>
                    """.formatted(dir.path(), port, MODULES, ownKeytab));
        } catch (IOException e) {
            dir.close();
            throw new UncheckedIOException(e);
        }
        RunningProcess process = Processes.command(BINARY.toString(), "-f", dir.resolve("apache.conf").toString(),
                "-DFOREGROUND").env(java.util.Map.of("KRB5_CONFIG", dir.resolve("krb5.conf").toString(),
                "KRB5RCACHEDIR", dir.resolve("rcache").toString())).start();
        ApacheGssapi apache = new ApacheGssapi(dir, process, port);
        apache.awaitListening(Duration.ofSeconds(15));
        return apache;
    }

    public int port() {
        return port;
    }

    /** The access log: one {@code <REMOTE_USER> <status> "<request line>"} per request, {@code -} for no user. */
    public List<String> accessLog() {
        try {
            Path log = dir.resolve("access.log");
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The error log, for assertion messages. */
    public String errorLog() {
        try {
            Path log = dir.resolve("error.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening(Duration limit) {
        if (!process.awaitListening(port, limit)) {
            String log = errorLog() + process.stderr();
            close();
            throw new IllegalStateException("apache did not listen on " + port + ": " + log);
        }
    }

    @Override
    public void close() {
        process.close();
        dir.close();
    }
}
