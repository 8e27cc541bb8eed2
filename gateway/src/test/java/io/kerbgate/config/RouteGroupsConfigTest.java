package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.GatewayConfig.Principals;
import io.kerbgate.config.GatewayConfig.Route;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code groups} criterion of a route's {@code allow} and {@code deny}. */
final class RouteGroupsConfigTest {

    private static final String WEB_USERS = "S-1-5-21-1004336348-1177238915-682003330-1104";
    private static final String REQUIRED = ConfigFixture.REQUIRED;
    private static final String PAC_VERIFY = "acceptor: {pac: verify}\n";

    @TempDir
    Path dir;

    @BeforeEach
    void writeKeytab() throws IOException {
        ConfigFixture.writeKeytab(dir);
    }

    private GatewayConfig parse(String yaml) throws ConfigException {
        return ConfigFixture.parse(yaml, dir);
    }

    private ConfigException error(String yaml) {
        return ConfigFixture.error(yaml, dir);
    }

    @Test
    void groups_inAllowAndDeny_areRead() throws ConfigException {
        List<Route> routes = parse(REQUIRED + PAC_VERIFY + """
                routes:
                  - {name: web, path: /web/, allow: {groups: [%s, S-1-5-32-544]}, deny: {groups: [S-1-5-21-1-2-3-1105], principals: [eve@AD.TEST]}}
                """.formatted(WEB_USERS)).routes();

        assertEquals(List.of(new Route("web", "/web/", null, false,
                new Principals(List.of(), List.of(), List.of(), List.of(WEB_USERS, "S-1-5-32-544")),
                new Principals(List.of("eve@AD.TEST"), List.of(), List.of(), List.of("S-1-5-21-1-2-3-1105")))),
                routes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"verify", "require"})
    void groups_withPacVerifyOrRequire_areAccepted(String pac) throws ConfigException {
        Route route = parse(REQUIRED + "acceptor: {pac: " + pac + "}\n"
                + "routes: [{name: web, path: /, allow: {groups: [" + WEB_USERS + "]}}]\n").routes().get(0);

        assertEquals(List.of(WEB_USERS), route.allow().groups());
    }

    @Test
    void principals_threeArgumentConstructor_hasNoGroups() {
        Principals set = new Principals(List.of("alice@A"), List.of(), List.of());

        assertEquals(List.of(), set.groups());
        assertFalse(set.isEmpty());
        assertTrue(new Principals(List.of(), List.of(), List.of(), List.of()).isEmpty());
    }

    @Test
    void groups_readBackFromTheRedactedYaml() throws ConfigException {
        GatewayConfig config = parse(REQUIRED + PAC_VERIFY
                + "routes: [{name: web, path: /web/, allow: {groups: [" + WEB_USERS + "]}, "
                + "deny: {groups: [S-1-5-32-546]}}]\n");

        String yaml = ConfigLoader.toRedactedYaml(config);

        assertEquals(config, parse(yaml), yaml);
    }

    @ParameterizedTest
    @ValueSource(strings = {"acceptor: {pac: off}", "acceptor: {pac: 'off'}", "acceptor: {allow_rc4: false}"})
    void groups_withPacOff_nameTheKeyAndTheFix(String acceptor) {
        ConfigException e = error(REQUIRED + acceptor + "\n"
                + "routes: [{name: a, path: /, deny: {groups: [" + WEB_USERS + "]}}]\n");

        assertEquals("routes[0].deny.groups", e.key());
        assertEquals("needs the PAC's groups, and acceptor.pac is off", e.problem());
        assertTrue(e.fix().startsWith("set acceptor.pac: verify"), e.fix());
    }

    @Test
    void groups_withoutAnAcceptorSection_isAnError() {
        ConfigException e = error(REQUIRED + "routes: [{name: a, path: /, allow: {groups: [" + WEB_USERS + "]}}]\n");

        assertEquals("routes[0].allow.groups", e.key());
        assertTrue(e.fix().startsWith("set acceptor.pac: verify"), e.fix());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "groups: [web-users]               | routes[0].allow.groups[0] | \"web-users\" is not a SID",
        "groups: [S-1-5]                   | routes[0].allow.groups[0] | \"S-1-5\" is not a SID",
        "groups: [s-1-5-21-1]              | routes[0].allow.groups[0] | \"s-1-5-21-1\" is not a SID",
        "groups: [S-2-5-21-1]              | routes[0].allow.groups[0] | \"S-2-5-21-1\" is not a SID",
        "groups: [S-1-5-21-]               | routes[0].allow.groups[0] | \"S-1-5-21-\" is not a SID",
        "groups: [S-1-5-21-1x]             | routes[0].allow.groups[0] | \"S-1-5-21-1x\" is not a SID",
        "groups: [7]                       | routes[0].allow.groups[0] | 7 is not a non-empty string",
        "groups: [S-1-5-32-544, S-1-5-32-544] | routes[0].allow.groups[1] | \"S-1-5-32-544\" is listed twice",
        "groups: S-1-5-32-544              | routes[0].allow.groups    | \"S-1-5-32-544\" is not a list",
        "groups: []                        | routes[0].allow           | lists no principals, realms, regex or groups",
    })
    void groups_bad(String criterion, String key, String problem) {
        ConfigException e = error(REQUIRED + PAC_VERIFY
                + "routes: [{name: a, path: /, allow: {" + criterion + "}}]\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }
}
