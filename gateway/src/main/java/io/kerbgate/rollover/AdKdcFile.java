package io.kerbgate.rollover;

import com.fasterxml.jackson.databind.JsonNode;
import io.kerbgate.config.ConfigException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads an array file's {@code kdc: {type: ad, ...}} section, as strictly as {@link ArrayFile} reads the rest:
 *
 * <pre>
 * kdc:
 *   type: ad
 *   ldap: ldaps://dc1.example.com        # or ldap://... (StartTLS for a simple bind, SASL sealing for GSSAPI)
 *   account: asa-array                   # a user; ASA-ARRAY$ for a computer account
 *   bind: {principal: kerbgate-roll@EXAMPLE.COM, keytab: roll.keytab}   # or {dn: ..., password_file: ...}
 *   ca: dc-ca.pem                        # optional: trust only this CA for the DC's certificate
 *   tls_server_name: dc1.example.com     # optional: the name in the DC's certificate
 *   krb5_config: /etc/krb5.conf          # optional, for the GSSAPI bind
 *   container: OU=Services,DC=example,DC=com   # optional, where keys init creates the account
 * </pre>
 */
final class AdKdcFile {

    private static final List<String> KEYS = List.of("type", "ldap", "account", "bind", "ca", "tls_server_name",
            "krb5_config", "container");
    private static final List<String> BIND_KEYS = List.of("principal", "keytab", "dn", "password_file");
    // sAMAccountName: at most 20 characters (plus $ for computers), none of "/\[]:;|=,+*?<>@ or white space.
    private static final Pattern ACCOUNT = Pattern.compile("[^\"/\\\\\\[\\]:;|=,+*?<>@\\s]{1,20}\\$?");

    private AdKdcFile() {}

    static ArrayConfig.AdKdc read(JsonNode node, Path dir) throws ConfigException {
        check("kdc", node, KEYS);
        String ldapText = text(node, "ldap", "kdc.ldap", true);
        URI ldap;
        try {
            ldap = URI.create(ldapText);
        } catch (IllegalArgumentException e) {
            ldap = null;
        }
        if (ldap == null || ldap.getHost() == null
                || !("ldaps".equals(ldap.getScheme()) || "ldap".equals(ldap.getScheme()))) {
            throw new ConfigException("kdc.ldap", "\"" + ldapText + "\" is not an ldap:// or ldaps:// URL",
                    "e.g. ldaps://dc1.example.com");
        }
        String account = text(node, "account", "kdc.account", true);
        if (!ACCOUNT.matcher(account).matches()) {
            throw new ConfigException("kdc.account", "\"" + account + "\" is not a sAMAccountName",
                    "a user like asa-array, or a computer like ASA-ARRAY$");
        }
        JsonNode bind = node.get("bind");
        if (bind == null || bind.isNull()) {
            throw new ConfigException("kdc.bind", "is missing",
                    "{principal: ..., keytab: ...} for a GSSAPI bind, or {dn: ..., password_file: ...} over TLS");
        }
        check("kdc.bind", bind, BIND_KEYS);
        String principal = text(bind, "principal", "kdc.bind.principal", false);
        Path keytab = path(bind, "keytab", "kdc.bind.keytab", dir);
        String dn = text(bind, "dn", "kdc.bind.dn", false);
        Path passwordFile = path(bind, "password_file", "kdc.bind.password_file", dir);
        boolean gssapi = principal != null || keytab != null;
        boolean simple = dn != null || passwordFile != null;
        if (gssapi == simple) {
            throw new ConfigException("kdc.bind", gssapi ? "mixes a GSSAPI and a simple bind" : "names no identity",
                    "give principal and keytab, or dn and password_file");
        }
        if (gssapi && (principal == null || keytab == null)) {
            throw new ConfigException(principal == null ? "kdc.bind.principal" : "kdc.bind.keytab", "is missing",
                    "a GSSAPI bind needs both principal and keytab");
        }
        if (simple && (dn == null || passwordFile == null)) {
            throw new ConfigException(dn == null ? "kdc.bind.dn" : "kdc.bind.password_file", "is missing",
                    "a simple bind needs both dn and password_file");
        }
        return new ArrayConfig.AdKdc(ldap, account, principal, keytab, dn, passwordFile,
                path(node, "ca", "kdc.ca", dir), text(node, "tls_server_name", "kdc.tls_server_name", false),
                path(node, "krb5_config", "kdc.krb5_config", dir), text(node, "container", "kdc.container", false));
    }

    private static void check(String path, JsonNode node, List<String> valid) throws ConfigException {
        if (!node.isObject()) {
            throw new ConfigException(path, "is not a mapping", "valid keys: " + String.join(", ", valid));
        }
        for (var names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!valid.contains(name)) {
                throw new ConfigException(path + "." + name, "unknown key",
                        "valid keys under " + path + ": " + String.join(", ", valid));
            }
        }
    }

    private static @Nullable String text(JsonNode node, String name, String key, boolean required)
            throws ConfigException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                throw new ConfigException(key, "is missing", "see the Active Directory section of the README");
            }
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new ConfigException(key, "must be a non-empty string", "write it as key: value");
        }
        return value.asText().trim();
    }

    private static @Nullable Path path(JsonNode node, String name, String key, Path dir) throws ConfigException {
        String text = text(node, name, key, false);
        return text == null ? null : dir.resolve(text).normalize();
    }
}
