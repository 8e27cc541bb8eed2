package io.kerbgate.demo;

import java.security.PrivilegedExceptionAction;
import java.util.Base64;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.Oid;

/**
 * The JDK's own Kerberos initiator: logs a user in with a password (JAAS {@code Krb5LoginModule}, no files) and
 * makes {@code Negotiate} tokens for a service. The demo uses it as the client; tests use it as a real initiator.
 * The JDK reads {@code java.security.krb5.conf} once per process, so set it before the first login.
 */
public final class GssInitiator {
    public static final Oid SPNEGO = oid("1.3.6.1.5.5.2");
    public static final Oid KRB5 = oid("1.2.840.113554.1.2.2");
    public static final Oid KRB5_PRINCIPAL_NAME = oid("1.2.840.113554.1.2.2.1");

    private final Subject subject;

    private GssInitiator(Subject subject) {
        this.subject = subject;
    }

    public static GssInitiator login(String principal, char[] password) throws LoginException {
        Configuration jaas = new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(
                        "com.sun.security.auth.module.Krb5LoginModule",
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                        Map.of("principal", principal, "storeKey", "false", "isInitiator", "true",
                                "refreshKrb5Config", "true"))};
            }
        };
        LoginContext lc = new LoginContext("kerbgate-client", new Subject(), callbacks -> {
            for (var cb : callbacks) {
                if (cb instanceof NameCallback n) {
                    n.setName(principal);
                } else if (cb instanceof PasswordCallback p) {
                    p.setPassword(password);
                }
            }
        }, jaas);
        lc.login();
        return new GssInitiator(lc.getSubject());
    }

    /** A new security context for {@code service} (e.g. {@code HTTP/array.example.test@REALM}). */
    public Context newContext(String service, Oid mech, boolean mutual) throws GSSException {
        try {
            return Subject.doAs(subject, (PrivilegedExceptionAction<Context>) () -> {
                GSSManager m = GSSManager.getInstance();
                GSSName name = m.createName(service, KRB5_PRINCIPAL_NAME);
                GSSContext ctx = m.createContext(name, mech, null, GSSContext.DEFAULT_LIFETIME);
                ctx.requestMutualAuth(mutual);
                ctx.requestCredDeleg(false);
                return new Context(subject, ctx);
            });
        } catch (java.security.PrivilegedActionException e) {
            throw (GSSException) e.getException();
        }
    }

    /** One GSS context: its first token as a header value, and the server's answer to complete it. */
    public static final class Context {
        private final Subject subject;
        private final GSSContext ctx;

        Context(Subject subject, GSSContext ctx) {
            this.subject = subject;
            this.ctx = ctx;
        }

        public String initialHeader() throws GSSException {
            byte[] token = step(new byte[0]);
            return "Negotiate " + Base64.getEncoder().encodeToString(token);
        }

        /** Feeds the server's {@code WWW-Authenticate: Negotiate <b64>} token; true once mutual auth completed. */
        public boolean complete(String wwwAuthenticate) throws GSSException {
            String b64 = wwwAuthenticate.substring(wwwAuthenticate.indexOf(' ') + 1).trim();
            step(Base64.getDecoder().decode(b64));
            return ctx.isEstablished();
        }

        public boolean isEstablished() {
            return ctx.isEstablished();
        }

        private byte[] step(byte[] in) throws GSSException {
            try {
                return Subject.doAs(subject, (PrivilegedExceptionAction<byte[]>) () ->
                        ctx.initSecContext(in, 0, in.length));
            } catch (java.security.PrivilegedActionException e) {
                throw (GSSException) e.getException();
            }
        }
    }

    private static Oid oid(String s) {
        try {
            return new Oid(s);
        } catch (GSSException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
