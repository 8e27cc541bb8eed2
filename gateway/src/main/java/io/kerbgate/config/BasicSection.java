package io.kerbgate.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.Basic;
import io.kerbgate.config.GatewayConfig.Basic.RateLimit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code basic} section as it is written: {@code Authorization: Basic} turned into a Kerberos login, off unless
 * {@code enabled: true}. {@link #basic} checks what depends on the rest of the file (TLS, the service principal).
 */
record BasicSection(
        @Nullable Boolean enabled,
        @Fix(BasicSection.REALM_FIX) @JsonDeserialize(using = Scalars.Realm.class) @Nullable String realm,
        @Fix(BasicSection.SERVICE_FIX) @JsonDeserialize(using = Scalars.Principal.class) @Nullable String service,
        @Fix(BasicSection.KRB5_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path krb5Conf,
        @Nullable RateLimitSection perPrincipal,
        @Nullable RateLimitSection perSource,
        @Nullable Duration successCache,
        @Nullable Duration failureCache) {

    static final String REALM_FIX = "write the Kerberos realm of the users, e.g. realm: EXAMPLE.COM";
    static final String SERVICE_FIX = "write the array principal whose tickets the keytab decrypts, e.g. "
            + "service: HTTP/array.example.com@EXAMPLE.COM";
    static final String KRB5_FIX = "point krb5_conf at a krb5.conf whose [realms] names the realm's KDCs";
    static final Duration MAX_CACHE = Duration.ofHours(10);
    static final Duration MAX_WINDOW = Duration.ofDays(1);
    private static final Pattern CANONICALIZE = Pattern.compile("(?im)^\\s*canonicalize\\s*=\\s*(true|yes|on|1)\\b");

    BasicSection {
        if (realm != null && !realm.equals(realm.toUpperCase(Locale.ROOT))) {
            throw new InvalidValue("realm", ConfigValues.quote(realm) + " is not upper case",
                    "write the realm as the KDC names it, in capitals: " + realm.toUpperCase(Locale.ROOT));
        }
        if (krb5Conf != null) {
            Path path = krb5Conf;
            InvalidValue.check(() -> FileChecks.nonEmptyFile("krb5_conf", path, KRB5_FIX,
                    "let the user that runs kerbgate read it"));
            refuseCanonicalize(path);
        }
        String cacheFix = "use a duration from 0s (off) to " + Durations.format(MAX_CACHE);
        successCache = Checks.durationOrZero("success_cache", successCache, Basic.DEFAULT_SUCCESS_CACHE, MAX_CACHE,
                cacheFix);
        failureCache = Checks.durationOrZero("failure_cache", failureCache, Basic.DEFAULT_FAILURE_CACHE, MAX_CACHE,
                cacheFix);
    }

    /**
     * The settings, or {@code null} when off.
     *
     * @param principals the config's {@code principals}: {@code service} defaults to the only one
     * @param tls        whether the front listener has TLS, which Basic needs
     */
    @Nullable Basic basic(List<String> principals, boolean tls) {
        if (enabled == null || !enabled) {
            return null;
        }
        if (!tls) {
            throw new InvalidValue("enabled", "is true without tls on the front listener",
                    "add a tls section: Basic carries the password, and is only accepted over TLS");
        }
        String realmName = Checks.require("realm", realm, REALM_FIX);
        String principal = service;
        if (principal == null) {
            if (principals.size() != 1) {
                throw new InvalidValue("service", "is missing", SERVICE_FIX
                        + " (it defaults to the only entry of principals)");
            }
            principal = principals.get(0);
        }
        return new Basic(realmName, principal, krb5Conf,
                (perPrincipal == null ? new RateLimitSection(null, null) : perPrincipal)
                        .rateLimit(Basic.DEFAULT_PER_PRINCIPAL),
                (perSource == null ? new RateLimitSection(null, null) : perSource).rateLimit(Basic.DEFAULT_PER_SOURCE),
                successCache, failureCache);
    }

    /**
     * With {@code canonicalize = true} the JDK sends every failed AS exchange again without it, so the KDC counts each
     * wrong password twice toward the account's lockout (measured against Samba: {@code badPwdCount} +2 a login).
     */
    private static void refuseCanonicalize(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidValue("krb5_conf", path + " cannot be read (" + e.getMessage() + ")", KRB5_FIX);
        }
        if (CANONICALIZE.matcher(text).find()) {
            throw new InvalidValue("krb5_conf", path + " sets canonicalize = true: the JDK then retries every failed"
                    + " password login without it, and the KDC counts each wrong password twice",
                    "give kerbgate a krb5.conf without canonicalize (or with canonicalize = false)");
        }
    }

    /** {@code per_principal} and {@code per_source}: {@code attempts} at once, refilled at that many a {@code per}. */
    record RateLimitSection(@Nullable Integer attempts, @Nullable Duration per) {
        RateLimitSection {
            if (attempts != null && (attempts < 1 || attempts > 1_000_000)) {
                throw new InvalidValue("attempts", attempts + " is not from 1 to 1000000",
                        "write how many logins may reach the KDC at once, e.g. attempts: 5");
            }
            per = Checks.duration("per", per, null, MAX_WINDOW, "use a duration from 1s to 1d, e.g. per: 5m");
        }

        RateLimit rateLimit(RateLimit fallback) {
            return new RateLimit(attempts == null ? fallback.attempts() : attempts, per == null ? fallback.per() : per);
        }
    }
}
