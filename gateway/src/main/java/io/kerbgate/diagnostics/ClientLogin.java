package io.kerbgate.diagnostics;

import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.Oid;
import org.jspecify.annotations.Nullable;

/**
 * A Kerberos client for diagnose: the JDK's JAAS {@code Krb5LoginModule} logs in (password, client keytab, or the
 * TGT of an MIT {@code FILE:} ccache) and the JDK's GSS initiator gets a service ticket from the KDC and makes the
 * {@code Negotiate} token a browser would send. The JDK reads the krb5.conf named by {@code java.security.krb5.conf};
 * {@code refreshKrb5Config} makes each login re-read it.
 */
final class ClientLogin {
    private static final String LOGIN_MODULE = "com.sun.security.auth.module.Krb5LoginModule";
    private static final Oid SPNEGO = oid("1.3.6.1.5.5.2");
    private static final Oid KRB5_PRINCIPAL_NAME = oid("1.2.840.113554.1.2.2.1");

    private final Subject subject;

    private ClientLogin(Subject subject) {
        this.subject = subject;
    }

    static ClientLogin withPassword(String client, char[] password) throws LoginException {
        Map<String, String> options = options(client);
        return login(options, callbacks -> {
            for (var callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(client);
                } else if (callback instanceof PasswordCallback pw) {
                    pw.setPassword(password);
                } else {
                    throw new UnsupportedCallbackException(callback);
                }
            }
        });
    }

    static ClientLogin withKeytab(String client, Path keytab) throws LoginException {
        Map<String, String> options = options(client);
        options.put("useKeyTab", "true");
        options.put("keyTab", keytab.toAbsolutePath().toString());
        options.put("doNotPrompt", "true");
        return login(options, callbacks -> {
            throw new UnsupportedCallbackException(callbacks[0], "a keytab login asks for nothing");
        });
    }

    /** The TGT in an MIT ccache ({@code FILE:} type, as kinit writes by default). */
    static ClientLogin withCcache(@Nullable String client, Path ccache) throws LoginException {
        Map<String, String> options = options(client);
        options.put("useTicketCache", "true");
        options.put("ticketCache", ccache.toAbsolutePath().toString());
        options.put("doNotPrompt", "true");
        return login(options, callbacks -> {
            throw new UnsupportedCallbackException(callbacks[0], "a ccache login asks for nothing");
        });
    }

    /** A fresh context for {@code service} ({@code HTTP/host@REALM}): SPNEGO, mutual authentication asked. */
    Context negotiate(String service) throws GSSException {
        return doAs(() -> {
            GSSManager manager = GSSManager.getInstance();
            GSSName name = manager.createName(service, KRB5_PRINCIPAL_NAME);
            GSSContext context = manager.createContext(name, SPNEGO, null, GSSContext.DEFAULT_LIFETIME);
            context.requestMutualAuth(true);
            context.requestCredDeleg(false);
            byte[] token = context.initSecContext(new byte[0], 0, 0);
            return new Context(context, "Negotiate " + Base64.getEncoder().encodeToString(token));
        });
    }

    /** One initiator context and its first token. */
    final class Context {
        private final GSSContext context;
        private final String header;

        Context(GSSContext context, String header) {
            this.context = context;
            this.header = header;
        }

        String header() {
            return header;
        }

        /** Feeds the acceptor's response token; true when the context completed (the AP-REP verified). */
        boolean complete(byte[] responseToken) throws GSSException {
            doAs(() -> context.initSecContext(responseToken, 0, responseToken.length));
            return context.isEstablished();
        }

        void dispose() {
            try {
                context.dispose();
            } catch (GSSException ignored) {
                // Nothing to release beyond memory.
            }
        }
    }

    private <T> T doAs(PrivilegedExceptionAction<T> action) throws GSSException {
        try {
            return Subject.doAs(subject, action);
        } catch (PrivilegedActionException e) {
            if (e.getException() instanceof GSSException g) {
                throw g;
            }
            throw new IllegalStateException(e.getException());
        }
    }

    private static Map<String, String> options(@Nullable String client) {
        Map<String, String> options = new HashMap<>();
        if (client != null) {
            options.put("principal", client);
        }
        options.put("isInitiator", "true");
        options.put("storeKey", "false");
        options.put("refreshKrb5Config", "true");
        return options;
    }

    private static ClientLogin login(Map<String, String> options,
            javax.security.auth.callback.CallbackHandler handler) throws LoginException {
        Configuration jaas = new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(LOGIN_MODULE,
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        };
        LoginContext login = new LoginContext("kerbgate-diagnose", new Subject(), handler, jaas);
        login.login();
        return new ClientLogin(login.getSubject());
    }

    private static Oid oid(String dotted) {
        try {
            return new Oid(dotted);
        } catch (GSSException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
