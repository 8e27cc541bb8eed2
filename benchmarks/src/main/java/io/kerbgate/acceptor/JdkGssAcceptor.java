package io.kerbgate.acceptor;

import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSCredential;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.Oid;

/**
 * The baseline: the JDK's own GSS acceptor, set up the way Java servers set it up (Jetty's SPNEGOLoginService,
 * Spring's SunJaasKerberosTicketValidator, hadoop-auth): a JAAS {@code Krb5LoginModule} login with
 * {@code isInitiator=false storeKey=true useKeyTab=true}, one acceptor credential for SPNEGO and krb5 made once, and
 * per request {@code GSSManager.createContext(credential)} + {@code acceptSecContext}.
 *
 * <p>Per request it does what {@link SpnegoAcceptor#authenticate} does: base64-decode the header's token, accept
 * it (ticket and authenticator decryption, checks, the JVM-wide replay cache, the AP-REP for mutual
 * authentication), read the client name and return the output token.
 *
 * <p>The JDK reads its krb5.conf once per JVM, so this writes one (default realm, five-minute skew, no DNS) and a
 * keytab to a temporary directory and points {@code java.security.krb5.conf} at it before any Kerberos class loads;
 * each benchmark fork is a fresh JVM.
 */
final class JdkGssAcceptor implements AutoCloseable {
    private static final String JAAS_ENTRY = "kerbgate-bench-acceptor";

    private final GSSManager manager = GSSManager.getInstance();
    private final Path dir;
    private final LoginContext login;
    private final GSSCredential credential;

    JdkGssAcceptor(List<KeytabEntry> keytab, String principal, String realm) throws Exception {
        dir = Files.createTempDirectory("kerbgate-bench-jdk");
        Path keytabFile = dir.resolve("http.keytab");
        Files.write(keytabFile, KeytabFile.write(keytab));
        Path krb5Conf = dir.resolve("krb5.conf");
        Files.writeString(krb5Conf, String.join("\n",
                "[libdefaults]",
                "  default_realm = " + realm,
                "  clockskew = 300",
                "  dns_lookup_kdc = false",
                "  dns_lookup_realm = false",
                "[realms]",
                "  " + realm + " = {",
                "    kdc = 127.0.0.1:1",
                "  }",
                ""));
        System.setProperty("java.security.krb5.conf", krb5Conf.toString());

        login = new LoginContext(JAAS_ENTRY, new Subject(), null, jaas(keytabFile, principal));
        login.login();
        Oid spnego = new Oid("1.3.6.1.5.5.2");
        Oid krb5 = new Oid("1.2.840.113554.1.2.2");
        Oid krb5PrincipalName = new Oid("1.2.840.113554.1.2.2.1");
        credential = Subject.doAs(login.getSubject(), (PrivilegedExceptionAction<GSSCredential>) () ->
                manager.createCredential(manager.createName(principal, krb5PrincipalName),
                        GSSCredential.INDEFINITE_LIFETIME, new Oid[] {spnego, krb5}, GSSCredential.ACCEPT_ONLY));
    }

    /**
     * Accepts one {@code Negotiate} header.
     *
     * @return the output token (SPNEGO NegTokenResp with the AP-REP)
     * @throws GSSException when the JDK refuses the token, which a benchmark token must never make it do
     */
    Accepted accept(String authorization) throws GSSException {
        byte[] token = Base64.getDecoder().decode(authorization.substring(authorization.indexOf(' ') + 1));
        GSSContext context = manager.createContext(credential);
        try {
            byte[] response = context.acceptSecContext(token, 0, token.length);
            if (!context.isEstablished()) {
                throw new IllegalStateException("the JDK wants a second leg for a benchmark token");
            }
            GSSName client = context.getSrcName();
            return new Accepted(client.toString(), response);
        } finally {
            context.dispose();
        }
    }

    record Accepted(String client, byte[] response) {}

    @Override
    public void close() throws Exception {
        credential.dispose();
        login.logout();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            // Left in the temporary directory; it holds only a throwaway random key.
        }
        Files.deleteIfExists(dir);
    }

    private static Configuration jaas(Path keytab, String principal) {
        AppConfigurationEntry entry = new AppConfigurationEntry("com.sun.security.auth.module.Krb5LoginModule",
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of(
                        "useKeyTab", "true",
                        "keyTab", keytab.toString(),
                        "principal", principal,
                        "storeKey", "true",
                        "isInitiator", "false",
                        "doNotPrompt", "true"));
        return new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return JAAS_ENTRY.equals(name) ? new AppConfigurationEntry[] {entry} : null;
            }
        };
    }
}
