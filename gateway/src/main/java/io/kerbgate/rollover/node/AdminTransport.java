package io.kerbgate.rollover.node;

import io.kerbgate.rollover.ArrayConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The channel the tool reaches node admin APIs over: {@code https://} verified against the array file's
 * {@code admin_ca} (or the JDK's trust store without one), the host name checked against the certificate (the
 * {@link HttpClient}'s default, endpoint identification HTTPS, which this class never turns off), and the tool's own
 * client certificate when {@code admin_client_cert} is set, for nodes that authenticate key writers by certificate
 * (a node with no keys yet cannot check a Negotiate ticket).
 */
public final class AdminTransport {

    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private AdminTransport() {}

    /** @throws IllegalArgumentException naming the array file's key when a file cannot be used */
    public static HttpClient httpClient(ArrayConfig array) {
        ArrayConfig.AdminTls tls = array.adminTls();
        // The admin listener speaks HTTP/1.1 only; asking for h2 first would only cost an upgrade attempt.
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1);
        if (tls == null) {
            return builder.build();
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            TrustManagerFactory trust = null;
            if (tls.ca() != null) {
                KeyStore anchors = KeyStore.getInstance("PKCS12");
                anchors.load(null, null);
                List<X509Certificate> cas = certificates(tls.ca());
                if (cas.isEmpty()) {
                    throw new IllegalArgumentException("admin_ca: " + tls.ca() + " holds no certificate");
                }
                for (int i = 0; i < cas.size(); i++) {
                    anchors.setCertificateEntry("ca" + i, cas.get(i));
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(anchors);
            }
            KeyManagerFactory keys = null;
            if (tls.clientCert() != null) {
                List<X509Certificate> chain = certificates(tls.clientCert());
                if (chain.isEmpty()) {
                    throw new IllegalArgumentException("admin_client_cert: " + tls.clientCert() + " holds no certificate");
                }
                char[] password = new char[0];
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("client", privateKey(tls.clientKey(), chain.get(0)), password,
                        chain.toArray(new Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, password);
            }
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            SSLParameters parameters = context.getDefaultSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            return builder.sslContext(context).sslParameters(parameters).build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("admin TLS of " + array.file() + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem))).stream()
                .map(X509Certificate.class::cast).toList();
    }

    private static PrivateKey privateKey(Path pem, X509Certificate leaf) throws IOException, GeneralSecurityException {
        Matcher m = PKCS8.matcher(Files.readString(pem, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new IllegalArgumentException("admin_client_key: " + pem + " holds no PKCS#8 PEM key "
                    + "(-----BEGIN PRIVATE KEY-----); convert with openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        return KeyFactory.getInstance(leaf.getPublicKey().getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
