package io.kerbgate.testing;

import io.kerbgate.initiator.GssMech;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosPrincipal;
import javax.security.auth.kerberos.KeyTab;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSCredential;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.Oid;

/**
 * The JDK's own GSS acceptor, the differential oracle: kerbgate must say yes exactly where this says yes.
 *
 * <p>It accepts both SPNEGO and bare krb5 tokens for one service principal, with the keys of a keytab read through
 * {@link KeyTab} (the JDK re-reads the file when it changes, so rollover tests see the new keys).
 *
 * <p><b>Replay cache.</b> JDK 17 keeps one replay cache for all acceptors of the JVM, a static field of
 * {@code sun.security.krb5.KrbApReq} built from the system property {@code sun.security.krb5.rcache} when that class
 * loads (the initiator loads it too): unset means in memory, {@code none} means no replay check, {@code dfl} a file.
 * Tests leave it unset, so the oracle behaves as a real acceptor: the first {@link #verdict} on a token may accept it,
 * every later one on the same token is rejected with {@code KRB_AP_ERR_REPEAT} (34). A differential test therefore
 * gives each token to the oracle once and to kerbgate once: their replay caches are separate, so both see it fresh,
 * and both must reject a second copy. The entries are keyed by client, service, ctime, cusec and a hash of the
 * authenticator's ciphertext, and expire after the clock skew.
 */
public final class GssAcceptorOracle {

    private static final int KRB_AP_ERR_REPEAT = 34;
    private static final Oid KRB5_PRINCIPAL_NAME = oid("1.2.840.113554.1.2.2.1");

    private final Path krb5Conf;
    private final Path keytab;
    private final String servicePrincipal;

    /**
     * @param krb5Conf         the JDK reads permitted enctypes, clock skew and the default realm from it
     * @param servicePrincipal {@code HTTP/array.example.test@REALM}
     */
    public GssAcceptorOracle(Path krb5Conf, Path keytab, String servicePrincipal) {
        if (!servicePrincipal.contains("@")) {
            throw new IllegalArgumentException("service principal needs its realm: " + servicePrincipal);
        }
        this.krb5Conf = krb5Conf;
        this.keytab = keytab;
        this.servicePrincipal = servicePrincipal;
    }

    /** The JDK acceptor's answer to one client token. Each call is a new context with the keys the keytab has now. */
    public Verdict verdict(byte[] token) throws Exception {
        KerberosPrincipal principal = new KerberosPrincipal(servicePrincipal);
        Subject subject = new Subject(true, Set.of(principal), Set.of(),
                Set.of(KeyTab.getInstance(principal, keytab.toFile())));
        return JdkKrb5.call(krb5Conf, () -> JdkKrb5.doAs(subject, () -> {
            GSSManager manager = GSSManager.getInstance();
            GSSName name = servicePrincipal.contains("/")
                    ? manager.createName(servicePrincipal, KRB5_PRINCIPAL_NAME)
                    : manager.createName(servicePrincipal, GSSName.NT_HOSTBASED_SERVICE);
            GSSCredential credential = manager.createCredential(name, GSSCredential.INDEFINITE_LIFETIME,
                    new Oid[] {GssMech.KRB5.oid(), GssMech.SPNEGO.oid()}, GSSCredential.ACCEPT_ONLY);
            GSSContext context = manager.createContext(credential);
            try {
                byte[] response = context.acceptSecContext(token, 0, token.length);
                if (!context.isEstablished()) {
                    return new Rejected(GSSException.FAILURE, 0,
                            "the acceptor wants another leg, which HTTP Negotiate does not have", OptionalInt.empty());
                }
                return new Accepted(context.getSrcName().toString(), context.getMech(), context.getMutualAuthState(),
                        response == null ? new byte[0] : response);
            } catch (GSSException e) {
                return new Rejected(e.getMajor(), e.getMinor(), e.getMessage(), krbErrorCode(e));
            } finally {
                context.dispose();
                credential.dispose();
            }
        }));
    }

    /** What the JDK said about one token. */
    public sealed interface Verdict permits Accepted, Rejected {
    }

    /**
     * @param client        the client principal, {@code alice@REALM}
     * @param mech          the mechanism the context settled on: krb5, also for a SPNEGO token
     * @param mutual        whether the client asked for mutual authentication
     * @param responseToken the acceptor's output token for {@code WWW-Authenticate: Negotiate}, empty when none
     */
    public record Accepted(String client, Oid mech, boolean mutual, byte[] responseToken) implements Verdict {
    }

    /**
     * @param major         the {@link GSSException} major code
     * @param minor         its minor code
     * @param krbErrorCode  the Kerberos error code (RFC 4120 §7.5.9) of the underlying {@code KrbException}, if it has
     *                      one. Codes can differ from kerbgate's for the same verdict: JDK 17 answers a ticket whose kvno
     *                      the keytab lacks with "Checksum failed" and no code where kerbgate says BADKEYVER (44), and a
     *                      missing key with 400 (an internal code); compare verdicts, and codes only where both have one.
     */
    public record Rejected(int major, int minor, String message, OptionalInt krbErrorCode) implements Verdict {
        public boolean isReplay() {
            return krbErrorCode.equals(OptionalInt.of(KRB_AP_ERR_REPEAT));
        }
    }

    // KrbException.returnCode() is public in the exported sun.security.krb5 (see JdkKrb5); KrbApErrException and the
    // other internal subclasses inherit it.
    private static OptionalInt krbErrorCode(Throwable e) {
        try {
            Class<?> krbException = Class.forName("sun.security.krb5.KrbException");
            Method returnCode = krbException.getMethod("returnCode");
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (krbException.isInstance(t)) {
                    int code = (int) returnCode.invoke(t);
                    // 0 is a KrbException without a protocol code, such as a failed decryption on JDK 17.
                    return code == 0 ? OptionalInt.empty() : OptionalInt.of(code);
                }
            }
        } catch (ReflectiveOperationException unreadable) {
            // Not exported to this module: the verdict stands without the code.
        }
        return OptionalInt.empty();
    }

    private static Oid oid(String dotted) {
        try {
            return new Oid(dotted);
        } catch (GSSException e) {
            throw new AssertionError("constant OID " + dotted + " does not parse", e);
        }
    }
}
