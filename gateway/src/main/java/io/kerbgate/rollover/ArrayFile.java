package io.kerbgate.rollover;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kerbgate.config.ConfigException;
import io.kerbgate.config.Durations;
import io.kerbgate.config.Fix;
import io.kerbgate.config.InvalidValue;
import io.kerbgate.config.NodeReader;
import io.kerbgate.config.SectionBinder;
import io.kerbgate.crypto.Enctype;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads an array file strictly, bound by Jackson as the gateway config is ({@link SectionBinder}): every key is checked
 * against the known ones, so a typo ({@code nodes[1].keytabb}) is an error naming its path instead of a node that
 * silently never gets a key. Relative paths resolve against the file's directory.
 */
public final class ArrayFile {

    static final Duration DEFAULT_GRACE = Duration.ofHours(10).plusMinutes(5);
    static final Duration DEFAULT_VERIFY_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern PRINCIPAL = Pattern.compile("[^/@\\s]+(/[^/@\\s]+)*@[^/@\\s]+");
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final YAMLMapper YAML =
            YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private ArrayFile() {}

    /** @throws ConfigException naming the key path at fault, or {@code ""} when the file cannot be read */
    public static ArrayConfig load(Path file) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new ConfigException("", "not valid YAML: " + e.getOriginalMessage(), "fix the syntax of " + file, e);
        } catch (IOException e) {
            throw new ConfigException("", "cannot read " + file + ": " + e, "pass --array with the array file", e);
        }
        // An empty file is refused as "not a mapping of keys", as any other document that is not a mapping.
        JsonNode document = root == null || root.isMissingNode() || root.isNull() ? TextNode.valueOf("") : root;
        return SectionBinder.bind(document, Layout.class, "", file.toAbsolutePath().getParent(),
                SectionBinder.Wording.ARRAY_FILE).arrayConfig(file);
    }

    /** The array file as it is written: one component per top-level key, in {@code conf/array.yaml}'s order. */
    record Layout(
            @JsonDeserialize(using = Text.class) @Nullable String principal,
            @Fix("e.g. [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96]")
            @JsonDeserialize(contentUsing = EnctypeName.class) @Nullable List<Enctype> enctypes,
            @JsonDeserialize(using = KdcSection.class) ArrayConfig.@Nullable Kdc kdc,
            @Fix("add {name: node1, keytab: /path}") @Nullable List<NodeSection> nodes,
            @JsonDeserialize(using = DurationText.class) @Nullable Duration grace,
            @JsonDeserialize(using = DurationText.class) @Nullable Duration verifyTimeout,
            @Nullable ClientSection check,
            @Nullable ClientSection adminClient,
            @JsonDeserialize(using = FilePath.class) @Nullable Path adminCa,
            @JsonDeserialize(using = FilePath.class) @Nullable Path adminClientCert,
            @JsonDeserialize(using = FilePath.class) @Nullable Path adminClientKey) {

        Layout {
            require("principal", principal, "the array's SPN, HTTP/host@REALM");
            if (!PRINCIPAL.matcher(principal).matches()) {
                throw new InvalidValue("principal", "\"" + principal + "\" is not name/instance@REALM",
                        "write it like HTTP/array.example.test@ARRAY.TEST");
            }
            require("enctypes", enctypes, "list the enctypes of new keys");
            enctypes = enctypes(enctypes);
            require("kdc", kdc, "say which KDC holds the principal");
            require("nodes", nodes, "list the array's nodes");
            nodes = nodes(nodes);
            grace = grace == null ? DEFAULT_GRACE : grace;
            verifyTimeout = verifyTimeout == null ? DEFAULT_VERIFY_TIMEOUT : verifyTimeout;
            if (check != null) {
                check.check("check", "a test principal, e.g. rollcheck@ARRAY.TEST");
            }
            if (adminClient != null) {
                adminClient.check("admin_client", "a key writer of the nodes, e.g. keyadmin@ARRAY.TEST");
            }
            existing("admin_ca", adminCa, "the PEM CA of the nodes' admin certificates, e.g. /etc/kerbgate/admin-ca.pem");
            existing("admin_client_cert", adminClientCert, "the tool's client certificate, PEM");
            existing("admin_client_key", adminClientKey, "the tool's client key, PEM PKCS#8");
            if ((adminClientCert == null) != (adminClientKey == null)) {
                throw new InvalidValue(adminClientCert == null ? "admin_client_cert" : "admin_client_key", "is missing",
                        "give admin_client_cert and admin_client_key together");
            }
        }

        ArrayConfig arrayConfig(Path file) {
            ArrayConfig.AdminTls adminTls = adminCa == null && adminClientCert == null ? null
                    : new ArrayConfig.AdminTls(adminCa, adminClientCert, adminClientKey);
            return new ArrayConfig(file, principal, enctypes, kdc, nodes.stream().map(NodeSection::node).toList(),
                    grace, verifyTimeout, check == null ? null : check.asCheck(),
                    adminClient == null ? null : adminClient.asCheck(), adminTls);
        }

        private static List<Enctype> enctypes(List<Enctype> enctypes) {
            if (enctypes.isEmpty()) {
                throw new InvalidValue("enctypes", "must be a non-empty list",
                        "e.g. [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96]");
            }
            List<Enctype> out = new ArrayList<>();
            for (int i = 0; i < enctypes.size(); i++) {
                Enctype e = enctypes.get(i);
                if (out.contains(e)) {
                    throw new InvalidValue("enctypes[" + i + "]", e.kerberosName() + " is listed twice",
                            "list each enctype once");
                }
                out.add(e);
            }
            return out;
        }

        private static List<NodeSection> nodes(List<NodeSection> nodes) {
            if (nodes.isEmpty()) {
                throw new InvalidValue("nodes", "must be a non-empty list", "add {name: node1, keytab: /path}");
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i) == null) {
                    throw new InvalidValue("nodes[" + i + "]", "is not a mapping",
                            "valid keys: " + String.join(", ", SectionBinder.validKeys(NodeSection.class)));
                }
                String name = nodes.get(i).name();
                if (!names.add(name)) {
                    throw new InvalidValue("nodes[" + i + "].name", "\"" + name + "\" names two nodes",
                            "give each node its own name");
                }
            }
            return List.copyOf(nodes);
        }

        private static void existing(String key, @Nullable Path path, String fix) {
            if (path != null && !Files.isRegularFile(path)) {
                throw new InvalidValue(key, path + " does not exist", fix);
            }
        }
    }

    /** One node: its watched keytab, its admin API, or both. */
    record NodeSection(
            @JsonDeserialize(using = Text.class) @Nullable String name,
            @JsonDeserialize(using = FilePath.class) @Nullable Path keytab,
            @JsonDeserialize(using = HttpUrl.class) @Nullable URI admin,
            @JsonDeserialize(using = HttpUrl.class) @Nullable URI front,
            @JsonDeserialize(using = FilePath.class) @Nullable Path adminTokenFile) {
        NodeSection {
            require("name", name, "give every node a name");
            if (!NODE_NAME.matcher(name).matches()) {
                throw new InvalidValue("name", "\"" + name + "\" is not a node name",
                        "use letters, digits, dot, dash and underscore");
            }
            if (keytab == null && admin == null) {
                throw new InvalidValue("", "node " + name + " has neither keytab nor admin",
                        "give the path of the keytab it watches, or its admin URL, or both");
            }
        }

        ArrayConfig.Node node() {
            return new ArrayConfig.Node(name, keytab, admin, front, adminTokenFile);
        }
    }

    /** {@code check} and {@code admin_client}: a client principal that logs in with its keytab. */
    record ClientSection(
            @JsonDeserialize(using = Text.class) @Nullable String client,
            @JsonDeserialize(using = FilePath.class) @Nullable Path keytab,
            @JsonDeserialize(using = FilePath.class) @Nullable Path krb5Conf) {

        /** Checked by the file, which knows which of the two this is. */
        void check(String section, String example) {
            require(section + ".client", client, example);
            if (!PRINCIPAL.matcher(client).matches()) {
                throw new InvalidValue(section + ".client", "\"" + client + "\" is not name@REALM", example);
            }
            if (keytab == null) {
                throw new InvalidValue(section + ".keytab", "is missing", "give the keytab of " + client);
            }
        }

        ArrayConfig.Check asCheck() {
            return new ArrayConfig.Check(client, keytab, krb5Conf);
        }
    }

    /** {@code kdc}: its {@code type} says which of the KDC sections the rest of it is. */
    static final class KdcSection extends JsonDeserializer<ArrayConfig.Kdc> {
        @Override
        public ArrayConfig.Kdc deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = ctxt.readTree(p);
            if (!node.isObject()) {
                throw new InvalidValue("", "is not a mapping", "e.g. {type: mit, kadmin: local}");
            }
            JsonNode typeNode = node.get("type");
            require("type", typeNode == null || typeNode.isNull() ? null : typeNode, "mit or kerby");
            String type;
            try {
                type = text(typeNode);
            } catch (InvalidValue e) {
                throw new InvalidValue("type", e.error().problem(), e.error().fix());
            }
            return switch (type) {
                case "ad" -> ctxt.readTreeAsValue(node, AdKdcFile.AdSection.class).kdc();
                case "kerby" -> {
                    ctxt.readTreeAsValue(node, KerbySection.class);
                    yield new ArrayConfig.KerbyKdc();
                }
                case "mit" -> ctxt.readTreeAsValue(node, MitSection.class).kdc();
                default -> throw new InvalidValue("type", "\"" + type + "\" is not a KDC type",
                        "use mit (kadmin.local or kadmin), ad (Active Directory over LDAP) or kerby (embedded, tests"
                                + " and demo)");
            };
        }
    }

    /** MIT krb5 through {@code kadmin.local} (local) or {@code kadmin} with an admin keytab (remote). */
    record MitSection(
            @JsonDeserialize(using = Text.class) String type,
            @JsonDeserialize(using = Text.class) @Nullable String kadmin,
            @JsonDeserialize(using = Text.class) @Nullable String adminPrincipal,
            @JsonDeserialize(using = FilePath.class) @Nullable Path adminKeytab,
            @JsonDeserialize(using = FilePath.class) @Nullable Path krb5Config,
            @JsonDeserialize(using = FilePath.class) @Nullable Path kdcProfile,
            @JsonDeserialize(using = Text.class) @Nullable String server) {
        MitSection {
            kadmin = kadmin == null ? "local" : kadmin;
            if (!kadmin.equals("local") && !kadmin.equals("remote")) {
                throw new InvalidValue("kadmin", "\"" + kadmin + "\" is neither local nor remote",
                        "local runs kadmin.local on the KDC host; remote runs kadmin with admin_principal and"
                                + " admin_keytab");
            }
            if (kadmin.equals("remote") && (adminPrincipal == null || adminKeytab == null)) {
                throw new InvalidValue(adminPrincipal == null ? "admin_principal" : "admin_keytab", "is missing",
                        "kadmin: remote authenticates as admin_principal with the key in admin_keytab");
            }
        }

        ArrayConfig.MitKdc kdc() {
            return new ArrayConfig.MitKdc(kadmin.equals("local"), adminPrincipal, adminKeytab, krb5Config, kdcProfile,
                    server);
        }
    }

    /** Apache Kerby's embedded KDC: nothing to say but its type. */
    record KerbySection(
            @JsonDeserialize(using = Text.class) String type,
            @JsonDeserialize(using = Text.class) @Nullable String kadmin) {}

    static <T> T require(String key, @Nullable T value, String fix) {
        if (value == null) {
            throw new InvalidValue(key, "is missing", fix);
        }
        return value;
    }

    static String text(JsonNode node) {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidValue("", "must be a non-empty string", "write it as key: value");
        }
        return node.asText().trim();
    }

    /** A non-empty string, trimmed. */
    static final class Text extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) {
            return text(node);
        }
    }

    /** A path, relative ones against the array file's directory. */
    static final class FilePath extends NodeReader<Path> {
        @Override
        protected Path convert(JsonNode node, DeserializationContext ctxt) {
            return SectionBinder.baseDir(ctxt).resolve(text(node)).normalize();
        }
    }

    /** An {@code http://} or {@code https://} URL with a host. */
    static final class HttpUrl extends NodeReader<URI> {
        @Override
        protected URI convert(JsonNode node, DeserializationContext ctxt) {
            String text = text(node);
            try {
                URI uri = URI.create(text);
                if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                return uri;
            } catch (IllegalArgumentException e) {
                throw new InvalidValue("", "\"" + text + "\" is not an http(s) URL",
                        "e.g. https://node2.example.test:9090");
            }
        }
    }

    static final class DurationText extends NodeReader<Duration> {
        @Override
        protected Duration convert(JsonNode node, DeserializationContext ctxt) {
            try {
                return Durations.parse(text(node));
            } catch (IllegalArgumentException e) {
                throw new InvalidValue("", e.getMessage() + "; use a form like 10h5m, 30d or 90s", "e.g. 10h5m");
            }
        }
    }

    /** An enctype strong enough for new keys, by its Kerberos name. */
    static final class EnctypeName extends NodeReader<Enctype> {
        @Override
        protected Enctype convert(JsonNode node, DeserializationContext ctxt) {
            Enctype e = Enctype.fromName(text(node));
            if (e == null || e.weak()) {
                throw new InvalidValue("", "\"" + node.asText() + "\" is not a usable enctype",
                        "use aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96, aes128-cts-hmac-sha256-128 or "
                                + "aes256-cts-hmac-sha384-192");
            }
            return e;
        }
    }
}
