package io.kerbgate.proxy;

import io.kerbgate.acceptor.ChannelBindings;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.config.GatewayConfig.ChannelBindingMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front listener's TLS: a certificate chain and key loaded into an {@link SslContext}, and reloaded without a
 * restart when either file changes. A thread of its own polls the two files' content every
 * {@link #DEFAULT_POLL_INTERVAL} (a hash, not the mtime: an atomic rename and a copy in place both count); a changed
 * pair is parsed and checked in full (key matches certificate, PKCS#8) before it is swapped in. A pair that fails is
 * logged, counted, and the old one stays; the same failed pair is not tried again until a file changes once more, so a
 * half-written pair (the certificate replaced, the key not yet) costs one log line and loads on the next poll.
 *
 * <p>Each connection reads {@link #current()} once when it opens: new connections get the new pair, open ones keep the
 * one they started with, and the {@link ChannelBindings} that belong to it.
 *
 * <p>The admin listener uses one too ({@link #forAdmin}): the same reload, its own meters
 * ({@code kerbgate.admin.tls.*}), and optionally a client CA, whose certificates it then asks for (optional: a
 * scraper or a Negotiate writer sends none) and checks; the CA file is reloaded with the pair.
 *
 * <p>The provider is OpenSSL (BoringSSL from netty-tcnative-boringssl-static) when its native library loads, otherwise
 * the JDK's; {@link #provider()} says which.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><td>{@code kerbgate.tls.reloads}</td><td>{@code result} success/rejected</td>
 *       <td>loads of the certificate and key, the first one included</td></tr>
 *   <tr><td>{@code kerbgate.tls.certificate.expiry}</td><td></td>
 *       <td>the current leaf certificate's notAfter, Unix seconds</td></tr>
 * </table>
 */
public final class TlsContextReloader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TlsContextReloader.class);

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    public static final String RELOADS = "kerbgate.tls.reloads";
    public static final String CERTIFICATE_EXPIRY = "kerbgate.tls.certificate.expiry";

    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /**
     * One loaded pair: what a new connection uses.
     *
     * @param bindings what tokens on its connections must be bound to ({@link ChannelBindings#NONE} when off)
     */
    public record Snapshot(SslContext context, X509Certificate certificate, ChannelBindings bindings) {}

    private final GatewayConfig.Tls config;
    private final @Nullable Path clientCa;
    private final String keyPrefix;
    private final SslProvider provider;
    private final Clock clock;
    private final Counter loaded;
    private final Counter rejected;
    private final ScheduledExecutorService poller;
    private volatile Snapshot current;
    /** The content hash of the last pair tried, good or bad; touched by the poller thread only after start. */
    private byte[] lastTried;

    /**
     * Loads the pair once, now, and starts polling.
     *
     * @throws IllegalArgumentException naming {@code tls.cert} or {@code tls.key} when the pair cannot be used
     */
    public TlsContextReloader(GatewayConfig.Tls config, MeterRegistry registry, Duration pollInterval, Clock clock) {
        this(config, null, "tls", "kerbgate.tls", registry, pollInterval, clock);
    }

    /**
     * The admin listener's: {@code admin.tls}, with its client CA if any, meters {@code kerbgate.admin.tls.reloads}
     * and {@code kerbgate.admin.tls.certificate.expiry}.
     */
    public static TlsContextReloader forAdmin(GatewayConfig.AdminTls tls, MeterRegistry registry, Duration pollInterval,
            Clock clock) {
        return new TlsContextReloader(tls.asTls(), tls.clientCa(), "admin.tls", "kerbgate.admin.tls", registry,
                pollInterval, clock);
    }

    private TlsContextReloader(GatewayConfig.Tls config, @Nullable Path clientCa, String keyPrefix, String meterPrefix,
            MeterRegistry registry, Duration pollInterval, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clientCa = clientCa;
        this.keyPrefix = keyPrefix;
        this.clock = clock;
        this.provider = preferredProvider();
        this.loaded = Counter.builder(meterPrefix + ".reloads").tag("result", "success").register(registry);
        this.rejected = Counter.builder(meterPrefix + ".reloads").tag("result", "rejected").register(registry);
        byte[][] files = read();
        this.lastTried = hash(files);
        try {
            this.current = load(files);
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            rejected.increment();
            throw new IllegalArgumentException(keyPrefix + ": cannot use " + config.cert() + " and " + config.key()
                    + ": " + e.getMessage(), e);
        }
        loaded.increment();
        Gauge.builder(meterPrefix + ".certificate.expiry", this, r -> r.current.certificate().getNotAfter().getTime() / 1000.0)
                .register(registry);
        log.info("{}: {} ({} provider, protocols {}, http2 {}, channel bindings {}{})", keyPrefix,
                describe(current.certificate()), provider, config.protocols(), config.http2(), current.bindings(),
                clientCa == null ? "" : ", client certificates from " + clientCa);
        this.poller = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("kerbgate-tls-reload", true));
        long millis = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** OpenSSL (BoringSSL) when netty-tcnative's native library loads here, else the JDK's TLS. */
    static SslProvider preferredProvider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The pair a new connection uses; read once per connection. */
    public Snapshot current() {
        return current;
    }

    public SslProvider provider() {
        return provider;
    }

    private void poll() {
        // A scheduled task that throws is never run again: everything is caught and logged.
        try {
            byte[][] files;
            try {
                files = read();
            } catch (IllegalArgumentException e) {
                // A file missing for a while (a deploy that removes, then writes) is reported once, not every poll.
                byte[] marker = hash(new byte[][] {e.getMessage().getBytes(StandardCharsets.UTF_8)});
                if (!Arrays.equals(marker, lastTried)) {
                    lastTried = marker;
                    reject(e.getMessage());
                }
                return;
            }
            byte[] hash = hash(files);
            if (Arrays.equals(hash, lastTried)) {
                return;
            }
            lastTried = hash;
            Snapshot next = load(files);
            current = next;
            loaded.increment();
            log.info("{}: reloaded, new connections get {}", keyPrefix, describe(next.certificate()));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            reject(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void reject(String why) {
        rejected.increment();
        log.warn("{}: new certificate/key pair not loaded, connections keep {}: {}", keyPrefix,
                describe(current.certificate()), why);
    }

    private byte[][] read() {
        return clientCa == null
                ? new byte[][] {readFile(keyPrefix + ".cert", config.cert()), readFile(keyPrefix + ".key", config.key())}
                : new byte[][] {readFile(keyPrefix + ".cert", config.cert()), readFile(keyPrefix + ".key", config.key()),
                        readFile(keyPrefix + ".client_ca", clientCa)};
    }

    private static byte[] readFile(String key, Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot read " + path + " (" + e + ")", e);
        }
    }

    private static byte[] hash(byte[][] files) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (byte[] file : files) {
                sha256.update(Long.toString(file.length).getBytes(StandardCharsets.US_ASCII));
                sha256.update((byte) ':');
                sha256.update(file);
            }
            return sha256.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private Snapshot load(byte[][] files) throws GeneralSecurityException, IOException {
        List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(files[0])).stream()
                .map(X509Certificate.class::cast).toList();
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(keyPrefix + ".cert: " + config.cert() + " holds no certificate");
        }
        X509Certificate leaf = chain.get(0);
        PrivateKey key = privateKey(files[1], leaf);
        if (leaf.getNotAfter().toInstant().isBefore(clock.instant())) {
            log.warn("tls: {} has expired; clients will refuse it", describe(leaf));
        }
        SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
                .sslProvider(provider)
                .protocols(config.protocols());
        if (files.length > 2) {
            List<X509Certificate> cas = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(files[2])).stream()
                    .map(X509Certificate.class::cast).toList();
            if (cas.isEmpty()) {
                throw new IllegalArgumentException(keyPrefix + ".client_ca: " + clientCa + " holds no certificate");
            }
            // Optional: the listener also serves scrapers and Negotiate writers, who send none. A certificate sent
            // must chain to this CA, or the handshake fails.
            builder.trustManager(cas).clientAuth(ClientAuth.OPTIONAL);
        }
        if (config.http2()) {
            // RFC 9113 §9.2.2: h2 over TLS 1.2 needs AEAD suites with ephemeral keys, which is Netty's list.
            builder.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }
        return new Snapshot(builder.build(), leaf, bindings(leaf));
    }

    private ChannelBindings bindings(X509Certificate leaf) {
        ChannelBindingMode mode = config.channelBindings();
        if (mode == ChannelBindingMode.OFF) {
            return ChannelBindings.NONE;
        }
        if (ChannelBindings.endPointHashAlgorithm(leaf.getSigAlgName()) == null) {
            if (mode == ChannelBindingMode.REQUIRED) {
                throw new IllegalArgumentException("tls.channel_bindings is required, but RFC 5929 defines no"
                        + " tls-server-end-point for a certificate signed with " + leaf.getSigAlgName()
                        + "; use an RSA or ECDSA certificate with SHA-2");
            }
            log.warn("tls: no channel bindings with a certificate signed with {} (RFC 5929 defines none)",
                    leaf.getSigAlgName());
            return ChannelBindings.NONE;
        }
        return ChannelBindings.tlsServerEndPoint(leaf, mode == ChannelBindingMode.REQUIRED);
    }

    /** The PKCS#8 key of {@code pem}, checked to belong to {@code leaf} by a signature it must verify. */
    private PrivateKey privateKey(byte[] pem, X509Certificate leaf) throws GeneralSecurityException {
        Matcher m = PKCS8.matcher(new String(pem, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new IllegalArgumentException(keyPrefix + ".key: " + config.key() + " holds no PKCS#8 PEM key"
                    + " (-----BEGIN PRIVATE KEY-----); convert with openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        String algorithm = leaf.getPublicKey().getAlgorithm();
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(keyPrefix + ".key: " + config.key() + " is not a " + algorithm
                    + " key, which the certificate's is", e);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
        String signatureAlgorithm = switch (algorithm) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> algorithm; // Ed25519, Ed448, EdDSA
        };
        byte[] probe = "kerbgate key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(signatureAlgorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(signatureAlgorithm);
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new IllegalArgumentException(keyPrefix + ".key: " + config.key() + " does not belong to the certificate "
                    + describe(leaf) + " in " + config.cert());
        }
        return key;
    }

    private static String describe(X509Certificate certificate) {
        return "certificate " + certificate.getSubjectX500Principal().getName() + " serial "
                + certificate.getSerialNumber().toString(16) + " valid until " + certificate.getNotAfter().toInstant();
    }

    /** Stops polling; the current context stays usable. */
    @Override
    public void close() {
        poller.shutdownNow();
    }
}
