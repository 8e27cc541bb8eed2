package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.testing.SecretFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code acceptor.pac} and {@code identity.groups_header}. */
final class PacConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig parse(String extra) throws Exception {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        return ConfigLoader.parse("""
                listen: 127.0.0.1:8080
                keytab: http.keytab
                backends: [http://127.0.0.1:9001]
                """ + extra, dir);
    }

    @Test
    void defaults_pacOff_noGroupsHeader() throws Exception {
        GatewayConfig c = parse("");
        assertEquals(GatewayConfig.Pac.OFF, c.acceptor().pac());
        assertNull(c.identity().groupsHeader());
        assertEquals(GatewayConfig.Pac.OFF, parse("acceptor: {pac: off}\n").acceptor().pac());
    }

    @Test
    void verifyWithGroupsHeader_roundTripsThroughTheEffectiveConfig() throws Exception {
        GatewayConfig c = parse("acceptor: {pac: verify}\nidentity: {groups_header: X-Remote-Groups}\n");
        assertEquals(GatewayConfig.Pac.VERIFY, c.acceptor().pac());
        assertEquals("X-Remote-Groups", c.identity().groupsHeader());
        String yaml = ConfigLoader.toRedactedYaml(c);
        assertTrue(yaml.contains("pac: verify") && yaml.contains("groups_header: X-Remote-Groups"), yaml);
        assertEquals(GatewayConfig.Pac.REQUIRE, parse("acceptor: {pac: require}\n").acceptor().pac());
    }

    @Test
    void groupsHeaderWithoutPac_orABadMode_orTheIdentityHeaderTwice_areErrors() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("identity: {groups_header: X-Remote-Groups}\n"));
        assertTrue(e.getMessage().contains("groups_header") && e.getMessage().contains("acceptor.pac"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("acceptor: {pac: yes-please}\n"));
        assertTrue(e.getMessage().contains("acceptor.pac"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> parse("acceptor: {pac: verify}\nidentity: {groups_header: x-remote-user}\n"));
        assertTrue(e.getMessage().contains("identity header"), e.getMessage());
    }

    @Test
    void groupsHeaderWithMappingAndAssertion_allKept_andTheAssertionNeedsItsOwnHeader() throws Exception {
        SecretFile.write(dir.resolve("assertion.key"), new byte[32]);
        GatewayConfig c = parse("acceptor: {pac: verify}\nidentity: {groups_header: X-Remote-Groups, strip_realm: true,"
                + " assertion: {type: hmac, key_file: assertion.key}}\n");
        assertEquals("X-Remote-Groups", c.identity().groupsHeader());
        assertTrue(c.identity().stripRealm());
        assertEquals(GatewayConfig.Assertion.DEFAULT_HEADER, c.identity().assertion().header());
        assertEquals(c, ConfigLoader.parse(ConfigLoader.toRedactedYaml(c), dir));

        ConfigException e = assertThrows(ConfigException.class, () -> parse("acceptor: {pac: verify}\nidentity: "
                + "{groups_header: X-Remote-Groups, assertion: {type: hmac, key_file: assertion.key,"
                + " header: x-remote-groups}}\n"));
        assertTrue(e.getMessage().contains("identity.assertion.header") && e.getMessage().contains("groups header"),
                e.getMessage());
    }
}
