package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.GatewayConfig.Delegation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class DelegationConfigTest {

    private static final String ONE_PRINCIPAL = ConfigFixture.REQUIRED
            + "principals: [HTTP/array.example.test@EXAMPLE.TEST]\n";

    @TempDir
    Path dir;

    @BeforeEach
    void writeKeytab() throws IOException {
        ConfigFixture.writeKeytab(dir);
    }

    @Test
    void absentOrEmpty_isOff() throws ConfigException {
        assertNull(ConfigFixture.parse(ConfigFixture.REQUIRED, dir).delegation());
        assertNull(ConfigFixture.parse(ConfigFixture.REQUIRED + "delegation:\n", dir).delegation());
    }

    @Test
    void spnAlone_takesThePrincipalAndKeytabOfTheGateway() throws ConfigException {
        Delegation d = ConfigFixture.parse(ONE_PRINCIPAL
                + "delegation: {spn: HTTP/backend.example.test@EXAMPLE.TEST}\n", dir).delegation();

        assertEquals("HTTP/backend.example.test@EXAMPLE.TEST", d.spn());
        assertEquals("HTTP/array.example.test@EXAMPLE.TEST", d.principal());
        assertEquals(dir.resolve("http.keytab"), d.keytab());
        assertEquals(Delegation.DEFAULT_MAX_ENTRIES, d.maxEntries());
        assertEquals(Delegation.DEFAULT_RENEW_BEFORE, d.renewBefore());
        assertNull(d.krb5Conf());
    }

    @Test
    void everyKey_isRead_andTheEffectiveConfigReadsBack() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("krb5.conf"), "[libdefaults]\n");
        GatewayConfig config = ConfigFixture.parse(ONE_PRINCIPAL + """
                delegation:
                  spn: HTTP/backend.example.test@EXAMPLE.TEST
                  principal: HTTP/array.example.test@EXAMPLE.TEST
                  keytab: http.keytab
                  max_entries: 50
                  renew_before: 10m
                  krb5_conf: krb5.conf
                """, dir);
        Delegation d = config.delegation();

        assertEquals(50, d.maxEntries());
        assertEquals(Duration.ofMinutes(10), d.renewBefore());
        assertEquals(dir.resolve("krb5.conf"), d.krb5Conf());
        assertEquals(config, ConfigFixture.parse(ConfigLoader.toRedactedYaml(config), dir));
    }

    @Test
    void noSpn_namesTheKeyAndTheFix() {
        ConfigException e = ConfigFixture.error(ONE_PRINCIPAL + "delegation: {max_entries: 5}\n", dir);

        assertEquals("delegation.spn", e.key());
        assertTrue(e.fix().contains("msDS-AllowedToDelegateTo"), e.fix());
    }

    @Test
    void noPrincipal_whenPrincipalsDoesNotNameExactlyOne() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "delegation: {spn: HTTP/backend.example.test@EXAMPLE.TEST}\n", dir);

        assertEquals("delegation.principal", e.key());
        assertTrue(e.problem().contains("principals names none"), e.problem());
    }

    @Test
    void aPrincipalTheGatewayDoesNotAccept_isRefused() {
        ConfigException e = ConfigFixture.error(ONE_PRINCIPAL
                + "delegation: {spn: HTTP/backend.example.test@EXAMPLE.TEST,"
                + " principal: HTTP/other.example.test@EXAMPLE.TEST}\n", dir);

        assertEquals("delegation.principal", e.key());
    }

    @Test
    void theGatewaysOwnSpn_isRefused() {
        ConfigException e = ConfigFixture.error(ONE_PRINCIPAL
                + "delegation: {spn: HTTP/array.example.test@EXAMPLE.TEST}\n", dir);

        assertEquals("delegation.spn", e.key());
    }

    @Test
    void aSpnWithoutRealm_isRefused() {
        ConfigException e = ConfigFixture.error(ONE_PRINCIPAL + "delegation: {spn: HTTP/backend.example.test}\n", dir);

        assertEquals("delegation.spn", e.key());
    }

    @Test
    void withoutAuthentication_thereIsNoUserToDelegate() {
        ConfigException e = ConfigFixture.error(ONE_PRINCIPAL + "auth: {required: false}\n"
                + "delegation: {spn: HTTP/backend.example.test@EXAMPLE.TEST}\n", dir);

        assertEquals("delegation", e.key());
    }

    @Test
    void withForwardAuth_nothingIsForwarded_soThereIsNoBackendToDelegateTo() {
        ConfigException e = ConfigFixture.error("""
                listen: 127.0.0.1:8080
                keytab: http.keytab
                principals: [HTTP/array.example.test@EXAMPLE.TEST]
                forward_auth: {trusted_from: [127.0.0.1/32]}
                delegation: {spn: HTTP/backend.example.test@EXAMPLE.TEST}
                """, dir);

        assertEquals("delegation", e.key());
        assertTrue(e.problem().contains("forward_auth"), e.problem());
    }

    @Test
    void aMissingKrb5Conf_namesTheKey() {
        ConfigException e = ConfigFixture.error(ONE_PRINCIPAL
                + "delegation: {spn: HTTP/backend.example.test@EXAMPLE.TEST, krb5_conf: nowhere.conf}\n", dir);

        assertEquals("delegation.krb5_conf", e.key());
    }
}
