package io.kerbgate.testing;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.concurrent.Callable;
import javax.security.auth.Subject;

/**
 * Switches the krb5.conf of the JDK's Kerberos (JGSS, {@code Krb5LoginModule}) between tests.
 *
 * <p>The JDK reads {@code java.security.krb5.conf} into a process-wide singleton ({@code sun.security.krb5.Config}) the
 * first time it needs it and keeps it; setting the property later changes nothing until {@code Config.refresh()}
 * runs. That method is in a package the JDK does not export, so the test JVM runs with
 * {@code --add-exports java.security.jgss/sun.security.krb5=ALL-UNNAMED} (surefire {@code argLine} in gateway/pom.xml).
 *
 * <p>{@link #call} holds one lock while the config is current and the action runs, because the JDK looks the KDC up in
 * the config at every AS and TGS exchange, not only at login: two clients of two KDCs in one JVM take turns.
 *
 * <p>The JDK's replay cache is also process-wide; see {@link GssAcceptorOracle}.
 */
public final class JdkKrb5 {

    static final String KRB5_CONF_PROPERTY = "java.security.krb5.conf";
    static final String RCACHE_PROPERTY = "sun.security.krb5.rcache";

    private static final Object LOCK = new Object();
    // The file the JDK last re-read. Not the system property: other code (Kerby's SimpleKdcServer.init) sets that
    // without a refresh.
    private static String current;

    private JdkKrb5() {
    }

    /** Runs {@code action} with {@code krb5Conf} as the JDK's krb5.conf, no other config switch in between. */
    public static <T> T call(Path krb5Conf, Callable<T> action) throws Exception {
        synchronized (LOCK) {
            use(krb5Conf);
            return action.call();
        }
    }

    /** Runs {@code action} as {@code subject}, throwing what the action threw rather than a PrivilegedActionException. */
    static <T> T doAs(Subject subject, PrivilegedExceptionAction<T> action) throws Exception {
        try {
            return Subject.doAs(subject, action);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }

    /** Makes {@code krb5Conf} the JDK's krb5.conf from now on, re-reading it if it is another file. */
    public static void use(Path krb5Conf) {
        String wanted = krb5Conf.toAbsolutePath().toString();
        synchronized (LOCK) {
            if (wanted.equals(current) && wanted.equals(System.getProperty(KRB5_CONF_PROPERTY))) {
                return;
            }
            System.setProperty(KRB5_CONF_PROPERTY, wanted);
            refresh();
            current = wanted;
        }
    }

    /**
     * The replay cache the JDK's acceptors use in this JVM: {@code "memory"} (the default), {@code "none"} or
     * {@code "dfl"}/{@code "dfl:<dir>"} (a file). The JDK reads {@value #RCACHE_PROPERTY} once, when
     * {@code sun.security.krb5.KrbApReq} loads, so only the JVM command line can set it reliably.
     */
    public static String replayCacheType() {
        String type = System.getProperty(RCACHE_PROPERTY);
        return type == null ? "memory" : type;
    }

    private static void refresh() {
        try {
            Class.forName("sun.security.krb5.Config").getMethod("refresh").invoke(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot refresh the JDK's krb5.conf: run the JVM with "
                    + "--add-exports java.security.jgss/sun.security.krb5=ALL-UNNAMED (see gateway/pom.xml)", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the JDK rejected " + System.getProperty(KRB5_CONF_PROPERTY), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JDK has no sun.security.krb5.Config.refresh()", e);
        }
    }
}
