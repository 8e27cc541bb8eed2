package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.GatewayConfig.Logging;
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

/** The {@code logging} and {@code routes} keys, in the style of {@link ConfigLoaderTest}. */
final class OperationsConfigTest {

    private static final String REQUIRED = ConfigFixture.REQUIRED;

    private static final String EXAMPLE_ROUTES = """
            routes:
              - {name: health, path: /healthz, anonymous: true}
              - {name: admin, path: /admin/, allow: {principals: [alice@ARRAY.TEST], realms: [], regex: []}}
              - {name: corp, path: /, host: Intranet.Example.Test, deny: {regex: ["^svc-.*"]}, allow: {realms: [ARRAY.TEST]}}
            """;

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
    void defaults_plainLogsAndNoRoutes() throws ConfigException {
        GatewayConfig config = parse(REQUIRED);

        assertEquals(Logging.DEFAULT, config.logging());
        assertEquals(Logging.Format.PLAIN, config.logging().format());
        assertEquals(List.of(), config.routes());
    }

    @ParameterizedTest
    @CsvSource({"plain, PLAIN", "json, JSON"})
    void logging_format(String value, Logging.Format format) throws ConfigException {
        assertEquals(format, parse(REQUIRED + "logging:\n  format: " + value + "\n").logging().format());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "format: JSON        | logging.format | \"JSON\" is not a log format",
        "format: logfmt      | logging.format | \"logfmt\" is not a log format",
        "format: 1           | logging.format | 1 is not a non-empty string",
        "level: debug        | logging.level  | unknown key",
    })
    void logging_bad(String line, String key, String problem) {
        ConfigException e = error(REQUIRED + "logging:\n  " + line + "\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void routes_theExampleOfTheIssue_isRead() throws ConfigException {
        List<Route> routes = parse(REQUIRED + EXAMPLE_ROUTES).routes();

        assertEquals(List.of(
                new Route("health", "/healthz", null, true, null, null),
                new Route("admin", "/admin/", null, false,
                        new Principals(List.of("alice@ARRAY.TEST"), List.of(), List.of()), null),
                new Route("corp", "/", "intranet.example.test", false,
                        new Principals(List.of(), List.of("ARRAY.TEST"), List.of()),
                        new Principals(List.of(), List.of(), List.of("^svc-.*")))), routes);
    }

    @Test
    void routes_readBackFromTheRedactedYaml() throws ConfigException {
        GatewayConfig config = parse(REQUIRED + "logging: {format: json}\n" + EXAMPLE_ROUTES);

        String yaml = ConfigLoader.toRedactedYaml(config);

        assertEquals(config, parse(yaml), yaml);
        assertTrue(yaml.contains("format: json"), yaml);
    }

    @Test
    void routes_keyWithNoValue_meansNone() throws ConfigException {
        assertEquals(List.of(), parse(REQUIRED + "routes:\n").routes());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "routes: {name: a}                                  | routes           | a mapping is not a list",
        "routes: [x]                                        | routes[0]        | \"x\" is not a mapping of keys",
        "routes: [{path: /}]                                | routes[0].name   | is missing",
        "routes: [{name: a}]                                | routes[0].path   | is missing",
        "routes: [{name: Admin Area, path: /}]              | routes[0].name   | \"Admin Area\" is not a route name",
        "routes: [{name: none, path: /}]                    | routes[0].name   | \"none\" is reserved: it tags requests that match no route",
        "routes: [{name: a, path: /}, {name: a, path: /b}]  | routes[1].name   | \"a\" is the name of an earlier route",
        "routes: [{name: a, path: admin}]                   | routes[0].path   | \"admin\" is not a path prefix",
        "routes: [{name: a, path: '/a?b'}]                  | routes[0].path   | \"/a?b\" is not a path prefix",
        "routes: [{name: a, path: /a%2Fb}]                  | routes[0].path   | \"/a%2Fb\" is not a path prefix",
        "routes: [{name: a, path: /a/../b}]                 | routes[0].path   | \"/a/../b\" is not a normalized path",
        "routes: [{name: a, path: //a}]                     | routes[0].path   | \"//a\" is not a normalized path",
        "routes: [{name: a, path: /, host: 'h:8080'}]       | routes[0].host   | \"h:8080\" is not a host name",
        "routes: [{name: a, path: /, host: 'http://h'}]     | routes[0].host   | \"http://h\" is not a host name",
        "routes: [{name: a, path: /, anonymous: maybe}]     | routes[0].anonymous | \"maybe\" is not true or false",
        "routes: [{name: a, path: /, methods: [GET]}]       | routes[0].methods | unknown key",
        "routes: [{name: a, path: /, allow: {users: [x]}}]  | routes[0].allow.users | unknown key",
        "routes: [{name: a, path: /, allow: {}}]            | routes[0].allow  | lists no principals, realms, regex or groups",
        "routes: [{name: a, path: /, deny: {regex: []}}]    | routes[0].deny   | lists no principals, realms, regex or groups",
        "routes: [{name: a, path: /, allow: {principals: [alice]}}]        | routes[0].allow.principals[0] | \"alice\" is not a Kerberos principal",
        "routes: [{name: a, path: /, allow: {realms: [alice@A]}}]          | routes[0].allow.realms[0]     | \"alice@A\" is not a realm name",
        "routes: [{name: a, path: /, allow: {regex: ['(']}}]               | routes[0].allow.regex[0]      | \"(\" is not a regular expression (Unclosed group near index 1)",
        "routes: [{name: a, path: /, allow: {realms: [A, A]}}]             | routes[0].allow.realms[1]     | \"A\" is listed twice",
        "routes: [{name: a, path: /, anonymous: true, allow: {realms: [A]}}] | routes[0].allow | is set on an anonymous route, which authenticates nobody",
        "routes: [{name: a, path: /, anonymous: true, deny: {realms: [A]}}]  | routes[0].deny  | is set on an anonymous route, which authenticates nobody",
    })
    void routes_bad(String line, String key, String problem) {
        ConfigException e = error(REQUIRED + line + "\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void routes_allowWithoutEntries_fixSaysToRemoveIt() {
        assertEquals("list who may pass, or remove allow to let every authenticated principal pass",
                error(REQUIRED + "routes: [{name: a, path: /, allow: {principals: []}}]\n").fix());
    }

    @Test
    void routes_anonymousFalse_isAnOrdinaryRoute() throws ConfigException {
        Route route = parse(REQUIRED + "routes: [{name: a, path: /a, anonymous: false}]\n").routes().get(0);

        assertFalse(route.anonymous());
        assertNull(route.allow());
        assertNull(route.host());
    }
}
