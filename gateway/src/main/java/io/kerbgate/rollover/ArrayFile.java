package io.kerbgate.rollover;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kerbgate.config.ConfigException;
import io.kerbgate.config.Durations;
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
 * Reads an array file strictly: every key is checked against the known ones, so a typo ({@code nodes[1].keytabb})
 * is an error naming its path instead of a node that silently never gets a key. Relative paths resolve against the
 * file's directory.
 */
public final class ArrayFile {

    static final Duration DEFAULT_GRACE = Duration.ofHours(10).plusMinutes(5);
    static final Duration DEFAULT_VERIFY_TIMEOUT = Duration.ofSeconds(30);

    private static final List<String> ROOT_KEYS =
            List.of("principal", "enctypes", "kdc", "nodes", "grace", "verify_timeout", "check", "admin_client",
                    "admin_ca", "admin_client_cert", "admin_client_key");
    private static final List<String> MIT_KEYS =
            List.of("type", "kadmin", "admin_principal", "admin_keytab", "krb5_config", "kdc_profile", "server");
    private static final List<String> NODE_KEYS = List.of("name", "keytab", "admin", "front", "admin_token_file");
    private static final List<String> CHECK_KEYS = List.of("client", "keytab", "krb5_conf");
    private static final Pattern PRINCIPAL = Pattern.compile("[^/@\\s]+(/[^/@\\s]+)*@[^/@\\s]+");
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final YAMLMapper YAML =
            YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final Path dir;

