package io.kerbgate.acceptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The channel bindings the acceptor expects in the GSS checksum of an authenticator (checklist item 21), or
 * {@link #NONE}. With TLS, the binding is RFC 5929 {@code tls-server-end-point}: a hash of the gateway's certificate.
 * A client that bound its token to a different certificate (a TLS-intercepting proxy between it and the gateway
 * presented its own) is refused, so a token captured by such a proxy cannot be used elsewhere.
 *
 * <p>What the client sends is not the binding itself but RFC 4121 §4.1.1.2's MD5 of a {@code gss_channel_bindings_struct}
 * with address types 0 (GSS_C_AF_UNSPEC), no addresses, and the application data
 * {@code "tls-server-end-point:" || hash}: what MIT krb5, the JDK and Windows compute for HTTPS.
 *
 * <p>Verdicts ({@link #check}): a zero hash means the client bound nothing (curl, most browsers on Linux): accepted
 * unless bindings are {@code required}. A non-zero hash must equal the expected one. {@link #NONE} accepts anything,
 * as MIT and the JDK do when the acceptor has no bindings of its own (plain HTTP, or {@code channel_bindings: off}).
 *
 * <p>Immutable; one instance per TLS certificate, computed once when the certificate is loaded.
 */
public final class ChannelBindings {

    /** No expectation: whatever the client sent is accepted. */
    public static final ChannelBindings NONE = new ChannelBindings(null, false, "none");

    private static final String TLS_SERVER_END_POINT = "tls-server-end-point:";
    private static final byte[] ZERO = new byte[16];
    // RFC 5929 §4.1: the hash of the certificate's signature algorithm; MD5 and SHA-1 are replaced by SHA-256.
    private static final Pattern SIGNATURE_HASH =
            Pattern.compile("(MD5|SHA1|SHA224|SHA256|SHA384|SHA512|SHA3-224|SHA3-256|SHA3-384|SHA3-512)WITH.*");

    private final byte @Nullable [] expected;
    private final boolean required;
    private final String description;

    private ChannelBindings(byte @Nullable [] expected, boolean required, String description) {
        this.expected = expected;
        this.required = required;
        this.description = description;
    }

    /**
     * The bindings of a TLS server certificate.
     *
     * @param required refuse clients that bound nothing (zero hash, or no GSS checksum at all)
     * @throws IllegalArgumentException when RFC 5929 defines no hash for the certificate's signature algorithm
     *                                  (Ed25519, RSASSA-PSS): see {@link #endPointHashAlgorithm}
     */
    public static ChannelBindings tlsServerEndPoint(X509Certificate certificate, boolean required) {
        return tlsServerEndPoint(tlsServerEndPointHash(certificate), required);
    }

    /** The bindings of a {@code tls-server-end-point} hash (RFC 5929 §4.1), already computed. */
    static ChannelBindings tlsServerEndPoint(byte[] endPointHash, boolean required) {
        byte[] applicationData = concat(TLS_SERVER_END_POINT.getBytes(StandardCharsets.US_ASCII), endPointHash);
        return new ChannelBindings(gssHash(applicationData), required,
                "tls-server-end-point " + HexFormat.of().formatHex(endPointHash, 0, Math.min(8, endPointHash.length))
                        + "...");
    }

    /**
     * The hash RFC 5929 §4.1 uses for a certificate signed with {@code signatureAlgorithm} (a JCA name such as
     * {@code SHA256withRSA}), or {@code null} when it defines none (one hash cannot be named: Ed25519, RSASSA-PSS).
     */
    public static @Nullable String endPointHashAlgorithm(String signatureAlgorithm) {
        Matcher m = SIGNATURE_HASH.matcher(signatureAlgorithm.toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        String hash = m.group(1);
        return switch (hash) {
            case "MD5", "SHA1", "SHA256" -> "SHA-256";
            case "SHA224", "SHA384", "SHA512" -> "SHA-" + hash.substring(3);
            default -> hash;
        };
    }

    /** RFC 5929 §4.1 {@code tls-server-end-point}: the hash of the DER certificate. */
    static byte[] tlsServerEndPointHash(X509Certificate certificate) {
        String algorithm = endPointHashAlgorithm(certificate.getSigAlgName());
        if (algorithm == null) {
            throw new IllegalArgumentException("RFC 5929 defines no tls-server-end-point hash for certificates signed"
                    + " with " + certificate.getSigAlgName() + "; use an RSA or ECDSA certificate with SHA-2");
        }
        try {
            return MessageDigest.getInstance(algorithm).digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot hash the certificate with " + algorithm + ": " + e, e);
        }
    }

    /**
     * RFC 4121 §4.1.1.2: MD5 over the {@code gss_channel_bindings_struct} with both address types 0, no addresses,
     * and {@code applicationData}; integers are 4 bytes little-endian.
     */
    static byte[] gssHash(byte[] applicationData) {
        ByteBuffer struct = ByteBuffer.allocate(20 + applicationData.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0).putInt(0) // initiator_addrtype, initiator_address.length
                .putInt(0).putInt(0) // acceptor_addrtype, acceptor_address.length
                .putInt(applicationData.length).put(applicationData);
        try {
            return MessageDigest.getInstance("MD5").digest(struct.array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    /** Whether a client that binds nothing is refused. */
    public boolean required() {
        return required;
    }

    /** Whether there is an expectation at all (not {@link #NONE}). */
    public boolean active() {
        return expected != null;
    }

    /**
     * Judges the 16-byte binding hash of a GSS checksum (RFC 4121 §4.1.1).
     *
     * @throws Refusal {@link RejectReason#CHANNEL_BINDING} for a non-zero hash that differs from the expected one, or
     *                 a zero hash when bindings are required
     */
    void check(byte[] clientHash) throws Refusal {
        if (expected == null) {
            return;
        }
        if (MessageDigest.isEqual(clientHash, ZERO)) {
            checkUnbound("the client bound its token to no channel");
            return;
        }
        if (!MessageDigest.isEqual(clientHash, expected)) {
            throw new Refusal(RejectReason.CHANNEL_BINDING, "the token is bound to another TLS channel than this "
                    + "gateway's (" + description + "): a TLS-intercepting proxy between client and gateway, or a"
                    + " token captured on another connection");
        }
    }

    /**
     * For an authenticator without a GSS checksum (none, or a raw Kerberos checksum): it cannot carry bindings.
     *
     * @throws Refusal {@link RejectReason#CHANNEL_BINDING} when bindings are required
     */
    void checkUnbound(String why) throws Refusal {
        if (required) {
            throw new Refusal(RejectReason.CHANNEL_BINDING, why + " but tls.channel_bindings is required");
        }
    }

    @Override
    public String toString() {
        return description + (required ? " (required)" : expected == null ? "" : " (optional)");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
