package io.kerbgate.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.Delegation;
import io.kerbgate.config.Scalars.Range;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code delegation} section as it is written ({@link #delegation}): constrained delegation (S4U2Proxy) to a
 * Kerberized backend pool.
 */
record DelegationSection(
        @Fix(SPN_FIX) @JsonDeserialize(using = Scalars.Principal.class) @Nullable String spn,
        @Fix(PRINCIPAL_FIX) @JsonDeserialize(using = Scalars.Principal.class) @Nullable String principal,
        @Fix(KEYTAB_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path keytab,
        @Range(min = 1, max = MAX_ENTRIES) @Nullable Integer maxEntries,
        @Nullable Duration renewBefore,
        @Fix(KRB5_CONF_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path krb5Conf) {

    static final int MAX_ENTRIES = 10_000_000;
    static final Duration MAX_RENEW_BEFORE = Duration.ofHours(4);
    static final String SPN_FIX = "write the backend's service principal, e.g. spn: HTTP/backend.example.test@REALM,"
            + " one the KDC lets the gateway's account delegate to (msDS-AllowedToDelegateTo)";
    static final String PRINCIPAL_FIX = "write the gateway's own principal, e.g. principal:"
            + " HTTP/array.example.test@REALM: the one the clients' tickets are for";
    static final String KEYTAB_FIX = "point keytab at the keytab that holds delegation.principal's keys";
    static final String KRB5_CONF_FIX = "point krb5_conf at the krb5.conf that names the realm's KDCs, or leave it"
            + " out for the JDK's default (/etc/krb5.conf)";

    DelegationSection {
        Checks.require("spn", spn, SPN_FIX);
        if (keytab != null) {
            Path tab = keytab;
            InvalidValue.check(() -> FileChecks.keytab("keytab", tab));
        }
        renewBefore = Checks.duration("renew_before", renewBefore, Delegation.DEFAULT_RENEW_BEFORE, MAX_RENEW_BEFORE,
                "use a duration well under the tickets' lifetime, e.g. 5m (the default)");
        if (krb5Conf != null) {
            Path conf = krb5Conf;
            InvalidValue.check(() -> FileChecks.nonEmptyFile("krb5_conf", conf, KRB5_CONF_FIX,
                    "let the user that runs kerbgate read it"));
        }
    }

    /**
     * The section with its defaults filled from the rest of the file: the principal from {@code principals} when it
     * names exactly one, the keytab from {@code keytab} or else the state directory's installed keytab.
     */
    Delegation delegation(List<String> principals, @Nullable Path gatewayKeytab, @Nullable Path installedKeytab,
            boolean authRequired) {
        if (!authRequired) {
            throw new InvalidValue("delegation", "needs an authenticated user, and auth.required is false",
                    "remove delegation, or set auth.required: true");
        }
        String who = principal;
        if (who == null) {
            if (principals.size() != 1) {
                throw new InvalidValue("delegation.principal", "is missing, and principals names "
                        + (principals.isEmpty() ? "none" : principals.size() + " principals"), PRINCIPAL_FIX);
            }
            who = principals.get(0);
        } else if (!principals.isEmpty() && !principals.contains(who)) {
            throw new InvalidValue("delegation.principal", ConfigValues.quote(who) + " is not one of principals "
                    + principals, "name the principal the clients' tickets are for, one of principals");
        }
        Path tab = keytab != null ? keytab : gatewayKeytab != null ? gatewayKeytab : installedKeytab;
        if (tab == null) {
            throw new InvalidValue("delegation.keytab", "is missing", KEYTAB_FIX);
        }
        if (who.equals(spn)) {
            throw new InvalidValue("delegation.spn", ConfigValues.quote(spn) + " is the gateway's own principal",
                    SPN_FIX);
        }
        return new Delegation(spn, who, tab, maxEntries == null ? Delegation.DEFAULT_MAX_ENTRIES : maxEntries,
                renewBefore, krb5Conf);
    }
}
