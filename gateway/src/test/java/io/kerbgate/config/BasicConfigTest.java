package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.GatewayConfig.Basic;
import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code basic} section: off unless enabled, only with TLS, its service and rate limits, its krb5.conf. */
final class BasicConfigTest {

    private static final String TLS = ConfigFixture.REQUIRED + """
            principals: [HTTP/array.example.com@EXAMPLE.COM]
            tls:
              cert: fullchain.pem
              key: privkey.pem
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void writeFiles() throws IOException {
        ConfigFixture.writeKeytab(dir);
        Files.writeString(dir.resolve("fullchain.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        SecretFile.writeString(dir.resolve("privkey.pem"),
                "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
        Files.writeString(dir.resolve("krb5.conf"), "[libdefaults]\n  default_realm = EXAMPLE.COM\n");
    }

    @Test
    void absent_orNotEnabled_isOff() throws ConfigException {
        assertNull(ConfigFixture.parse(TLS, dir).basic());
        assertNull(ConfigFixture.parse(TLS + "basic:\n  realm: EXAMPLE.COM\n", dir).basic());
    }

    @Test
    void defaults_serviceFromTheOnlyPrincipal() throws ConfigException {
        Basic basic = ConfigFixture.parse(TLS + """
                basic:
                  enabled: true
                  realm: EXAMPLE.COM
                  krb5_conf: krb5.conf
                """, dir).basic();

        assertEquals("EXAMPLE.COM", basic.realm());
        assertEquals("HTTP/array.example.com@EXAMPLE.COM", basic.service());
        assertEquals(dir.resolve("krb5.conf"), basic.krb5Conf());
        assertEquals(Basic.DEFAULT_PER_PRINCIPAL, basic.perPrincipal());
        assertEquals(Basic.DEFAULT_PER_SOURCE, basic.perSource());
        assertEquals(Duration.ofMinutes(5), basic.successCache());
        assertEquals(Duration.ofMinutes(1), basic.failureCache());
    }

    @Test
    void limitsAndCaches_areRead_zeroTurnsACacheOff() throws ConfigException {
        Basic basic = ConfigFixture.parse(TLS + """
                basic:
                  enabled: true
                  realm: EXAMPLE.COM
                  per_principal: {attempts: 3}
                  per_source: {attempts: 10, per: 30s}
                  success_cache: 0s
                  failure_cache: 2m
                """, dir).basic();

        assertEquals(new Basic.RateLimit(3, Duration.ofMinutes(5)), basic.perPrincipal());
        assertEquals(new Basic.RateLimit(10, Duration.ofSeconds(30)), basic.perSource());
        assertEquals(Duration.ZERO, basic.successCache());
        assertEquals(Duration.ofMinutes(2), basic.failureCache());
    }

    @Test
    void withoutTls_isRefused() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "basic:\n  enabled: true\n  realm: EXAMPLE.COM\n  service: HTTP/a@EXAMPLE.COM\n", dir);

        assertEquals("basic.enabled", e.key());
        assertTrue(e.fix().contains("only accepted over TLS"), e.fix());
    }

    @Test
    void realmAndService_areNamedWhenMissingOrWrong() {
        assertEquals("basic.realm", ConfigFixture.error(TLS + "basic:\n  enabled: true\n", dir).key());
        assertEquals("basic.realm",
                ConfigFixture.error(TLS + "basic:\n  enabled: true\n  realm: example.com\n", dir).key());
        String noPrincipals = TLS.replace("principals: [HTTP/array.example.com@EXAMPLE.COM]\n", "");
        ConfigException e = ConfigFixture.error(noPrincipals + "basic:\n  enabled: true\n  realm: EXAMPLE.COM\n", dir);
        assertEquals("basic.service", e.key());
        assertEquals("is missing", e.problem());
    }

    @Test
    void badLimits_nameTheirKey() {
        assertEquals("basic.per_source.attempts", ConfigFixture.error(TLS
                + "basic:\n  enabled: true\n  realm: EXAMPLE.COM\n  per_source: {attempts: 0}\n", dir).key());
        assertEquals("basic.per_principal.per", ConfigFixture.error(TLS
                + "basic:\n  enabled: true\n  realm: EXAMPLE.COM\n  per_principal: {per: 0s}\n", dir).key());
        assertEquals("basic.success_cache", ConfigFixture.error(TLS
                + "basic:\n  enabled: true\n  realm: EXAMPLE.COM\n  success_cache: 11h\n", dir).key());
    }

    @Test
    void aKrb5ConfThatCanonicalizes_isRefused_forItDoublesBadPasswordCounts() throws IOException {
        Files.writeString(dir.resolve("krb5.conf"), "[libdefaults]\n  canonicalize = true\n");
        ConfigException e = ConfigFixture.error(TLS
                + "basic:\n  enabled: true\n  realm: EXAMPLE.COM\n  krb5_conf: krb5.conf\n", dir);

        assertEquals("basic.krb5_conf", e.key());
        assertTrue(e.problem().contains("twice"), e.problem());
    }

    @Test
    void aMissingKrb5Conf_isRefused() {
        assertEquals("basic.krb5_conf", ConfigFixture.error(TLS
                + "basic:\n  enabled: true\n  realm: EXAMPLE.COM\n  krb5_conf: nowhere.conf\n", dir).key());
    }

    @Test
    void basicAndDelegation_mayNotNameTwoKrb5Confs_theJdkReadsOne() throws IOException, ConfigException {
        Files.writeString(dir.resolve("other.conf"), "[libdefaults]\n");
        String both = TLS + """
                basic: {enabled: true, realm: EXAMPLE.COM, krb5_conf: krb5.conf}
                delegation: {spn: HTTP/backend.example.com@EXAMPLE.COM, krb5_conf: %s}
                """;

        ConfigException e = ConfigFixture.error(both.formatted("other.conf"), dir);
        GatewayConfig same = ConfigFixture.parse(both.formatted("krb5.conf"), dir);

        assertEquals("delegation.krb5_conf", e.key());
        assertTrue(e.problem().endsWith("the JDK reads one krb5.conf for the whole process"), e.problem());
        assertEquals(same.basic().krb5Conf(), same.delegation().krb5Conf());
    }
}
