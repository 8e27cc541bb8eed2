package io.kerbgate.initiator;

import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.HashMap;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.ietf.jgss.ChannelBinding;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.Oid;
import org.jspecify.annotations.Nullable;

/**
 * The JDK's own Kerberos initiator: one JAAS {@code Krb5LoginModule} login (a programmatic configuration, no JAAS
 * file) with a password, a keytab or the TGT of a ccache, then as many {@link Negotiation}s as wanted.
 *
 * <p>Every {@link #negotiate} builds a new context and so a new authenticator (fresh ctime, cusec and subkey): no two
 * tokens are replays of each other. The service ticket stays in the login's {@link Subject}, so later contexts for
 * the same service need no KDC round trip; log in anew for a ticket under the KDC's current kvno.
 *
 * <p>The JDK reads the krb5.conf named by {@code java.security.krb5.conf}; {@code refreshKrb5Config} makes each login
 * re-read it, so set the property before logging in.
 */
public final class GssInitiator implements AutoCloseable {
    private static final String LOGIN_MODULE = "com.sun.security.auth.module.Krb5LoginModule";
    private static final Oid KRB5_PRINCIPAL_NAME = GssMech.oid("1.2.840.113554.1.2.2.1");

    private final LoginContext login;

    private GssInitiator(LoginContext login) {
        this.login = login;
    }

    /** Logs {@code principal} in with its password (an AS exchange with the KDC). */
    public static GssInitiator withPassword(String principal, char[] password) throws LoginException {
        return login(options(principal), callbacks -> {
            for (var callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(principal);
                } else if (callback instanceof PasswordCallback pw) {
                    pw.setPassword(password);
                } else {
                    throw new UnsupportedCallbackException(callback);
                }
            }
        });
    }

    /** Logs {@code principal} in with its key from {@code keytab}. */
    public static GssInitiator withKeytab(String principal, Path keytab) throws LoginException {
        Map<String, String> options = options(principal);
        options.put("useKeyTab", "true");
        options.put("keyTab", keytab.toAbsolutePath().toString());
        options.put("doNotPrompt", "true");
        return login(options, callbacks -> {
            throw new UnsupportedCallbackException(callbacks[0], "a keytab login asks for nothing");
        });
    }

    /**
     * Logs {@code principal} in with its key from {@code keytab} and keeps the keytab in the subject
     * ({@code storeKey}), so that the same subject both accepts tickets to {@code principal} and initiates with its
     * TGT: what constrained delegation (S4U2Proxy) needs. The keytab is read afresh at each acceptance, so a rolled
     * key is seen without a new login.
     */
    public static GssInitiator withServiceKeytab(String principal, Path keytab) throws LoginException {
        Map<String, String> options = options(principal);
        options.put("useKeyTab", "true");
        options.put("keyTab", keytab.toAbsolutePath().toString());
        options.put("storeKey", "true");
        options.put("doNotPrompt", "true");
        return login(options, callbacks -> {
            throw new UnsupportedCallbackException(callbacks[0], "a keytab login asks for nothing");
        });
    }

    /** The TGT in an MIT ccache ({@code FILE:} type, as kinit writes by default); {@code principal} may be null. */
    public static GssInitiator withCcache(@Nullable String principal, Path ccache) throws LoginException {
        Map<String, String> options = options(principal);
        options.put("useTicketCache", "true");
        options.put("ticketCache", ccache.toAbsolutePath().toString());
        options.put("doNotPrompt", "true");
        return login(options, callbacks -> {
            throw new UnsupportedCallbackException(callbacks[0], "a ccache login asks for nothing");
        });
    }

    /**
     * Starts a new context with the service {@code principal} ({@code HTTP/array.example.test@REALM}) and makes its
     * first token.
     *
     * @param mutual   whether to ask for mutual authentication: the context then completes only once the server's
     *                 response token is fed back ({@link Negotiation#complete})
     * @param bindings channel bindings, which the JDK hashes into the authenticator (RFC 4121 §4.1.1.2), or null
     */
    public Negotiation negotiate(String principal, GssMech mech, boolean mutual, @Nullable ChannelBinding bindings)
            throws GSSException {
        return negotiate(principal, KRB5_PRINCIPAL_NAME, mech, mutual, bindings);
    }

    /** {@link #negotiate(String, GssMech, boolean, ChannelBinding)} without channel bindings. */
    public Negotiation negotiate(String principal, GssMech mech, boolean mutual) throws GSSException {
        return negotiate(principal, mech, mutual, null);
    }

    /** {@link #negotiate(String, GssMech, boolean, ChannelBinding)} for a host-based service name, {@code HTTP@host}. */
    public Negotiation negotiateHostBased(String service, GssMech mech, boolean mutual,
            @Nullable ChannelBinding bindings) throws GSSException {
        return negotiate(service, GSSName.NT_HOSTBASED_SERVICE, mech, mutual, bindings);
    }

    private Negotiation negotiate(String target, Oid nameType, GssMech mech, boolean mutual,
            @Nullable ChannelBinding bindings) throws GSSException {
        return doAs(() -> {
            GSSManager manager = GSSManager.getInstance();
            GSSName name = manager.createName(target, nameType);
            GSSContext context = manager.createContext(name, mech.oid(), null, GSSContext.DEFAULT_LIFETIME);
            context.requestMutualAuth(mutual);
            context.requestCredDeleg(false);
            if (bindings != null) {
                context.setChannelBinding(bindings);
            }
            byte[] token = context.initSecContext(new byte[0], 0, 0);
            return new Negotiation(this, context, token);
        });
    }

    /**
     * Runs {@code action} as the logged-in subject, so that the JDK's GSS code inside it (a SASL GSSAPI bind, say)
     * finds the login's tickets; throws what the action threw, a {@link GSSException} as itself.
     */
    public <T> T doAs(PrivilegedExceptionAction<T> action) throws GSSException {
        try {
            return Subject.doAs(login.getSubject(), action);
        } catch (PrivilegedActionException e) {
            if (e.getException() instanceof GSSException g) {
                throw g;
            }
            throw new IllegalStateException(e.getException());
        }
    }

    /** The login's subject, for code that calls {@link Subject#doAs} with checked exceptions of its own. */
    public Subject subject() {
        return login.getSubject();
    }

    /** Logs out: the TGT and service tickets leave the subject. */
    @Override
    public void close() throws LoginException {
        login.logout();
    }

    private static Map<String, String> options(@Nullable String principal) {
        Map<String, String> options = new HashMap<>();
        if (principal != null) {
            options.put("principal", principal);
        }
        options.put("isInitiator", "true");
        // Only what this login obtains: never the ticket cache of the machine it runs on, unless asked.
        options.put("useTicketCache", "false");
        options.put("storeKey", "false");
        options.put("refreshKrb5Config", "true");
        return options;
    }

    private static GssInitiator login(Map<String, String> options, CallbackHandler handler) throws LoginException {
        Configuration jaas = new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(LOGIN_MODULE,
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        };
        LoginContext login = new LoginContext("kerbgate-initiator", new Subject(), handler, jaas);
        login.login();
        return new GssInitiator(login);
    }
}
