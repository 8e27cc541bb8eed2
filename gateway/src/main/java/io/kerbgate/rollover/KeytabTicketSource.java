package io.kerbgate.rollover;

import io.kerbgate.demo.GssInitiator;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Base64;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;

/**
 * The check step's client: the array file's {@code check.client} logs in with its keytab through the JDK's own
 * Kerberos ({@code Krb5LoginModule}), asks the KDC for a ticket to the array principal and makes a SPNEGO token.
 * Each call logs in anew, so the service ticket is always a fresh one, issued under the KDC's current kvno.
 */
final class KeytabTicketSource implements TicketSource {

    private static final String KRB5_CONF = "java.security.krb5.conf";

    private final ArrayConfig.Check check;

    KeytabTicketSource(ArrayConfig.Check check) {
        this.check = check;
    }

    @Override
    public String negotiateHeader(String servicePrincipal) throws Exception {
        if (check.krb5Conf() != null) {
            // The JDK reads this once; refreshKrb5Config below makes it read it again at this login.
            System.setProperty(KRB5_CONF, check.krb5Conf().toAbsolutePath().toString());
        }
        Map<String, String> options = Map.of("principal", check.client(), "useKeyTab", "true",
                "keyTab", check.keytab().toAbsolutePath().toString(), "storeKey", "false", "doNotPrompt", "true",
                "isInitiator", "true", "useTicketCache", "false", "refreshKrb5Config", "true");
        Configuration jaas = new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(
                        "com.sun.security.auth.module.Krb5LoginModule",
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        };
        LoginContext login = new LoginContext("kerbgate-rollover-check", new Subject(), callbacks -> {
            throw new UnsupportedCallbackException(callbacks[0], "keytab login");
        }, jaas);
        login.login();
        try {
            byte[] token = Subject.doAs(login.getSubject(), (PrivilegedExceptionAction<byte[]>) () -> {
                GSSManager manager = GSSManager.getInstance();
                GSSName name = manager.createName(servicePrincipal, GssInitiator.KRB5_PRINCIPAL_NAME);
                GSSContext context = manager.createContext(name, GssInitiator.SPNEGO, null, GSSContext.DEFAULT_LIFETIME);
                try {
                    context.requestMutualAuth(false);
                    return context.initSecContext(new byte[0], 0, 0);
                } finally {
                    context.dispose();
                }
            });
            return "Negotiate " + Base64.getEncoder().encodeToString(token);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        } finally {
            login.logout();
        }
    }
}