    private ArrayFile(Path dir) {
        this.dir = dir;
    }

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
        return new ArrayFile(file.toAbsolutePath().getParent()).read(file, root);
    }

    private ArrayConfig read(Path file, @Nullable JsonNode root) throws ConfigException {
        checkKeys("", root, ROOT_KEYS);
        String principal = text("principal", require(root, "", "principal", "the array's SPN, HTTP/host@REALM"));
        if (!PRINCIPAL.matcher(principal).matches()) {
            throw new ConfigException("principal", "\"" + principal + "\" is not name/instance@REALM",
                    "write it like HTTP/array.example.test@ARRAY.TEST");
        }
        return new ArrayConfig(file, principal, enctypes(require(root, "", "enctypes", "list the enctypes of new keys")),
                kdc(require(root, "", "kdc", "say which KDC holds the principal")), nodes(require(root, "", "nodes",
                        "list the array's nodes")), duration(root, "grace", DEFAULT_GRACE),
                duration(root, "verify_timeout", DEFAULT_VERIFY_TIMEOUT), client("check", root.get("check"),
                        "a test principal, e.g. rollcheck@ARRAY.TEST"),
                client("admin_client", root.get("admin_client"), "a key writer of the nodes, e.g. keyadmin@ARRAY.TEST"),
                adminTls(root));
    }

    private ArrayConfig.@Nullable AdminTls adminTls(JsonNode root) throws ConfigException {
        Path ca = existing(root, "admin_ca", "the PEM CA of the nodes' admin certificates, e.g. /etc/kerbgate/admin-ca.pem");
        Path cert = existing(root, "admin_client_cert", "the tool's client certificate, PEM");
        Path key = existing(root, "admin_client_key", "the tool's client key, PEM PKCS#8");
        if ((cert == null) != (key == null)) {
            throw new ConfigException(cert == null ? "admin_client_cert" : "admin_client_key", "is missing",
                    "give admin_client_cert and admin_client_key together");
        }
        return ca == null && cert == null ? null : new ArrayConfig.AdminTls(ca, cert, key);
    }

    private @Nullable Path existing(JsonNode root, String name, String fix) throws ConfigException {
        Path path = optionalPath(root, name, name);
        if (path != null && !Files.isRegularFile(path)) {
            throw new ConfigException(name, path + " does not exist", fix);
        }
        return path;
    }

    private static List<Enctype> enctypes(JsonNode node) throws ConfigException {
        if (!node.isArray() || node.isEmpty()) {
            throw new ConfigException("enctypes", "must be a non-empty list",
                    "e.g. [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96]");
        }
        List<Enctype> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String key = "enctypes[" + i + "]";
            Enctype e = Enctype.fromName(text(key, node.get(i)));
            if (e == null || e.weak()) {
                throw new ConfigException(key, "\"" + node.get(i).asText() + "\" is not a usable enctype",
                        "use aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96, aes128-cts-hmac-sha256-128 or "
                                + "aes256-cts-hmac-sha384-192");
            }
            if (out.contains(e)) {
                throw new ConfigException(key, e.kerberosName() + " is listed twice", "list each enctype once");
            }
            out.add(e);
        }
        return out;
    }

    private ArrayConfig.Kdc kdc(JsonNode node) throws ConfigException {
        if (!node.isObject()) {
            throw new ConfigException("kdc", "is not a mapping", "e.g. {type: mit, kadmin: local}");
        }
        String type = text("kdc.type", require(node, "kdc", "type", "mit or kerby"));
        if (type.equals("ad")) {
            return AdKdcFile.read(node, dir);
        }
        if (type.equals("kerby")) {
            checkKeys("kdc", node, List.of("type", "kadmin"));
            return new ArrayConfig.KerbyKdc();
        }
        if (!type.equals("mit")) {
            throw new ConfigException("kdc.type", "\"" + type + "\" is not a KDC type",
                    "use mit (kadmin.local or kadmin), ad (Active Directory over LDAP) or kerby (embedded, tests and demo)");
        }
        checkKeys("kdc", node, MIT_KEYS);
        String kadmin = node.has("kadmin") ? text("kdc.kadmin", node.get("kadmin")) : "local";
        boolean local = switch (kadmin) {
            case "local" -> true;
            case "remote" -> false;
            default -> throw new ConfigException("kdc.kadmin", "\"" + kadmin + "\" is neither local nor remote",
                    "local runs kadmin.local on the KDC host; remote runs kadmin with admin_principal and admin_keytab");
        };
        String adminPrincipal = optionalText(node, "admin_principal", "kdc.admin_principal");
        Path adminKeytab = optionalPath(node, "admin_keytab", "kdc.admin_keytab");
        if (!local && (adminPrincipal == null || adminKeytab == null)) {
            throw new ConfigException(adminPrincipal == null ? "kdc.admin_principal" : "kdc.admin_keytab",
                    "is missing", "kadmin: remote authenticates as admin_principal with the key in admin_keytab");
        }
        return new ArrayConfig.MitKdc(local, adminPrincipal, adminKeytab, optionalPath(node, "krb5_config",
                "kdc.krb5_config"), optionalPath(node, "kdc_profile", "kdc.kdc_profile"),
                optionalText(node, "server", "kdc.server"));
    }

    private List<ArrayConfig.Node> nodes(JsonNode node) throws ConfigException {
        if (!node.isArray() || node.isEmpty()) {
            throw new ConfigException("nodes", "must be a non-empty list", "add {name: node1, keytab: /path}");
        }
        List<ArrayConfig.Node> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "nodes[" + i + "]";
            JsonNode n = node.get(i);
            checkKeys(at, n, NODE_KEYS);
            String name = text(at + ".name", require(n, at, "name", "give every node a name"));
            if (!NODE_NAME.matcher(name).matches()) {
                throw new ConfigException(at + ".name", "\"" + name + "\" is not a node name",
                        "use letters, digits, dot, dash and underscore");
            }
            if (!names.add(name)) {
                throw new ConfigException(at + ".name", "\"" + name + "\" names two nodes", "give each node its own name");
            }
            Path keytab = optionalPath(n, "keytab", at + ".keytab");
            URI admin = optionalUri(n, "admin", at + ".admin");
            if (keytab == null && admin == null) {
                throw new ConfigException(at, "node " + name + " has neither keytab nor admin",
                        "give the path of the keytab it watches, or its admin URL, or both");
            }
            out.add(new ArrayConfig.Node(name, keytab, admin, optionalUri(n, "front", at + ".front"),
                    optionalPath(n, "admin_token_file", at + ".admin_token_file")));
        }
        return out;
    }

    /** {@code check} and {@code admin_client}: a client principal that logs in with its keytab. */
    private ArrayConfig.@Nullable Check client(String section, @Nullable JsonNode node, String example)
            throws ConfigException {
        if (node == null || node.isNull()) {
            return null;
        }
        checkKeys(section, node, CHECK_KEYS);
        String client = text(section + ".client", require(node, section, "client", example));
        if (!PRINCIPAL.matcher(client).matches()) {
            throw new ConfigException(section + ".client", "\"" + client + "\" is not name@REALM", example);
        }
        Path keytab = optionalPath(node, "keytab", section + ".keytab");
        if (keytab == null) {
            throw new ConfigException(section + ".keytab", "is missing", "give the keytab of " + client);
        }
        return new ArrayConfig.Check(client, keytab, optionalPath(node, "krb5_conf", section + ".krb5_conf"));
    }

    private static void checkKeys(String path, @Nullable JsonNode node, List<String> valid) throws ConfigException {
        if (node == null || !node.isObject()) {
            throw new ConfigException(path, path.isEmpty() ? "the file is not a mapping of keys" : "is not a mapping",
                    "valid keys: " + String.join(", ", valid));
        }
        for (var names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!valid.contains(name)) {
                throw new ConfigException(path.isEmpty() ? name : path + "." + name, "unknown key",
                        "valid keys" + (path.isEmpty() ? "" : " under " + path) + ": " + String.join(", ", valid));
            }
        }
    }

    private static JsonNode require(JsonNode node, String path, String name, String fix) throws ConfigException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new ConfigException(path.isEmpty() ? name : path + "." + name, "is missing", fix);
        }
        return value;
    }

    private static String text(String key, JsonNode node) throws ConfigException {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new ConfigException(key, "must be a non-empty string", "write it as key: value");
        }
        return node.asText().trim();
    }

    private static @Nullable String optionalText(JsonNode node, String name, String key) throws ConfigException {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : text(key, value);
    }

    private @Nullable Path optionalPath(JsonNode node, String name, String key) throws ConfigException {
        String text = optionalText(node, name, key);
        return text == null ? null : dir.resolve(text).normalize();
    }

    private static @Nullable URI optionalUri(JsonNode node, String name, String key) throws ConfigException {
        String text = optionalText(node, name, key);
        if (text == null) {
            return null;
        }
        try {
            URI uri = URI.create(text);
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, "\"" + text + "\" is not an http(s) URL", "e.g. https://node2.example.test:9090");
        }
    }

    private static Duration duration(JsonNode root, String name, Duration fallback) throws ConfigException {
        JsonNode value = root.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        try {
            return Durations.parse(text(name, value));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, e.getMessage() + "; use a form like 10h5m, 30d or 90s", "e.g. 10h5m");
        }
    }
}
