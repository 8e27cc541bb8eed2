package io.kerbgate.testing;

import io.kerbgate.initiator.GssInitiator;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.initiator.Negotiation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.security.auth.login.LoginException;
import org.ietf.jgss.ChannelBinding;

/**
 * The gateway's {@link GssInitiator} in a test JVM that runs several KDCs: every login and every new context runs
 * with this client's krb5.conf made current ({@link JdkKrb5#call}), because the JDK looks the KDC up in that
 * process-wide config at each AS and TGS exchange.
 */
public final class GssClient implements AutoCloseable {

    private final Path krb5Conf;
    private final GssInitiator initiator;

    private GssClient(Path krb5Conf, GssInitiator initiator) {
        this.krb5Conf = krb5Conf;
        this.initiator = initiator;
    }

    /** Logs {@code principal} in with its password (an AS exchange with the KDC of {@code krb5Conf}). */
    public static GssClient withPassword(Path krb5Conf, String principal, String password) throws LoginException {
        return login(krb5Conf, principal, () -> GssInitiator.withPassword(principal, password.toCharArray()));
    }

    /** Logs {@code principal} in with its key from {@code keytab}. */
    public static GssClient withKeytab(Path krb5Conf, String principal, Path keytab) throws LoginException {
        return login(krb5Conf, principal, () -> GssInitiator.withKeytab(principal, keytab));
    }

    /**
     * Starts a new context with {@code target} and returns its first token.
     *
     * @param target {@code HTTP@array.example.test} (host-based service) or {@code HTTP/array.example.test@REALM}
     * @param mutual whether to ask for mutual authentication: the context then completes only once the server's
     *               response token is fed back with {@link Negotiation#complete}
     */
    public Negotiation negotiate(String target, GssMech mech, boolean mutual) throws Exception {
        return negotiate(target, mech, mutual, null);
    }

    /**
     * {@link #negotiate(String, GssMech, boolean)} with channel bindings. Mind the address types: a plain
     * {@code new ChannelBinding(data)} hashes them as 255 (GSS_C_AF_NULLADDR), while the JDK's own HTTPS and LDAP
     * clients use {@code TlsChannelBindingImpl}, which hashes them as 0 (GSS_C_AF_UNSPEC) like MIT and Windows.
     */
    public Negotiation negotiate(String target, GssMech mech, boolean mutual, ChannelBinding bindings)
            throws Exception {
        return JdkKrb5.call(krb5Conf, () -> target.contains("/")
                ? initiator.negotiate(target, mech, mutual, bindings)
                : initiator.negotiateHostBased(target, mech, mutual, bindings));
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
        initiator.close();
    }

    @FunctionalInterface
    private interface Login {
        GssInitiator login() throws LoginException;
    }

    private static GssClient login(Path krb5Conf, String principal, Login login) throws LoginException {
        try {
            return new GssClient(krb5Conf, JdkKrb5.call(krb5Conf, login::login));
        } catch (LoginException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("login of " + principal + " failed", e);
        }
    }
}
