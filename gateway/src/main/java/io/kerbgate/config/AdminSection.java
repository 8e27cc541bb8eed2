package io.kerbgate.config;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.Admin;
import io.kerbgate.config.GatewayConfig.AdminTls;
import io.kerbgate.config.TlsSections.AdminTlsSection;
import java.net.InetSocketAddress;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/** The {@code admin} section as it is written; {@link #admin()} is what the admin listener reads. */
record AdminSection(
        @JsonDeserialize(using = Scalars.Address.class) @Nullable InetSocketAddress listen,
        @Fix("write key_writers: [keyadmin@ARRAY.TEST], the principals that may change this node's keys")
        @JsonDeserialize(contentUsing = Scalars.ClientPrincipal.class) @Nullable List<String> keyWriters,
        @Fix("write allowed_hosts: [kerbgate-1.example.test], the names Prometheus or probes use (no port)")
        @JsonDeserialize(contentUsing = Scalars.HostName.class) @Nullable List<String> allowedHosts,
        @Nullable AdminTlsSection tls,
        @Fix("write key_writer_certificates: [\"CN=kerbgate-keys,O=Example\"], subject DNs of client certificates")
        @JsonDeserialize(contentUsing = SubjectDn.class) @Nullable List<String> keyWriterCertificates,
        @Fix("write plain_key_writes_from: [127.0.0.0/8, ::1], or [] to refuse every plain key write")
        @JsonDeserialize(contentUsing = AddressBlock.class) @Nullable List<AddressRange> plainKeyWritesFrom) {

    static final InetSocketAddress DEFAULT_LISTEN = new InetSocketAddress("127.0.0.1", 9090);

    AdminSection {
        listen = listen == null ? DEFAULT_LISTEN : listen;
        keyWriters = Checks.distinct("key_writers", keyWriters);
        allowedHosts = Checks.distinct("allowed_hosts", allowedHosts);
        keyWriterCertificates = Checks.distinct("key_writer_certificates", keyWriterCertificates);
        if (!keyWriterCertificates.isEmpty() && (tls == null || tls.clientCa() == null)) {
            throw new InvalidValue("key_writer_certificates", "needs admin.tls.client_ca",
                    "set admin.tls (cert, key, client_ca), or remove key_writer_certificates");
        }
        plainKeyWritesFrom = plainKeyWritesFrom == null
                ? Admin.LOOPBACK : Checks.distinct("plain_key_writes_from", plainKeyWritesFrom);
    }

    Admin admin() {
        AdminTls adminTls = tls == null ? null : tls.adminTls();
        return new Admin(listen, keyWriters, adminTls, keyWriterCertificates, plainKeyWritesFrom, allowedHosts);
    }

    /** A client certificate's subject, in RFC 2253 form so that spellings of one DN compare equal. */
    static final class SubjectDn extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            String text = ConfigValues.text("", node, "a subject DN, e.g. CN=kerbgate-keys,O=Example");
            try {
                return new X500Principal(text).getName(X500Principal.RFC2253);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("", ConfigValues.quote(text) + " is not a distinguished name",
                        "write it like CN=kerbgate-keys,O=Example");
            }
        }
    }

    /** An address or CIDR block, {@code 127.0.0.0/8}. */
    static final class AddressBlock extends NodeReader<AddressRange> {
        @Override
        protected AddressRange convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            String text = ConfigValues.text("", node, "an address or CIDR block, e.g. 127.0.0.0/8");
            try {
                return AddressRange.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("", e.getMessage(),
                        "write an address or CIDR block, e.g. 127.0.0.0/8 or ::1");
            }
        }
    }
}
