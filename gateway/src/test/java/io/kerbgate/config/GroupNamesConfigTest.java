package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code identity.group_names} and {@code identity.group_names_header}. */
final class GroupNamesConfigTest {

    private static final String REQUIRED = """
            listen: 127.0.0.1:8080
            keytab: http.keytab
            backends: [http://127.0.0.1:9001]
            acceptor: {pac: verify}
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void writeFiles() throws IOException {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02, 0, 0, 0, 0});
        SecretFile.writeString(dir.resolve("ldap.password"), "secret\n");
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    }

    private GatewayConfig parse(String yaml) throws ConfigException {
        return ConfigFixture.parse(yaml, dir);
    }

    private ConfigException error(String yaml) {
        return ConfigFixture.error(yaml, dir);
    }

    private static String identity(String groupNames) {
        return """
                identity:
                  groups_header: X-Remote-Groups
                  group_names_header: X-Remote-Group-Names
                  group_names: %s
                """.formatted(groupNames);
    }

    private static final String FULL = "{ldap: 'ldaps://dc1.ad.example.com:636', "
            + "bind: {dn: svc-kerbgate@ad.example.com, password_file: ldap.password}, ca: ca.pem, "
            + "base_dn: 'DC=ad,DC=example,DC=com', cache_ttl: 5m, cache_max_entries: 500}";

    @Test
    void full_isRead() throws ConfigException {
        GatewayConfig.Identity identity = parse(REQUIRED + identity(FULL)).identity();

        assertEquals("X-Remote-Group-Names", identity.groupNamesHeader());
        assertEquals(new GroupNamesConfig(URI.create("ldaps://dc1.ad.example.com:636"), "svc-kerbgate@ad.example.com",
                dir.resolve("ldap.password").toAbsolutePath(), dir.resolve("ca.pem").toAbsolutePath(),
                "DC=ad,DC=example,DC=com", Duration.ofMinutes(5), 500), identity.groupNames());
    }

    @Test
    void defaults_tenMinutesAndTenThousandEntries_noCa() throws ConfigException {
        GroupNamesConfig config = parse(REQUIRED + identity("{ldap: ldaps://dc1, "
                + "bind: {dn: x@ad, password_file: ldap.password}, base_dn: 'DC=ad'}")).identity().groupNames();

        assertEquals(Duration.ofMinutes(10), config.cacheTtl());
        assertEquals(10_000, config.cacheMaxEntries());
        assertNull(config.ca());
    }

    @Test
    void absent_meansNoNames() throws ConfigException {
        GatewayConfig.Identity identity = parse(REQUIRED).identity();

        assertNull(identity.groupNames());
        assertNull(identity.groupNamesHeader());
    }

    @Test
    void readBackFromTheRedactedYaml_withoutThePassword() throws ConfigException {
        GatewayConfig config = parse(REQUIRED + identity(FULL));

        String yaml = ConfigLoader.toRedactedYaml(config);

        assertEquals(config, parse(yaml), yaml);
        assertFalse(yaml.contains("secret"), yaml);
    }

    @Test
    void withPacOff_isAnError() {
        ConfigException e = error(REQUIRED.replace("pac: verify", "pac: off")
                + "identity:\n  group_names: " + FULL + "\n");

        assertEquals("identity.group_names", e.key());
        assertTrue(e.fix().startsWith("set acceptor.pac: verify"), e.fix());
    }

    @Test
    void headerWithoutGroupNames_isAnError() {
        ConfigException e = error(REQUIRED + "identity: {group_names_header: X-Remote-Group-Names}\n");

        assertEquals("identity.group_names_header", e.key());
        assertEquals("needs identity.group_names", e.problem());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "X-Remote-User   | is another identity header",
        "x-remote-groups | is another identity header",
    })
    void headerClash_isAnError(String header, String problem) {
        ConfigException e = error(REQUIRED + identity(FULL).replace("X-Remote-Group-Names", header));

        assertEquals("identity.group_names_header", e.key());
        assertEquals(problem, e.problem());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ldap: ldap://dc1                        | identity.group_names.ldap | \"ldap://dc1\" is plain LDAP, which would send the bind password in clear",
        "ldap: https://dc1                       | identity.group_names.ldap | \"https://dc1\" is not ldaps://host[:port]",
        "ldap: ldaps://dc1/DC=ad                 | identity.group_names.ldap | \"ldaps://dc1/DC=ad\" is not ldaps://host[:port]",
        "bind: {dn: x@ad}                        | identity.group_names.bind.password_file | is missing",
        "bind: {dn: x@ad, password_file: nope}   | identity.group_names.bind.password_file | DIR/nope does not exist",
        "bind: {dn: x@ad, password_file: ldap.password, password: s} | identity.group_names.bind.password | unknown key",
        "base_dn: 'not a dn'                     | identity.group_names.base_dn | \"not a dn\" is not a DN",
        "cache_ttl: 2d                           | identity.group_names.cache_ttl | 2d is more than 1d",
        "cache_max_entries: 0                    | identity.group_names.cache_max_entries | 0 is not from 1 to 1000000",
        "server: dc1                             | identity.group_names.server | unknown key",
    })
    void bad(String entry, String key, String problem) {
        String base = "ldap: ldaps://dc1, bind: {dn: x@ad, password_file: ldap.password}, base_dn: 'DC=ad'";
        String name = entry.substring(0, entry.indexOf(':'));
        String rest = base.replaceAll(name + ": (\\{[^}]*\\}|[^,]*)(, )?", "").replaceAll(", $", "");
        ConfigException e = error(REQUIRED + identity("{" + (rest.isEmpty() ? "" : rest + ", ") + entry + "}"));

        assertEquals(key, e.key());
        assertEquals(problem.replace("DIR", dir.toAbsolutePath().toString()), e.problem().startsWith("unknown key")
                ? "unknown key" : e.problem());
    }
}
