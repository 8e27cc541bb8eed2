package io.kerbgate.ldap;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.NamingException;
import javax.naming.ldap.InitialLdapContext;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * TLS to the domain controller: the chain is checked against the configured CA (a provisioned DC's self-signed one)
 * or the JDK's trust store, and the certificate must name {@code serverName} (a DNS SAN, else the CN), so that a
 * pinned CA does not also mean "any host". Plain PKIX and a name check of our own, because JNDI's LDAPS checks the
 * URL's host, which is often an IP or a VIP name the DC's certificate does not carry.
 */
public final class LdapTls {

    private LdapTls() {}

    /**
     * Opens an LDAPS context with {@code tls} ({@link #socketFactory}): {@code env} names the URL and the bind, this
     * adds the socket factory.
     */
    public static LdapContext openLdaps(Hashtable<String, Object> env, SSLSocketFactory tls) throws NamingException {
        env.put("java.naming.ldap.factory.socket", JndiSocketFactory.class.getName());
        JndiSocketFactory.CURRENT.set(tls);
        try {
            return new InitialLdapContext(env, null);
        } finally {
            JndiSocketFactory.CURRENT.remove();
        }
    }

    public static SSLSocketFactory socketFactory(@Nullable Path ca, String serverName) throws GeneralSecurityException,
            IOException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (ca == null) {
            tmf.init((KeyStore) null);
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            try (InputStream in = Files.newInputStream(ca)) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca" + i++, c);
                }
                if (i == 0) {
                    throw new CertificateException(ca + " holds no PEM certificate");
                }
            }
            tmf.init(store);
        }
        X509TrustManager pkix = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                pkix = x;
            }
        }
        if (pkix == null) {
            throw new GeneralSecurityException("no X.509 trust manager");
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new NamedTrust(pkix, serverName)}, null);
        return context.getSocketFactory();
    }

    /** True when the certificate names {@code host}: a DNS or IP SAN, or the CN when there are no DNS SANs. */
    static boolean names(X509Certificate cert, String host) throws CertificateParsingException {
        String want = host.toLowerCase(Locale.ROOT);
        boolean dnsSans = false;
        var sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                String value = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
                if (type == 2) {
                    dnsSans = true;
                    if (matches(value, want)) {
                        return true;
                    }
                } else if (type == 7 && value.equals(want)) {
                    return true;
                }
            }
        }
        if (dnsSans) {
            return false;
        }
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && matches(String.valueOf(rdn.getValue())
                        .toLowerCase(Locale.ROOT), want)) {
                    return true;
                }
            }
        } catch (InvalidNameException e) {
            return false;
        }
        return false;
    }

    private static boolean matches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(pattern.substring(1));
        }
        return pattern.equals(host);
    }

    private static final class NamedTrust extends X509ExtendedTrustManager {
        private final X509TrustManager pkix;
        private final String serverName;

        NamedTrust(X509TrustManager pkix, String serverName) {
            this.pkix = pkix;
            this.serverName = serverName;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            if (!names(chain[0], serverName)) {
                throw new CertificateException("the DC's certificate (" + chain[0].getSubjectX500Principal()
                        + ") does not name " + serverName + "; set kdc.tls_server_name to the name it carries");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    /**
     * The socket factory JNDI's LDAPS instantiates by class name ({@code java.naming.ldap.factory.socket}) through a
     * static {@code getDefault()}: the factory of the connection being opened is handed over in a thread-local,
     * set only around the {@code InitialLdapContext} constructor, which opens the socket on the calling thread.
     */
    public static final class JndiSocketFactory extends SocketFactory {
        static final ThreadLocal<SSLSocketFactory> CURRENT = new ThreadLocal<>();
        private final SSLSocketFactory delegate;

        private JndiSocketFactory(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        public static SocketFactory getDefault() {
            SSLSocketFactory f = CURRENT.get();
            if (f == null) {
                throw new IllegalStateException("no LDAP TLS settings on this thread");
            }
            return new JndiSocketFactory(f);
        }

        @Override
        public Socket createSocket() throws IOException {
            return delegate.createSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return delegate.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return delegate.createSocket(host, port, local, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return delegate.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort)
                throws IOException {
            return delegate.createSocket(address, port, local, localPort);
        }
    }
}
