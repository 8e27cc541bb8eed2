package io.kerbgate.rollover;

import io.kerbgate.crypto.Enctype;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The array file: which principal the array shares, which KDC holds it, which nodes must hold its keys. Read by
 * {@link ArrayFile}; {@code conf/array.yaml} is the commented example.
 *
 * @param file          where it was read from; the lock, journal and pending keytab live beside it
 * @param principal     the array's service principal, {@code HTTP/array.example.test@ARRAY.TEST}
 * @param enctypes      the enctypes of every new key, in the KDC's order of preference
 * @param kdc           how to reach the KDC's admin side
 * @param nodes         every node of the array, in the order they are worked on
 * @param grace         how long the gateways keep accepting a rolled kvno; {@code keys retire} waits this long
 * @param verifyTimeout how long to wait for a node's admin API to report a new kvno loaded
 * @param check         the client that asks the KDC for a ticket after the commit; none skips the check step
 * @param adminClient   the key writer the admin API calls authenticate as (Negotiate, a ticket for
 *                      {@link #principal}); none sends them unauthenticated, which a gateway refuses
 * @param adminTls      how {@code https://} admin URLs are verified, and the tool's client certificate; none uses
 *                      the JDK's trust store and no certificate
 */
public record ArrayConfig(Path file, String principal, List<Enctype> enctypes, Kdc kdc, List<Node> nodes,
        Duration grace, Duration verifyTimeout, @Nullable Check check, @Nullable Check adminClient,
        @Nullable AdminTls adminTls) {

    /**
     * @param ca         PEM CA certificates the nodes' admin certificates must chain to ({@code admin_ca}); absent
     *                   means the JDK's trust store. Host names are always checked
     * @param clientCert the tool's client certificate chain, PEM ({@code admin_client_cert}), or absent
     * @param clientKey  its PKCS#8 PEM key ({@code admin_client_key}), with {@code clientCert}
     */
    public record AdminTls(@Nullable Path ca, @Nullable Path clientCert, @Nullable Path clientKey) {
        public AdminTls {
            if ((clientCert == null) != (clientKey == null)) {
                throw new IllegalArgumentException("admin_client_cert and admin_client_key go together");
            }
        }
    }

    public ArrayConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(principal, "principal");
        enctypes = List.copyOf(enctypes);
        Objects.requireNonNull(kdc, "kdc");
        nodes = List.copyOf(nodes);
    }

    /** The realm part of {@link #principal}. */
    public String realm() {
        return principal.substring(principal.lastIndexOf('@') + 1);
    }

    public Optional<Node> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /** {@code <array file>.<suffix>}, e.g. {@code array.yaml.journal.json}. */
    public Path besideFile(String suffix) {
        Path absolute = file.toAbsolutePath();
        return absolute.resolveSibling(absolute.getFileName() + "." + suffix);
    }

    /** The KDC's admin side. */
    public sealed interface Kdc permits MitKdc, KerbyKdc, AdKdc {}

    /**
     * MIT krb5 through {@code kadmin.local} on the KDC host (local) or {@code kadmin} with an admin keytab (remote).
     *
     * @param krb5Config  {@code KRB5_CONFIG} for the tools; absent means the system default
     * @param kdcProfile  {@code KRB5_KDC_PROFILE} (kdc.conf) for kadmin.local; absent means the system default
     * @param server      {@code kadmin -s host[:port]} for remote; absent means the realm's admin_server
     */
    public record MitKdc(boolean local, @Nullable String adminPrincipal, @Nullable Path adminKeytab,
            @Nullable Path krb5Config, @Nullable Path kdcProfile, @Nullable String server) implements Kdc {}

    /**
     * Active Directory (or a Samba AD DC) over LDAP: see {@link ActiveDirectoryKdcAdapter} and {@link AdKdcFile}.
     *
     * @param ldap          {@code ldaps://dc.example.com} or {@code ldap://dc.example.com} (StartTLS for a simple bind)
     * @param account       the ASA account's sAMAccountName: {@code asa-array} (a user) or {@code ASA-ARRAY$} (a computer)
     * @param bindPrincipal SASL GSSAPI bind as this principal with {@code bindKeytab}; or
     * @param bindDn        a simple bind as this DN (or {@code user@domain}) with the password in {@code passwordFile}
     * @param ca            PEM file of the CA(s) to trust for the DC's certificate; absent means the JDK's trust store
     * @param tlsServerName the name the DC's certificate must carry; absent means the host of {@code ldap}
     * @param krb5Config    the krb5.conf the JDK reads for a GSSAPI bind; absent means the JDK's default
     * @param container     where {@code keys init} creates the account; absent means CN=Users or CN=Computers
     */
    public record AdKdc(URI ldap, String account, @Nullable String bindPrincipal, @Nullable Path bindKeytab,
            @Nullable String bindDn, @Nullable Path passwordFile, @Nullable Path ca, @Nullable String tlsServerName,
            @Nullable Path krb5Config, @Nullable String container) implements Kdc {
        public AdKdc {
            Objects.requireNonNull(ldap, "ldap");
            Objects.requireNonNull(account, "account");
            if ((bindPrincipal == null) == (bindDn == null)) {
                throw new IllegalArgumentException("bind by principal+keytab or by dn+password_file, one of them");
            }
        }

        public boolean computer() {
            return account.endsWith("$");
        }
    }

    /** Apache Kerby's embedded KDC: in-process only, for the demo and tests; see {@link KerbyKdcAdapter}. */
    public record KerbyKdc() implements Kdc {}

    /**
     * One node: its watched keytab (a local or mounted path), its admin API, or both.
     *
     * @param front          the node's own HTTPS front URL, for an end-to-end check through it
     * @param adminTokenFile a file holding the bearer token for the admin API
     */
    public record Node(String name, @Nullable Path keytab, @Nullable URI admin, @Nullable URI front,
            @Nullable Path adminTokenFile) {
        public Node {
            Objects.requireNonNull(name, "name");
            if (keytab == null && admin == null) {
                throw new IllegalArgumentException("node " + name + " needs a keytab or an admin URL");
            }
        }
    }

    /**
     * A client that logs in with its own keytab: the test client of the check step, or the admin API's key writer.
     *
     * @param client   a principal of its own, never the array's
     * @param keytab   its keytab
     * @param krb5Conf the krb5.conf the JDK should read; absent means the JDK's default
     */
    public record Check(String client, Path keytab, @Nullable Path krb5Conf) {}
}
