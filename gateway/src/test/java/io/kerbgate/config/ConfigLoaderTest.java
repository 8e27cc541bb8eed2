package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kerbgate.config.GatewayConfig.AccessLog;
import io.kerbgate.config.GatewayConfig.Acceptor;
import io.kerbgate.config.GatewayConfig.Auth;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Balancing;
import io.kerbgate.config.GatewayConfig.Drain;
import io.kerbgate.config.GatewayConfig.Health;
import io.kerbgate.config.GatewayConfig.Passive;
import io.kerbgate.config.GatewayConfig.Retries;
import io.kerbgate.config.GatewayConfig.Identity;
import io.kerbgate.config.GatewayConfig.Keys;
import io.kerbgate.config.GatewayConfig.Limits;
import io.kerbgate.config.GatewayConfig.Replay;
import io.kerbgate.config.GatewayConfig.Timeouts;
import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ConfigLoaderTest {

    private static final String REQUIRED = ConfigFixture.REQUIRED;

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
    void requiredKeysOnly_everythingElseDefaults() throws ConfigException {
        GatewayConfig config = parse(REQUIRED);

        assertEquals(new InetSocketAddress("127.0.0.1", 8080), config.listen());
        assertEquals(dir.resolve("http.keytab").toAbsolutePath(), config.keytab());
        assertEquals(List.of(), config.principals());
        assertEquals(List.of(URI.create("http://127.0.0.1:9001")), config.backends());
        assertEquals(Duration.ofMinutes(5), config.clockSkew());
        assertEquals(Identity.DEFAULT, config.identity());
        assertEquals(new InetSocketAddress("127.0.0.1", 9090), config.admin().listen());
        assertEquals(Acceptor.DEFAULT, config.acceptor());
        assertEquals(Limits.DEFAULT, config.limits());
        assertEquals(Timeouts.DEFAULT, config.timeouts());
        assertEquals(Replay.NONE, config.replay());
    }

    @Test
    void everyKeySet_isRead() throws ConfigException {
        GatewayConfig config = parse("""
                listen: "[::1]:8443"
                keytab: http.keytab
                principals: [HTTP/array.example.test@ARRAY.TEST, HTTP/node1.example.test@ARRAY.TEST]
                backends:
                  - http://127.0.0.1:9001
                  - http://backend.example.test
                clock_skew: 2m
                identity:
                  header: X-Kerberos-Principal
                admin:
                  listen: 0.0.0.0:9191
                acceptor:
                  allow_rc4: true
                  replay_cache_max_entries: 50000
                  allowed_client_realms: [EXAMPLE.COM, CORP.EXAMPLE.COM]
                limits:
                  max_header_size: 1MiB
                timeouts:
                  connect: 500ms
                  response: 1h30m
                  client_idle: PT10M
                """);

        assertEquals(new InetSocketAddress("::1", 8443), config.listen());
        assertEquals(List.of("HTTP/array.example.test@ARRAY.TEST", "HTTP/node1.example.test@ARRAY.TEST"),
                config.principals());
        assertEquals(List.of(URI.create("http://127.0.0.1:9001"), URI.create("http://backend.example.test:80")),
                config.backends());
        assertEquals(Duration.ofMinutes(2), config.clockSkew());
        assertEquals("X-Kerberos-Principal", config.identity().header());
        assertEquals(new InetSocketAddress("0.0.0.0", 9191), config.admin().listen());
        assertEquals(new Acceptor(true, 50_000, List.of("EXAMPLE.COM", "CORP.EXAMPLE.COM")), config.acceptor());
        assertEquals(new Limits(1024 * 1024), config.limits());
        assertEquals(new Timeouts(Duration.ofMillis(500), Duration.ofMinutes(90), Duration.ofMinutes(10)),
                config.timeouts());
    }

    @Test
    void keyWithNoValue_meansTheDefault() throws ConfigException {
        GatewayConfig config = parse(REQUIRED + "identity:\nprincipals:\nclock_skew:\n");

        assertEquals(Identity.DEFAULT, config.identity());
        assertEquals(List.of(), config.principals());
        assertEquals(Duration.ofMinutes(5), config.clockSkew());
    }

    // listen and admin.listen

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:8080    | 127.0.0.1 | 8080",
        "0.0.0.0:80        | 0.0.0.0   | 80",
        "\"[::1]:8080\"    | ::1       | 8080",
        "\"[::]:0\"        | ::        | 0",
        "localhost:8080    | localhost | 8080",
    })
    void listen_goodAddresses(String value, String host, int port) throws ConfigException {
        GatewayConfig config = parse(REQUIRED.replace("127.0.0.1:8080", value));

        assertEquals(new InetSocketAddress(host, port), config.listen());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8080              | 8080 has no host",
        "127.0.0.1         | \"127.0.0.1\" has no port",
        ":8080             | \":8080\" has no host",
        "'::1:8080'        | \"::1:8080\" is an IPv6 address without brackets",
        "127.0.0.1:70000   | \"70000\" is not a port (0-65535)",
        "127.0.0.1:http    | \"http\" is not a port (0-65535)",
        "[127.0.0.1, 8080] | a list is not a non-empty string",
    })
    void listen_badAddresses(String value, String problem) {
        ConfigException e = error(REQUIRED.replace("127.0.0.1:8080", value));

        assertEquals("listen", e.key());
        assertEquals(problem, e.problem());
        assertTrue(e.fix().startsWith("write host:port"), e.fix());
    }

    @Test
    void listen_unquotedIpv6_isASyntaxErrorThatSaysToQuote() {
        ConfigException e = error(REQUIRED.replace("127.0.0.1:8080", "[::1]:8080"));

        assertEquals("listen", e.key());
        assertTrue(e.problem().startsWith("YAML syntax error at line 1"), e.problem());
        assertTrue(e.fix().contains("\"[::1]:8080\""), e.fix());
    }

    @Test
    void admin_listen_samePortAsListen_isRefused() {
        ConfigException e = error(REQUIRED + "admin:\n  listen: 0.0.0.0:8080\n");

        assertEquals("config error at 'admin.listen': uses the same port as listen; give the admin listener a port "
                + "of its own, e.g. 127.0.0.1:9090", e.getMessage());
    }

    @Test
    void admin_listen_bad() {
        assertEquals("admin.listen", error(REQUIRED + "admin:\n  listen: nope\n").key());
    }

    // keytab

    @Test
    void keytab_relativePath_resolvesAgainstTheBaseDir() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("keys"));
        SecretFile.write(sub.resolve("array.keytab"), new byte[] {0x05, 0x02});

        GatewayConfig config = parse(REQUIRED.replace("http.keytab", "keys/../keys/array.keytab"));

        assertEquals(sub.resolve("array.keytab").toAbsolutePath(), config.keytab());
    }

    @Test
    void keytab_absolutePath() throws ConfigException {
        Path keytab = dir.resolve("http.keytab").toAbsolutePath();

        assertEquals(keytab, parse(REQUIRED.replace("http.keytab", keytab.toString())).keytab());
    }

    @Test
    void keytab_missing() {
        ConfigException e = error(REQUIRED.replace("http.keytab", "/x/y.keytab"));

        assertEquals("config error at 'keytab': /x/y.keytab does not exist; point keytab at the array's keytab "
                + "(kerbgate keys init writes one)", e.getMessage());
    }

    @Test
    void keytab_empty() throws IOException {
        SecretFile.write(dir.resolve("empty.keytab"), new byte[0]);

        ConfigException e = error(REQUIRED.replace("http.keytab", "empty.keytab"));

        assertEquals(dir.resolve("empty.keytab") + " is empty", e.problem());
    }

    @Test
    void keytab_notAKeytab() throws IOException {
        Files.writeString(dir.resolve("krb5.conf"), "[libdefaults]\n");

        ConfigException e = error(REQUIRED.replace("http.keytab", "krb5.conf"));

        assertEquals(dir.resolve("krb5.conf") + " is not a keytab (it does not start with 0x05)", e.problem());
    }

    @Test
    void keytab_directory() {
        ConfigException e = error(REQUIRED.replace("http.keytab", "."));

        assertEquals(dir.toAbsolutePath() + " is not a regular file", e.problem());
    }

    @Test
    void keytab_unreadable() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads every file");
        Path keytab = dir.resolve("http.keytab");
        Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("---------"));

        ConfigException e = error(REQUIRED);

        assertEquals(keytab + " is not readable", e.problem());
    }

    @Test
    void keytab_notAString() {
        assertEquals("config error at 'keytab': a list is not a non-empty string; point keytab at the array's keytab "
                + "(kerbgate keys init writes one)", error(REQUIRED.replace("http.keytab", "[a, b]")).getMessage());
    }

    // required keys

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "listen:   | listen   | add listen: host:port, e.g. listen: 0.0.0.0:8080",
        "keytab:   | keytab   | add keytab: /etc/kerbgate/http.keytab, or set keys.state_dir: /var/lib/kerbgate/keys and install keys with kerbgate keys init",
        "backends: | backends | add backends: [http://127.0.0.1:9001]",
    })
    void requiredKey_missing(String linePrefix, String key, String fix) {
        String yaml = REQUIRED.lines().filter(line -> !line.startsWith(linePrefix)).map(line -> line + "\n")
                .reduce("", String::concat);

        ConfigException e = error(yaml);

        assertEquals("config error at '" + key + "': is missing; " + fix, e.getMessage());
    }

    @Test
    void backends_empty() {
        ConfigException e = error(REQUIRED.replace("[http://127.0.0.1:9001]", "[]"));

        assertEquals("backends", e.key());
        assertEquals("is empty", e.problem());
    }

    // principals

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[alice]                | principals[0] | \"alice\" is not a Kerberos principal",
        "[HTTP/a/b@R]           | principals[0] | \"HTTP/a/b@R\" is not a Kerberos principal",
        "[HTTP/a@R, 'x y@R']    | principals[1] | \"x y@R\" is not a Kerberos principal",
        "[HTTP/a@R, HTTP/a@R]   | principals[1] | \"HTTP/a@R\" is listed twice",
        "HTTP/a@R               | principals    | \"HTTP/a@R\" is not a list",
        "[42]                   | principals[0] | 42 is not a non-empty string",
    })
    void principals_bad(String value, String key, String problem) {
        ConfigException e = error(REQUIRED + "principals: " + value + "\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    // backends

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://127.0.0.1:9001  | http://127.0.0.1:9001",
        "http://127.0.0.1:9001/ | http://127.0.0.1:9001",
        "HTTP://app.local       | http://app.local:80",
        "\"http://[::1]:9001\"  | http://[::1]:9001",
        "https://127.0.0.1:9443 | https://127.0.0.1:9443",
        "HTTPS://app.local      | https://app.local:443",
    })
    void backends_good(String value, String normalized) throws ConfigException {
        GatewayConfig config = parse(REQUIRED.replace("[http://127.0.0.1:9001]", "[" + value + "]"));

        assertEquals(List.of(URI.create(normalized)), config.backends());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ftp://127.0.0.1              | \"ftp://127.0.0.1\" is not an http:// or https:// URL",
        "127.0.0.1:9001               | \"127.0.0.1:9001\" has no scheme",
        "http://127.0.0.1:9001/app    | \"http://127.0.0.1:9001/app\" has more than scheme, host and port",
        "http://u:p@127.0.0.1:9001    | \"http://u:p@127.0.0.1:9001\" has more than scheme, host and port",
        "\"http://127.0.0.1:9001?x=1\"  | \"http://127.0.0.1:9001?x=1\" has more than scheme, host and port",
        "'http:// bad'                | \"http:// bad\" is not a URL (Illegal character in authority)",
    })
    void backends_bad(String value, String problem) {
        ConfigException e = error(REQUIRED.replace("[http://127.0.0.1:9001]", "[http://127.0.0.1:9001, " + value + "]"));

        assertEquals("backends[1]", e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void backends_sameBackendTwice_evenWrittenDifferently() {
        ConfigException e = error(REQUIRED.replace("[http://127.0.0.1:9001]",
                "[http://127.0.0.1:9001, http://127.0.0.1:9001/]"));

        assertEquals("backends[1]", e.key());
        assertEquals("\"http://127.0.0.1:9001\" is listed twice", e.problem());
    }

    // clock_skew and timeouts: the duration forms

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "5m     | PT5M",
        "300s   | PT5M",
        "1m30s  | PT1M30S",
        "500ms  | PT0.5S",
        "PT5M   | PT5M",
        "1h     | PT1H",
    })
    void clockSkew_good(String value, String iso) throws ConfigException {
        assertEquals(Duration.parse(iso), parse(REQUIRED + "clock_skew: " + value + "\n").clockSkew());
    }

    @Test
    void clockSkew_notADuration_oneLineMessage() {
        ConfigException e = error(REQUIRED + "clock_skew: 5 minutes\n");

        assertEquals("config error at 'clock_skew': \"5 minutes\" is not a duration; use a form like 5m, 300s or 10h5m",
                e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "300    | 300 has no unit",
        "5M     | \"5M\" is not a duration",
        "30s5m  | \"30s5m\" is not a duration",
        "5m5m   | \"5m5m\" is not a duration",
        "-5m    | \"-5m\" is not a duration",
        "1.5m   | \"1.5m\" is not a duration",
        "PT-5M  | PT-5M is not more than 0",
        "0s     | 0s is not more than 0",
        "2h     | 2h is more than 1h",
        "true   | true is not a duration",
    })
    void clockSkew_bad(String value, String problem) {
        ConfigException e = error(REQUIRED + "clock_skew: " + value + "\n");

        assertEquals("clock_skew", e.key());
        assertEquals(problem, e.problem());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "connect     | 10h5m  | PT10H5M",
        "response    | 1h30m  | PT1H30M",
        "client_idle | 1d     | PT24H",
        "connect     | 250ms  | PT0.25S",
    })
    void timeouts_good(String key, String value, String iso) throws ConfigException {
        Timeouts timeouts = parse(REQUIRED + "timeouts:\n  " + key + ": " + value + "\n").timeouts();

        Duration read = switch (key) {
            case "connect" -> timeouts.connect();
            case "response" -> timeouts.response();
            default -> timeouts.clientIdle();
        };
        assertEquals(Duration.parse(iso), read);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "connect     | 0ms    | 0s is not more than 0",
        "response    | 2d     | 2d is more than 1d",
        "client_idle | soon   | \"soon\" is not a duration",
    })
    void timeouts_bad(String key, String value, String problem) {
        ConfigException e = error(REQUIRED + "timeouts:\n  " + key + ": " + value + "\n");

        assertEquals("timeouts." + key, e.key());
        assertEquals(problem, e.problem());
    }

    // identity.header

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'X Remote User'    | \"X Remote User\" is not a valid HTTP header name",
        "\"X-User:\"        | \"X-User:\" is not a valid HTTP header name",
        "Authorization      | \"Authorization\" is a header the proxy consumes or rewrites itself",
        "host               | \"host\" is a header the proxy consumes or rewrites itself",
        "Connection         | \"Connection\" is a header the proxy consumes or rewrites itself",
        "Transfer-Encoding  | \"Transfer-Encoding\" is a header the proxy consumes or rewrites itself",
        "Proxy-Authorization| \"Proxy-Authorization\" is a header the proxy consumes or rewrites itself",
        "Content-Length     | \"Content-Length\" is a header the proxy consumes or rewrites itself",
        "42                 | 42 is not a non-empty string",
        "\"\"               | \"\" is not a non-empty string",
    })
    void identityHeader_bad(String value, String problem) {
        ConfigException e = error(REQUIRED + "identity:\n  header: " + value + "\n");

        assertEquals("identity.header", e.key());
        assertEquals(problem, e.problem());
        assertEquals("use a header of its own such as X-Remote-User", e.fix());
    }

    // acceptor

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "allow_rc4: maybe                   | acceptor.allow_rc4                | \"maybe\" is not true or false",
        "allow_rc4: 'true'                  | acceptor.allow_rc4                | \"true\" is not true or false",
        "replay_cache_max_entries: 10       | acceptor.replay_cache_max_entries | 10 is out of range",
        "replay_cache_max_entries: 1.5      | acceptor.replay_cache_max_entries | 1.5 is not a whole number",
        "replay_cache_max_entries: lots     | acceptor.replay_cache_max_entries | \"lots\" is not a whole number",
        "replay_cache_max_entries: 9999999999 | acceptor.replay_cache_max_entries | 9999999999 is out of range",
        "allowed_client_realms: [A.COM, 'B COM'] | acceptor.allowed_client_realms[1] | \"B COM\" is not a realm name",
        "allowed_client_realms: [alice@A.COM]    | acceptor.allowed_client_realms[0] | \"alice@A.COM\" is not a realm name",
        "allowed_client_realms: A.COM            | acceptor.allowed_client_realms    | \"A.COM\" is not a list",
    })
    void acceptor_bad(String line, String key, String problem) {
        ConfigException e = error(REQUIRED + "acceptor:\n  " + line + "\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void acceptor_replayCacheBounds_areInTheFix() {
        ConfigException e = error(REQUIRED + "acceptor:\n  replay_cache_max_entries: 0\n");

        assertEquals("use a whole number from 1000 to 100000000", e.fix());
    }

    // limits.max_header_size

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "98304   | 98304",
        "96KiB   | 98304",
        "'98304' | 98304",
        "8KiB    | 8192",
        "1MiB    | 1048576",
        "64 KiB  | 65536",
    })
    void maxHeaderSize_good(String value, int bytes) throws ConfigException {
        assertEquals(bytes, parse(REQUIRED + "limits:\n  max_header_size: " + value + "\n").limits().maxHeaderSize());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "96KB    | \"96KB\" is not a size",
        "96k     | \"96k\" is not a size",
        "1.5MiB  | \"1.5MiB\" is not a size",
        "-1      | -1 is not a size",
        "4KiB    | 4KiB is below the minimum",
        "8191    | 8191 is below the minimum",
        "2MiB    | 2MiB is above the maximum",
    })
    void maxHeaderSize_bad(String value, String problem) {
        ConfigException e = error(REQUIRED + "limits:\n  max_header_size: " + value + "\n");

        assertEquals("limits.max_header_size", e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void maxHeaderSize_outOfRange_fixGivesTheRange() {
        assertEquals("use 8KiB to 1MiB (default 96KiB)",
                error(REQUIRED + "limits:\n  max_header_size: 1KiB\n").fix());
    }

    // unknown keys, sections, duplicates, documents

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "listn: x                        | listn                      | listen",
        "clockSkew: 5m                   | clockSkew                  | clock_skew",
        "identity: {heder: X-User}       | identity.heder             | header",
        "admin: {lisen: 127.0.0.1:1}     | admin.lisen                | listen",
        "acceptor: {allow-rc4: true}     | acceptor.allow-rc4         | allow_rc4",
        "limits: {max_headers_size: 1}   | limits.max_headers_size    | max_header_size",
        "timeouts: {conect: 1s}          | timeouts.conect            | connect",
        "tls: {certificate: x}           | tls.certificate            | ",
        "backend_tls: {verify_hostnme: 1} | backend_tls.verify_hostnme | verify_hostname",
    })
    void unknownKey_namesThePathAndSuggests(String line, String key, String suggestion) {
        ConfigException e = error(REQUIRED + line + "\n");

        assertEquals(key, e.key());
        assertEquals("unknown key", e.problem());
        String expected = suggestion == null ? "valid " : "did you mean " + suggestion + "? valid ";
        assertTrue(e.fix().startsWith(expected), e.fix());
    }

    @Test
    void unknownKey_listsTheValidKeysAtItsLevel() {
        assertEquals("config error at 'identity.heder': unknown key; did you mean header? valid keys under "
                + "'identity': header, groups_header, strip_realm, local_realms, rules, assertion, group_names, "
                + "group_names_header",
                error(REQUIRED + "identity:\n  heder: X-User\n").getMessage());
        assertEquals("config error at 'foo': unknown key; valid top-level keys: listen, keytab, principals, backends, "
                + "clock_skew, identity, admin, acceptor, limits, timeouts, replay, keys, logging, routes, tls, "
                + "backend_tls, balancing, health, retries, drain, access_log, auth, sessions, proxy_protocol, "
                + "error_pages, forward_auth, basic, delegation",
                error(REQUIRED + "foo: 1\n").getMessage());
        assertEquals("valid keys under 'timeouts': connect, response, client_idle",
                error(REQUIRED + "timeouts:\n  idle: 1s\n").fix());
    }

    @Test
    void section_thatIsNotAMapping() {
        ConfigException e = error(REQUIRED + "identity: X-Remote-User\n");

        assertEquals("config error at 'identity': \"X-Remote-User\" is not a mapping of keys; write it as key: value "
                + "lines; valid keys under 'identity': header, groups_header, strip_realm, local_realms, rules, assertion, "
                + "group_names, group_names_header",
                e.getMessage());
    }

    @Test
    void duplicateKey_topLevel() {
        ConfigException e = error(REQUIRED + "listen: 127.0.0.1:8081\n");

        assertEquals("config error at 'listen': the key appears twice; keep one of them", e.getMessage());
    }

    @Test
    void duplicateKey_nested() {
        ConfigException e = error(REQUIRED + "identity:\n  header: X-A\n  header: X-B\n");

        assertEquals("identity.header", e.key());
        assertEquals("the key appears twice", e.problem());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                      | the file is empty",
        "'# only a comment'      | the file is empty",
        "just a string           | the file is not a mapping of keys",
        "'- a\n- b'              | the file is not a mapping of keys",
    })
    void document_withoutKeys(String yaml, String problem) {
        ConfigException e = error(yaml.replace("\\n", "\n"));

        assertEquals("", e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void document_twoDocuments() {
        ConfigException e = error(REQUIRED + "---\n" + REQUIRED);

        assertEquals("config error: the file holds more than one YAML document; remove the '---' separators and keep "
                + "one document", e.getMessage());
    }

    @Test
    void syntaxError_givesLineAndColumnOnOneLine() {
        ConfigException e = error(REQUIRED + "principals: [a\n");

        assertTrue(e.problem().startsWith("YAML syntax error at line "), e.problem());
    }

    // load(): files

    @Test
    void load_resolvesKeytabAgainstTheConfigFilesDirectory() throws Exception {
        Path confDir = Files.createDirectories(dir.resolve("etc"));
        SecretFile.write(confDir.resolve("node.keytab"), new byte[] {0x05, 0x02});
        Path file = confDir.resolve("kerbgate.yaml");
        Files.writeString(file, REQUIRED.replace("http.keytab", "node.keytab"));

        assertEquals(confDir.resolve("node.keytab").toAbsolutePath(), ConfigLoader.load(file).keytab());
    }

    @Test
    void load_missingFile() {
        Path file = dir.resolve("nope.yaml");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals("", e.key());
        assertEquals("config error: " + file + " does not exist; pass --config with the path of the config file "
                + "(conf/kerbgate.yaml is an example)", e.getMessage());
    }

    @Test
    void load_notUtf8() throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'l', 'i', 's', 't', 'e', 'n', ':', ' ', (byte) 0xE9, '\n'});

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(file + " is not UTF-8 text", e.problem());
    }

    // the admin view

    @Test
    void redactedYaml_readsBackToAnEqualConfig() throws ConfigException {
        GatewayConfig config = parse("""
                listen: "[::1]:8443"
                keytab: http.keytab
                principals: [HTTP/array.example.test@ARRAY.TEST]
                backends: [http://127.0.0.1:9001, "http://[::1]:9002"]
                clock_skew: 1m30s
                acceptor:
                  allowed_client_realms: [EXAMPLE.COM]
                limits:
                  max_header_size: 12345
                timeouts:
                  connect: 250ms
                """);

        String yaml = ConfigLoader.toRedactedYaml(config);

        assertEquals(config, parse(yaml), yaml);
        assertTrue(yaml.contains("clock_skew: 1m30s"), yaml);
    }

    @Test
    void redactedTree_usesTheFileKeys() throws ConfigException {
        var tree = ConfigLoader.toRedactedTree(parse(REQUIRED));

        assertEquals(List.of("listen", "keytab", "principals", "backends", "clock_skew", "identity", "admin", "acceptor",
                "limits", "timeouts", "replay", "keys", "logging", "routes", "backend_tls", "balancing", "health",
                "retries", "drain", "access_log", "auth", "sessions", "proxy_protocol", "forward_auth", "delegation"),
                iterate(tree.fieldNames()));
        assertEquals("96KiB", tree.path("limits").path("max_header_size").asText());
        assertEquals("127.0.0.1:9090", tree.path("admin").path("listen").asText());
    }

    // keys and admin.key_writers

    @Test
    void keys_default_graceIsTenHoursPlusTheClockSkew() throws ConfigException {
        assertEquals(new Keys(Duration.parse("PT10H5M"), Duration.ofSeconds(2)), parse(REQUIRED).keys());
        assertEquals(Duration.parse("PT10H2M"), parse(REQUIRED + "clock_skew: 2m\n").keys().grace());
        assertEquals(List.of(), parse(REQUIRED).admin().keyWriters());
    }

    @Test
    void keys_andKeyWriters_areRead_andReadBack() throws ConfigException {
        GatewayConfig config = parse(REQUIRED + """
                admin:
                  key_writers: [keyadmin@ARRAY.TEST, roll/admin@ARRAY.TEST]
                keys:
                  grace: 20s
                  poll_interval: 200ms
                """);

        assertEquals(new Keys(Duration.ofSeconds(20), Duration.ofMillis(200)), config.keys());
        assertEquals(List.of("keyadmin@ARRAY.TEST", "roll/admin@ARRAY.TEST"), config.admin().keyWriters());
        assertEquals(config, parse(ConfigLoader.toRedactedYaml(config)));
    }

    // the production proxy keys

    @Test
    void proxyKeys_defaults() throws ConfigException {
        GatewayConfig config = parse(REQUIRED);

        assertEquals(List.of(BackendOptions.defaults(URI.create("http://127.0.0.1:9001"))), config.backendOptions());
        assertEquals(Balancing.LEAST_OUTSTANDING, config.balancing());
        assertEquals(Health.DEFAULT, config.health());
        assertFalse(config.health().active());
        assertEquals(new Retries(1), config.retries());
        assertEquals(new Drain(Duration.ofSeconds(30)), config.drain());
        assertEquals(new AccessLog(true), config.accessLog());
        assertEquals(new Auth(true), config.auth());
        assertEquals(10_000, config.limits().maxConnections());
    }

    @Test
    void proxyKeys_everyKeySet_isReadAndWrittenBack() throws ConfigException {
        GatewayConfig config = parse("""
                listen: 127.0.0.1:8080
                keytab: http.keytab
                backends:
                  - http://127.0.0.1:9001
                  - {url: http://127.0.0.1:9002, weight: 2, max_connections: 256, connection_auth: true}
                balancing: round_robin
                health:
                  path: /healthz
                  interval: 1s
                  timeout: 500ms
                  unhealthy_threshold: 4
                  healthy_threshold: 1
                  passive: {consecutive_failures: 0, ejection: 10s}
                retries: {idempotent: 0}
                limits: {max_connections: 20}
                drain: {timeout: 5s}
                access_log: {enabled: false}
                auth: {required: false}
                """);

        assertEquals(List.of(URI.create("http://127.0.0.1:9001"), URI.create("http://127.0.0.1:9002")),
                config.backends());
        assertEquals(new BackendOptions(URI.create("http://127.0.0.1:9002"), 2, 256, true),
                config.backendOptions().get(1));
        assertEquals(Balancing.ROUND_ROBIN, config.balancing());
        assertEquals(new Health("/healthz", Duration.ofSeconds(1), Duration.ofMillis(500), 4, 1,
                new Passive(0, Duration.ofSeconds(10))), config.health());
        assertEquals(new Retries(0), config.retries());
        assertEquals(new Limits(96 * 1024, 20), config.limits());
        assertEquals(new Drain(Duration.ofSeconds(5)), config.drain());
        assertEquals(new AccessLog(false), config.accessLog());
        assertEquals(new Auth(false), config.auth());
        assertEquals(config, parse(ConfigLoader.toRedactedYaml(config)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "keys:\\n  grace: 10 hours          | keys.grace             | \"10 hours\" is not a duration",
        "keys:\\n  grace: 0s                | keys.grace             | 0s is not more than 0",
        "keys:\\n  grace: 8d                | keys.grace             | 8d is more than 7d",
        "keys:\\n  grace: 36000             | keys.grace             | 36000 has no unit",
        "keys:\\n  poll_interval: 5ms       | keys.poll_interval     | 5ms is below the minimum",
        "keys:\\n  poll_interval: 1h        | keys.poll_interval     | 1h is more than 10m",
        "keys:\\n  poll: 2s                 | keys.poll              | unknown key",
        "keys: 10h                          | keys                   | \"10h\" is not a mapping of keys",
        "admin:\\n  key_writers: keyadmin    | admin.key_writers      | \"keyadmin\" is not a list",
        "admin:\\n  key_writers: [keyadmin]  | admin.key_writers[0]   | \"keyadmin\" is not a Kerberos principal",
        "admin:\\n  key_writers: [a@R, a@R]  | admin.key_writers[1]   | \"a@R\" is listed twice",
    })
    void keys_andKeyWriters_bad(String lines, String key, String problem) {
        ConfigException e = error(REQUIRED + lines.replace("\\n", "\n") + "\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "backends: [{weight: 2}]                                  | backends[0].url                    | is missing",
        "backends: [{url: http://127.0.0.1:9001, wieght: 2}]      | backends[0].wieght                 | unknown key",
        "backends: [{url: http://127.0.0.1:9001, weight: 0}]      | backends[0].weight                 | 0 is out of range",
        "backends: [{url: http://127.0.0.1:9001, weight: 101}]    | backends[0].weight                 | 101 is out of range",
        "backends: [{url: ftp://x}]                               | backends[0].url                    | \"ftp://x\" is not an http:// or https:// URL",
        "backends: [{url: http://127.0.0.1:9001, max_connections: 0}] | backends[0].max_connections    | 0 is out of range",
        "backends: [{url: http://127.0.0.1:9001, connection_auth: yes please}] | backends[0].connection_auth | \"yes please\" is not true or false",
        "backends: [http://127.0.0.1:9001, {url: http://127.0.0.1:9001}] | backends[1]                 | \"http://127.0.0.1:9001\" is listed twice",
        "balancing: random                                        | balancing                          | \"random\" is not a balancing policy",
        "health: {path: healthz}                                  | health.path                        | \"healthz\" is not an absolute path",
        "health: {interval: 0s}                                   | health.interval                    | 0s is not more than 0",
        "health: {timeout: soon}                                  | health.timeout                     | \"soon\" is not a duration",
        "health: {unhealthy_threshold: 0}                         | health.unhealthy_threshold         | 0 is out of range",
        "health: {healthy_threshold: x}                           | health.healthy_threshold           | \"x\" is not a whole number",
        "health: {passive: {consecutive_failures: -1}}            | health.passive.consecutive_failures | -1 is out of range",
        "health: {passive: {ejection: 5}}                         | health.passive.ejection            | 5 has no unit",
        "health: {passive: {eject: 5s}}                           | health.passive.eject               | unknown key",
        "retries: {idempotent: 4}                                 | retries.idempotent                 | 4 is out of range",
        "retries: {post: 1}                                       | retries.post                       | unknown key",
        "limits: {max_connections: 0}                             | limits.max_connections             | 0 is out of range",
        "drain: {timeout: 2d}                                     | drain.timeout                      | 2d is more than 1d",
        "access_log: {enabled: 1}                                 | access_log.enabled                 | 1 is not true or false",
        "auth: {required: no thanks}                              | auth.required                      | \"no thanks\" is not true or false",
    })
    void proxyKeys_bad(String yaml, String key, String problem) {
        String base = yaml.startsWith("backends:") ? REQUIRED.replace("backends: [http://127.0.0.1:9001]\n", "")
                : REQUIRED;
        ConfigException e = error(base + yaml + "\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    private static List<String> iterate(java.util.Iterator<String> names) {
        List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
