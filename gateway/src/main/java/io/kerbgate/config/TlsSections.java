package io.kerbgate.config;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.AdminTls;
import io.kerbgate.config.GatewayConfig.BackendTls;
import io.kerbgate.config.GatewayConfig.ChannelBindingMode;
import io.kerbgate.config.GatewayConfig.Tls;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The TLS sections of the file: {@code tls} (the front), {@code backend_tls} and {@code admin.tls}. */
final class TlsSections {

    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final String CERT_FIX = "write cert: /etc/kerbgate/tls/fullchain.pem (PEM, leaf certificate first)";
    private static final String KEY_FIX = "write key: /etc/kerbgate/tls/privkey.pem (PEM, PKCS#8)";
    private static final String PROTOCOLS_FIX = "write protocols: [TLSv1.3, TLSv1.2]";
    private static final String BACKEND_CA_FIX = "write ca: /etc/kerbgate/tls/backend-ca.pem (PEM CA certificates), or"
            + " leave it out for the JDK's trust store";
    private static final String ADMIN_CERT_FIX =
            "write cert: /etc/kerbgate/admin/cert.pem (PEM, leaf first, naming this node's host)";
    private static final String ADMIN_KEY_FIX = "write key: /etc/kerbgate/admin/key.pem (PEM, PKCS#8)";
    private static final String CLIENT_CA_FIX = "write client_ca: /etc/kerbgate/admin/clients-ca.pem (PEM CA"
            + " certificates of the key writers' client certificates)";

    private TlsSections() {}

    record TlsSection(
            @Fix(CERT_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path cert,
            @Fix(KEY_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path key,
            @Fix(PROTOCOLS_FIX) @JsonDeserialize(contentUsing = Protocol.class) @Nullable List<String> protocols,
            @Nullable Boolean http2,
            @JsonDeserialize(using = ChannelBindings.class) @Nullable ChannelBindingMode channelBindings) {
        TlsSection {
            cert = certificate("cert", cert, CERT_FIX);
            key = privateKey("key", key, KEY_FIX);
            protocols = protocols == null ? Tls.DEFAULT_PROTOCOLS : Checks.distinct("protocols", protocols);
            if (protocols.isEmpty()) {
                throw new InvalidValue("protocols", "is empty", PROTOCOLS_FIX);
            }
        }

        Tls tls() {
            return new Tls(cert, key, protocols, http2 == null || http2,
                    channelBindings == null ? ChannelBindingMode.OPTIONAL : channelBindings);
        }
    }

    record BackendTlsSection(
            @Fix(BACKEND_CA_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path ca,
            @Nullable Boolean verifyHostname) {
        BackendTlsSection {
            if (ca != null) {
                Path file = ca;
                InvalidValue.check(() -> FileChecks.pemFile("ca", file, "CERTIFICATE", BACKEND_CA_FIX));
            }
        }

        BackendTls backendTls() {
            return new BackendTls(ca, verifyHostname == null || verifyHostname);
        }
    }

    record AdminTlsSection(
            @Fix(ADMIN_CERT_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path cert,
            @Fix(ADMIN_KEY_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path key,
            @Fix(CLIENT_CA_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path clientCa) {
        AdminTlsSection {
            cert = certificate("cert", cert, ADMIN_CERT_FIX);
            key = privateKey("key", key, ADMIN_KEY_FIX);
            if (clientCa != null) {
                Path file = clientCa;
                InvalidValue.check(() -> FileChecks.pemFile("client_ca", file, "CERTIFICATE", CLIENT_CA_FIX));
            }
        }

        AdminTls adminTls() {
            return new AdminTls(cert, key, clientCa);
        }
    }

    /** A PEM certificate chain. */
    private static Path certificate(String name, @Nullable Path cert, String fix) {
        Path path = Checks.require(name, cert, fix);
        return InvalidValue.check(() -> FileChecks.pemFile(name, path, "CERTIFICATE", fix));
    }

    /** A PKCS#8 PEM key that only kerbgate's user may read. */
    private static Path privateKey(String name, @Nullable Path key, String fix) {
        Path path = Checks.require(name, key, fix);
        return InvalidValue.check(() -> {
            FileChecks.pemFile(name, path, "PRIVATE KEY", fix);
            ConfigValues.requirePrivate(name, path);
            return path;
        });
    }

    /** {@code TLSv1.3} or {@code TLSv1.2}, in any case. */
    static final class Protocol extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            String fix = "choose from " + String.join(", ", PROTOCOLS) + " (older versions are broken)";
            String text = ConfigValues.text("", node, fix);
            for (String protocol : PROTOCOLS) {
                if (protocol.equalsIgnoreCase(text)) {
                    return protocol;
                }
            }
            throw new ConfigException("", ConfigValues.quote(text) + " is not a supported TLS version", fix);
        }
    }

    static final class ChannelBindings extends NodeReader<ChannelBindingMode> {
        @Override
        protected ChannelBindingMode convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            // YAML 1.1 reads an unquoted off as false.
            if (node.isBoolean() && !node.booleanValue()) {
                return ChannelBindingMode.OFF;
            }
            String text = node.isTextual() ? node.textValue().strip().toLowerCase(Locale.ROOT) : "";
            return switch (text) {
                case "off" -> ChannelBindingMode.OFF;
                case "optional" -> ChannelBindingMode.OPTIONAL;
                case "required" -> ChannelBindingMode.REQUIRED;
                default -> throw new ConfigException("", ConfigValues.describe(node)
                        + " is not a channel binding mode", "write off, optional or required");
            };
        }
    }
}
