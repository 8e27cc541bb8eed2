package io.kerbgate.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
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

/**
 * The JDK's own GSS initiator, logged in once through JAAS {@code Krb5LoginModule} (a programmatic configuration, no
 * JAAS file), making {@code Authorization: Negotiate} tokens for a service.
 *
 * <p>Every {@link #negotiate} builds a new context and so a new authenticator (fresh ctime, cusec and subkey): no two
 * tokens are replays of each other. The service ticket is fetched once and kept in the login's {@link Subject}, so
 * {@link #headers} makes many tokens quickly for load tests.
 */
public final class GssClient implements AutoCloseable {

    private static final String LOGIN_MODULE = "com.sun.security.auth.module.Krb5LoginModule";
    private static final Oid KRB5_PRINCIPAL_NAME = oid("1.2.840.113554.1.2.2.1");

    private final Path krb5Conf;
    private final LoginContext login;

    private GssClient(Path krb5Conf, LoginContext login) {
        this.krb5Conf = krb5Conf;
        this.login = login;
    }

    /** Logs {@code principal} in with its password (an AS exchange with the KDC of {@code krb5Conf}). */
    public static GssClient withPassword(Path krb5Conf, String principal, String password) throws LoginException {
        return login(krb5Conf, initiatorOptions(principal), callbacks -> {
            for (Callback callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(principal);
                } else if (callback instanceof PasswordCallback pw) {
                    pw.setPassword(password.toCharArray());
                } else {
                    throw new UnsupportedCallbackException(callback);
                }
            }
        });
    }

    /** Logs {@code principal} in with its key from {@code keytab}. */
    public static GssClient withKeytab(Path krb5Conf, String principal, Path keytab) throws LoginException {
        Map<String, String> options = initiatorOptions(principal);
        options.put("useKeyTab", "true");
        options.put("keyTab", keytab.toAbsolutePath().toString());
        options.put("doNotPrompt", "true");
        return login(krb5Conf, options, callbacks -> {
            throw new UnsupportedCallbackException(callbacks[0], "keytab login asks for nothing");
        });
    }

    /**
     * Starts a new context with {@code target} and returns its first token.
     *
     * @param target {@code HTTP@array.example.test} (host-based service) or {@code HTTP/array.example.test@REALM}
     * @param mutual whether to ask for mutual authentication: the context then completes only once the server's
     *               response token is fed back with {@link Negotiation#acceptResponse}
     */
    public Negotiation negotiate(String target, GssMech mech, boolean mutual) throws Exception {
        return negotiate(target, mech, mutual, null);
    }

    /**
     * {@link #negotiate(String, GssMech, boolean)} with channel bindings, which the JDK hashes into the authenticator
     * (RFC 4121 §4.1.1.2). Mind the address types: a plain {@code new ChannelBinding(data)} hashes them as 255
     * (GSS_C_AF_NULLADDR), while the JDK's own HTTPS and LDAP clients use {@code TlsChannelBindingImpl}, which hashes
     * them as 0 (GSS_C_AF_UNSPEC) like MIT and Windows.
     */
    public Negotiation negotiate(String target, GssMech mech, boolean mutual, ChannelBinding bindings)
            throws Exception {
        return JdkKrb5.call(krb5Conf, () -> JdkKrb5.doAs(login.getSubject(), () -> {
            GSSManager manager = GSSManager.getInstance();
            GSSContext context = manager.createContext(serviceName(manager, target), mech.oid(), null,
                    GSSContext.DEFAULT_LIFETIME);
            context.requestMutualAuth(mutual);
            if (bindings != null) {
                context.setChannelBinding(bindings);
            }
            byte[] token = context.initSecContext(new byte[0], 0, 0);
            return new Negotiation(context, token);
        }));
    }

    /** The header value of a fresh SPNEGO token with mutual authentication asked, as a browser sends it. */
    public String header(String target) throws Exception {
        return negotiate(target, GssMech.SPNEGO, true).headerValue();
    }

    /** {@code count} header values, each from a new context; their contexts are disposed of. */
    public List<String> headers(String target, GssMech mech, int count) throws Exception {
        List<String> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Negotiation negotiation = negotiate(target, mech, false);
            headers.add(negotiation.headerValue());
            negotiation.dispose();
        }
        return headers;
    }

    /** Logs out: the TGT and service tickets leave the subject. */
    @Override
    public void close() throws LoginException {
        login.logout();
    }

    private static Map<String, String> initiatorOptions(String principal) {
        Map<String, String> options = new HashMap<>();
        options.put("principal", principal);
        options.put("isInitiator", "true");
        // Only what this login obtains: never a ticket cache or keytab of the machine the test runs on.
        options.put("useTicketCache", "false");
        options.put("storeKey", "false");
        return options;
    }

    private static GssClient login(Path krb5Conf, Map<String, String> options,
            CallbackHandler handler) throws LoginException {
        Configuration jaas = new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(LOGIN_MODULE,
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        };
        LoginContext login = new LoginContext("kerbgate-test-initiator", new Subject(), handler, jaas);
        try {
            JdkKrb5.call(krb5Conf, () -> {
                login.login();
                return null;
            });
        } catch (LoginException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("login of " + options.get("principal") + " failed", e);
        }
        return new GssClient(krb5Conf, login);
    }

    static GSSName serviceName(GSSManager manager, String target) throws GSSException {
        return target.contains("/")
                ? manager.createName(target, KRB5_PRINCIPAL_NAME)
                : manager.createName(target, GSSName.NT_HOSTBASED_SERVICE);
    }

    static Oid oid(String dotted) {
        try {
            return new Oid(dotted);
        } catch (GSSException e) {
            throw new AssertionError("constant OID " + dotted + " does not parse", e);
        }
    }

    /** One initiator context: its first token, and the means to finish it with the server's answer. */
    public static final class Negotiation {
        private static final String SCHEME = "Negotiate ";

        private final GSSContext context;
        private final byte[] token;

        Negotiation(GSSContext context, byte[] token) {
            this.context = context;
            this.token = token;
        }

        public byte[] token() {
            return token.clone();
        }

        /** {@code Negotiate <base64>}, the value of the {@code Authorization} header. */
        public String headerValue() {
            return SCHEME + Base64.getEncoder().encodeToString(token);
        }

        /** Feeds the server's {@code WWW-Authenticate: Negotiate <base64>} value to the context. */
        public void acceptResponse(String wwwAuthenticate) throws GSSException {
            if (!wwwAuthenticate.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
                throw new IllegalArgumentException("not a Negotiate challenge with a token: " + wwwAuthenticate);
            }
            acceptResponse(Base64.getDecoder().decode(wwwAuthenticate.substring(SCHEME.length()).trim()));
        }

        /** Feeds the server's response token (SPNEGO NegTokenResp, or a bare krb5 AP-REP) to the context. */
        public void acceptResponse(byte[] responseToken) throws GSSException {
            byte[] next = context.initSecContext(responseToken, 0, responseToken.length);
            if (next != null && next.length > 0) {
                throw new IllegalStateException("the initiator wants another leg, which HTTP Negotiate does not have");
            }
        }

        /** True once the context is complete: at once without mutual authentication, else after the server's answer. */
        public boolean isEstablished() {
            return context.isEstablished();
        }

        public void dispose() throws GSSException {
            context.dispose();
        }
    }
}
