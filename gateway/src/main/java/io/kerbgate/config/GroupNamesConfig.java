package io.kerbgate.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
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

    public GroupNamesConfig {
        Objects.requireNonNull(ldap, "ldap");
        Objects.requireNonNull(bindDn, "bindDn");
        Objects.requireNonNull(passwordFile, "passwordFile");
        Objects.requireNonNull(baseDn, "baseDn");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
    }
}
