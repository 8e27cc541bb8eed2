package io.kerbgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import org.jspecify.annotations.Nullable;

/**
 * {@code identity.group_names}: where the names of the PAC's group SIDs are looked up (Active Directory over LDAPS),
 * and how long they are cached.
 *
 * <pre>
 * identity:
 *   group_names_header: X-Remote-Group-Names
 *   group_names:
 *     ldap: ldaps://dc1.ad.example.com
 *     bind: {dn: svc-kerbgate@ad.example.com, password_file: /etc/kerbgate/ldap.password}
 *     ca: /etc/kerbgate/ad-ca.pem          # optional: the JDK's trust store otherwise
 *     base_dn: DC=ad,DC=example,DC=com
 *     cache_ttl: 10m                       # optional, default 10m
 *     cache_max_entries: 10000             # optional, default 10000
 * </pre>
 *
 * @param ldap            {@code ldaps://host[:port]}: the bind password never crosses the network in clear
 * @param bindDn          the simple-bind name (a DN or a UPN, as AD accepts both)
 * @param passwordFile    the bind password, the file's contents with a trailing newline removed
 * @param ca              PEM CA certificates the server's certificate must chain to, or {@code null} for the JDK's
 * @param baseDn          where groups are searched (subtree)
 * @param cacheTtl        how long a name (or the absence of one) is kept
 * @param cacheMaxEntries the most SIDs kept
 */
public record GroupNamesConfig(URI ldap, String bindDn, Path passwordFile, @Nullable Path ca, String baseDn,
        Duration cacheTtl, int cacheMaxEntries) {

    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(10);
    public static final int DEFAULT_CACHE_MAX_ENTRIES = 10_000;

    static final List<String> KEYS = List.of("ldap", "bind", "ca", "base_dn", "cache_ttl", "cache_max_entries");
    static final List<String> BIND_KEYS = List.of("dn", "password_file");
    private static final Duration MAX_CACHE_TTL = Duration.ofDays(1);
    private static final int MAX_CACHE_ENTRIES = 1_000_000;
    private static final String LDAP_FIX = "write ldap: ldaps://dc1.ad.example.com (LDAPS: the bind is a password)";
    private static final String PASSWORD_FIX =
            "point password_file at a file holding the bind password, readable only by kerbgate's user";

    public GroupNamesConfig {
        Objects.requireNonNull(ldap, "ldap");
        Objects.requireNonNull(bindDn, "bindDn");
        Objects.requireNonNull(passwordFile, "passwordFile");
        Objects.requireNonNull(baseDn, "baseDn");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
    }

    /** Reads {@code identity.group_names}, checking every key; files are resolved against {@code baseDir}. */
    static GroupNamesConfig parse(YamlSection section, Path baseDir) throws ConfigException {
        URI ldap = ldap(section.key("ldap"), section.require("ldap", LDAP_FIX));
        String bindFix = "write bind: {dn: svc-kerbgate@ad.example.com, password_file: /etc/kerbgate/ldap.password}";
        section.require("bind", bindFix);
        YamlSection bind = section.section("bind", BIND_KEYS);
        String bindDn = ConfigValues.text(bind.key("dn"), bind.require("dn", bindFix), bindFix);
        Path passwordFile = file(bind.key("password_file"), bind.require("password_file", PASSWORD_FIX), baseDir,
                PASSWORD_FIX);
        ConfigValues.requirePrivate(bind.key("password_file"), passwordFile);
        Path ca = section.has("ca") ? file(section.key("ca"), section.get("ca"), baseDir,
                "point ca at the PEM certificate of the CA that issued the DCs' certificates") : null;
        String baseFix = "write base_dn: DC=ad,DC=example,DC=com, the domain's naming context";
        String baseDn = ConfigValues.text(section.key("base_dn"), section.require("base_dn", baseFix), baseFix);
        try {
            new LdapName(baseDn);
        } catch (InvalidNameException e) {
            throw new ConfigException(section.key("base_dn"), ConfigValues.quote(baseDn) + " is not a DN", baseFix);
        }
        Duration ttl = section.has("cache_ttl")
                ? ConfigLoader.duration(section, "cache_ttl", MAX_CACHE_TTL, "use a duration from 1s to 1d, e.g. 10m")
                : DEFAULT_CACHE_TTL;
        int maxEntries = DEFAULT_CACHE_MAX_ENTRIES;
        if (section.has("cache_max_entries")) {
            JsonNode node = section.get("cache_max_entries");
            String fix = "write a whole number from 1 to " + MAX_CACHE_ENTRIES;
            if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 1
                    || node.intValue() > MAX_CACHE_ENTRIES) {
                throw new ConfigException(section.key("cache_max_entries"),
                        ConfigValues.describe(node) + " is not from 1 to " + MAX_CACHE_ENTRIES, fix);
            }
            maxEntries = node.intValue();
        }
        return new GroupNamesConfig(ldap, bindDn, passwordFile, ca, baseDn, ttl, maxEntries);
    }

    /** The tree {@link ConfigLoader#toRedactedYaml} writes: paths only, never the password. */
    void write(ObjectNode tree) {
        tree.put("ldap", ldap.toString());
        tree.putObject("bind").put("dn", bindDn).put("password_file", passwordFile.toString());
        if (ca != null) {
            tree.put("ca", ca.toString());
        }
        tree.put("base_dn", baseDn);
        tree.put("cache_ttl", ConfigValues.formatDuration(cacheTtl));
        tree.put("cache_max_entries", cacheMaxEntries);
    }

    private static URI ldap(String key, JsonNode node) throws ConfigException {
        String text = ConfigValues.text(key, node, LDAP_FIX);
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not a URI", LDAP_FIX);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("ldap")) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is plain LDAP, which would send the bind "
                    + "password in clear", LDAP_FIX);
        }
        if (!scheme.equals("ldaps") || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty()
                && !uri.getPath().equals("/")) || uri.getQuery() != null || uri.getUserInfo() != null) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not ldaps://host[:port]", LDAP_FIX);
        }
        return uri;
    }

    private static Path file(String key, JsonNode node, Path baseDir, String fix) throws ConfigException {
        String text = ConfigValues.text(key, node, fix);
        Path path;
        try {
            path = baseDir.toAbsolutePath().resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not a file path", fix);
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(key, path + (Files.exists(path) ? " is not a regular file" : " does not exist"),
                    fix);
        }
        try (InputStream in = Files.newInputStream(path)) {
            if (in.read() == -1) {
                throw new ConfigException(key, path + " is empty", fix);
            }
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, path + " is not readable", "let the user that runs kerbgate read it");
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")", fix, e);
        }
        return path;
    }
}
