package io.kerbgate.rollover;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.InvalidValue;
import io.kerbgate.rollover.ArrayFile.FilePath;
import io.kerbgate.rollover.ArrayFile.Text;
import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An array file's {@code kdc: {type: ad, ...}} section, as strictly as {@link ArrayFile} reads the rest:
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

    private static final String README_FIX = "see the Active Directory section of the README";
    // sAMAccountName: at most 20 characters (plus $ for computers), none of "/\[]:;|=,+*?<>@ or white space.
    private static final Pattern ACCOUNT = Pattern.compile("[^\"/\\\\\\[\\]:;|=,+*?<>@\\s]{1,20}\\$?");

    private AdKdcFile() {}

    record AdSection(
            @JsonDeserialize(using = Text.class) String type,
            @JsonDeserialize(using = Text.class) @Nullable String ldap,
            @JsonDeserialize(using = Text.class) @Nullable String account,
            @Nullable BindSection bind,
            @JsonDeserialize(using = FilePath.class) @Nullable Path ca,
            @JsonDeserialize(using = Text.class) @Nullable String tlsServerName,
            @JsonDeserialize(using = FilePath.class) @Nullable Path krb5Config,
            @JsonDeserialize(using = Text.class) @Nullable String container) {
        AdSection {
            ArrayFile.require("ldap", ldap, README_FIX);
            if (ldapUrl(ldap) == null) {
                throw new InvalidValue("ldap", "\"" + ldap + "\" is not an ldap:// or ldaps:// URL",
                        "e.g. ldaps://dc1.example.com");
            }
            ArrayFile.require("account", account, README_FIX);
            if (!ACCOUNT.matcher(account).matches()) {
                throw new InvalidValue("account", "\"" + account + "\" is not a sAMAccountName",
                        "a user like asa-array, or a computer like ASA-ARRAY$");
            }
            ArrayFile.require("bind", bind,
                    "{principal: ..., keytab: ...} for a GSSAPI bind, or {dn: ..., password_file: ...} over TLS");
        }

        ArrayConfig.AdKdc kdc() {
            return new ArrayConfig.AdKdc(ldapUrl(ldap), account, bind.principal(), bind.keytab(), bind.dn(),
                    bind.passwordFile(), ca, tlsServerName, krb5Config, container);
        }

        private static @Nullable URI ldapUrl(String text) {
            try {
                URI ldap = URI.create(text);
                boolean ldapScheme = "ldaps".equals(ldap.getScheme()) || "ldap".equals(ldap.getScheme());
                return ldap.getHost() != null && ldapScheme ? ldap : null;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** A GSSAPI bind (principal and keytab) or a simple bind (dn and password file), one of them. */
    record BindSection(
            @JsonDeserialize(using = Text.class) @Nullable String principal,
            @JsonDeserialize(using = FilePath.class) @Nullable Path keytab,
            @JsonDeserialize(using = Text.class) @Nullable String dn,
            @JsonDeserialize(using = FilePath.class) @Nullable Path passwordFile) {
        BindSection {
            boolean gssapi = principal != null || keytab != null;
            boolean simple = dn != null || passwordFile != null;
            if (gssapi == simple) {
                throw new InvalidValue("", gssapi ? "mixes a GSSAPI and a simple bind" : "names no identity",
                        "give principal and keytab, or dn and password_file");
            }
            if (gssapi && (principal == null || keytab == null)) {
                throw new InvalidValue(principal == null ? "principal" : "keytab", "is missing",
                        "a GSSAPI bind needs both principal and keytab");
            }
            if (simple && (dn == null || passwordFile == null)) {
                throw new InvalidValue(dn == null ? "dn" : "password_file", "is missing",
                        "a simple bind needs both dn and password_file");
            }
        }
    }
}
