package io.kerbgate.config;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import org.jspecify.annotations.Nullable;

/** {@code identity.group_names} as it is written; {@link #groupNames()} is the {@link GroupNamesConfig} it names. */
record GroupNamesSection(
        @JsonDeserialize(using = GroupNamesSection.Ldaps.class) @Nullable URI ldap,
        @Nullable BindSection bind,
        @Fix(GroupNamesSection.CA_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path ca,
        @Fix(GroupNamesSection.BASE_FIX) @Nullable String baseDn,
        @Nullable Duration cacheTtl,
        @JsonDeserialize(using = GroupNamesSection.CacheEntries.class) @Nullable Integer cacheMaxEntries) {

    static final String LDAP_FIX = "write ldap: ldaps://dc1.ad.example.com (LDAPS: the bind is a password)";
    static final String BIND_FIX =
            "write bind: {dn: svc-kerbgate@ad.example.com, password_file: /etc/kerbgate/ldap.password}";
    static final String PASSWORD_FIX =
            "point password_file at a file holding the bind password, readable only by kerbgate's user";
    static final String CA_FIX = "point ca at the PEM certificate of the CA that issued the DCs' certificates";
    static final String BASE_FIX = "write base_dn: DC=ad,DC=example,DC=com, the domain's naming context";
    static final String READ_FIX = "let the user that runs kerbgate read it";
    private static final Duration MAX_CACHE_TTL = Duration.ofDays(1);
    private static final int MAX_CACHE_ENTRIES = 1_000_000;

    GroupNamesSection {
        Checks.require("ldap", ldap, LDAP_FIX);
        Checks.require("bind", bind, BIND_FIX);
        if (ca != null) {
            Path file = ca;
            InvalidValue.check(() -> FileChecks.nonEmptyFile("ca", file, CA_FIX, READ_FIX));
        }
        Checks.require("base_dn", baseDn, BASE_FIX);
        try {
            new LdapName(baseDn);
        } catch (InvalidNameException e) {
            throw new InvalidValue("base_dn", ConfigValues.quote(baseDn) + " is not a DN", BASE_FIX);
        }
        cacheTtl = Checks.duration("cache_ttl", cacheTtl, GroupNamesConfig.DEFAULT_CACHE_TTL, MAX_CACHE_TTL,
                "use a duration from 1s to 1d, e.g. 10m");
        cacheMaxEntries = cacheMaxEntries == null ? GroupNamesConfig.DEFAULT_CACHE_MAX_ENTRIES : cacheMaxEntries;
    }

    GroupNamesConfig groupNames() {
        return new GroupNamesConfig(ldap, bind.dn(), bind.passwordFile(), ca, baseDn, cacheTtl, cacheMaxEntries);
    }

    /** The simple bind: a DN (or a UPN, as AD accepts both) and the file that holds its password. */
    record BindSection(
            @Fix(BIND_FIX) @Nullable String dn,
            @Fix(PASSWORD_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path passwordFile) {
        BindSection {
            Checks.require("dn", dn, BIND_FIX);
            Path file = Checks.require("password_file", passwordFile, PASSWORD_FIX);
            InvalidValue.check(() -> {
                FileChecks.nonEmptyFile("password_file", file, PASSWORD_FIX, READ_FIX);
                ConfigValues.requirePrivate("password_file", file);
                return file;
            });
        }
    }

    /** {@code ldaps://host[:port]}: the bind password never crosses the network in clear. */
    static final class Ldaps extends NodeReader<URI> {
        @Override
        protected URI convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            String text = ConfigValues.text("", node, LDAP_FIX);
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw new ConfigException("", ConfigValues.quote(text) + " is not a URI", LDAP_FIX);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("ldap")) {
                throw new ConfigException("", ConfigValues.quote(text) + " is plain LDAP, which would send the bind "
                        + "password in clear", LDAP_FIX);
            }
            if (!scheme.equals("ldaps") || uri.getHost() == null || (uri.getPath() != null
                    && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) || uri.getQuery() != null
                    || uri.getUserInfo() != null) {
                throw new ConfigException("", ConfigValues.quote(text) + " is not ldaps://host[:port]", LDAP_FIX);
            }
            return uri;
        }
    }

    static final class CacheEntries extends NodeReader<Integer> {
        @Override
        protected Integer convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 1
                    || node.intValue() > MAX_CACHE_ENTRIES) {
                throw new ConfigException("", ConfigValues.describe(node) + " is not from 1 to " + MAX_CACHE_ENTRIES,
                        "write a whole number from 1 to " + MAX_CACHE_ENTRIES);
            }
            return node.intValue();
        }
    }
}
