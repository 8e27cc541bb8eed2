package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.GatewayConfig.Assertion;
import io.kerbgate.config.GatewayConfig.AssertionType;
import io.kerbgate.config.GatewayConfig.BackendTls;
import io.kerbgate.config.GatewayConfig.ChannelBindingMode;
import io.kerbgate.config.GatewayConfig.Identity;
import io.kerbgate.config.GatewayConfig.Rule;
import io.kerbgate.config.GatewayConfig.Tls;
import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keys of TLS termination, backend TLS and identity mapping: {@code tls}, {@code backend_tls}, {@code identity}. */
final class ConfigLoaderTlsIdentityTest {

    private static final String REQUIRED = """
            listen: 127.0.0.1:8443
            keytab: http.keytab
            backends: [https://127.0.0.1:9443]
            """;
    private static final String TLS = """
            tls:
              cert: fullchain.pem
              key: privkey.pem
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void writeFiles() throws IOException {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        Files.writeString(dir.resolve("fullchain.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        SecretFile.writeString(dir.resolve("privkey.pem"), "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
        SecretFile.write(dir.resolve("assertion.key"), new byte[32]);
    }

    private GatewayConfig parse(String yaml) throws ConfigException {
        return ConfigFixture.parse(yaml, dir);
    }

    private ConfigException error(String yaml) {
        return ConfigFixture.error(yaml, dir);
    }

    @Test
    void defaults_plainHttp_verifiedBackends_principalsAsTheyAre() throws ConfigException {
        GatewayConfig config = parse(REQUIRED);

        assertNull(config.tls());
        assertEquals(BackendTls.DEFAULT, config.backendTls());
        assertEquals(Identity.DEFAULT, config.identity());
    }

    @Test
    void tls_defaults() throws ConfigException {
        Tls tls = parse(REQUIRED + TLS).tls();

        assertEquals(dir.resolve("fullchain.pem"), tls.cert());
        assertEquals(dir.resolve("privkey.pem"), tls.key());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols());
        assertTrue(tls.http2());
        assertEquals(ChannelBindingMode.OPTIONAL, tls.channelBindings());
    }

    @Test
    void everyKeySet_isRead() throws ConfigException {
        GatewayConfig config = parse(REQUIRED + TLS + """
                  protocols: [TLSv1.3]
                  http2: false
                  channel_bindings: required
                backend_tls:
                  ca: fullchain.pem
                  verify_hostname: false
                identity:
                  header: X-Forwarded-User
                  strip_realm: true
                  rules:
                    - {match: "^(.*)@CORP\\\\.EXAMPLE\\\\.COM$", replace: "$1"}
                    - match: "^HTTP/.*"
                      replace: "service"
                  assertion:
                    type: jwt
                    key_file: assertion.key
                    header: X-Identity-Jwt
                """);

        assertEquals(new Tls(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"), List.of("TLSv1.3"), false,
                ChannelBindingMode.REQUIRED), config.tls());
        assertEquals(new BackendTls(dir.resolve("fullchain.pem"), false), config.backendTls());
        assertEquals(new Identity("X-Forwarded-User", true,
                List.of(new Rule("^(.*)@CORP\\.EXAMPLE\\.COM$", "$1"), new Rule("^HTTP/.*", "service")),
                new Assertion(AssertionType.JWT, dir.resolve("assertion.key"), "X-Identity-Jwt")), config.identity());
    }

    @Test
    void redactedYaml_readsBackToAnEqualConfig_withoutTheKey() throws Exception {
        SecretFile.write(dir.resolve("assertion.key"), "super-secret-assertion-key-bytes!".getBytes());
        GatewayConfig config = parse(REQUIRED + TLS + """
                identity:
                  rules: [{match: "@EXAMPLE\\\\.COM$", replace: ""}]
                  assertion: {type: hmac, key_file: assertion.key}
                """);

        String yaml = ConfigLoader.toRedactedYaml(config);

        assertEquals(config, parse(yaml), yaml);
        assertFalse(yaml.contains("super-secret"), yaml);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "off       | OFF",
        "'off'     | OFF",
        "false     | OFF",
        "optional  | OPTIONAL",
        "Required  | REQUIRED",
    })
    void tls_channelBindings_modes(String value, ChannelBindingMode mode) throws ConfigException {
        assertEquals(mode, parse(REQUIRED + TLS + "  channel_bindings: " + value + "\n").tls().channelBindings());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "channel_bindings: true        | tls.channel_bindings | true is not a channel binding mode",
        "channel_bindings: always      | tls.channel_bindings | \"always\" is not a channel binding mode",
        "protocols: [TLSv1.1]          | tls.protocols[0]     | \"TLSv1.1\" is not a supported TLS version",
        "protocols: []                 | tls.protocols        | is empty",
        "protocols: [TLSv1.3, tlsv1.3] | tls.protocols[1]     | \"TLSv1.3\" is listed twice",
        "http2: yes please             | tls.http2            | \"yes please\" is not true or false",
    })
    void tls_badValues(String line, String key, String problem) {
        ConfigException e = error(REQUIRED + TLS + "  " + line + "\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void tls_certAndKeyAreRequired() {
        ConfigException e = error(REQUIRED + "tls:\n  key: privkey.pem\n");
        assertEquals("config error at 'tls.cert': is missing; write cert: /etc/kerbgate/tls/fullchain.pem (PEM, leaf "
                + "certificate first)", e.getMessage());
        assertEquals("tls.key", error(REQUIRED + "tls:\n  cert: fullchain.pem\n").key());
    }

    @Test
    void tls_missingFile() {
        ConfigException e = error(REQUIRED + TLS.replace("fullchain.pem", "nope.pem"));

        assertEquals("tls.cert", e.key());
        assertEquals(dir.resolve("nope.pem") + " does not exist", e.problem());
    }

    @Test
    void tls_keyFormatsThatAreNotPkcs8_sayHowToConvert() throws IOException {
        Files.writeString(dir.resolve("rsa.pem"), "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n");
        Files.writeString(dir.resolve("enc.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n");

        ConfigException rsa = error(REQUIRED + TLS.replace("privkey.pem", "rsa.pem"));
        assertEquals(dir.resolve("rsa.pem") + " is a PKCS#1/SEC1 key, not PKCS#8", rsa.problem());
        assertTrue(rsa.fix().startsWith("convert it: openssl pkcs8 -topk8 -nocrypt"), rsa.fix());
        assertEquals(dir.resolve("enc.pem") + " is an encrypted key",
                error(REQUIRED + TLS.replace("privkey.pem", "enc.pem")).problem());
        assertEquals(dir.resolve("fullchain.pem") + " holds no PEM PRIVATE KEY",
                error(REQUIRED + TLS.replace("privkey.pem", "fullchain.pem")).problem());
        assertEquals(dir.resolve("privkey.pem") + " holds no PEM CERTIFICATE",
                error(REQUIRED + TLS.replace("fullchain.pem", "privkey.pem")).problem());
    }

    @Test
    void backendTls_ca_mustBePemCertificates() {
        ConfigException e = error(REQUIRED + "backend_tls:\n  ca: http.keytab\n");

        assertEquals("backend_tls.ca", e.key());
        assertEquals(dir.resolve("http.keytab") + " holds no PEM CERTIFICATE", e.problem());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'{match: \"(a\", replace: x}'              | identity.rules[0].match   | \"(a\" is not a regular expression (Unclosed group)",
        "'{match: \"^(.*)@R$\", replace: \"$2\"}'  | identity.rules[0].replace | \"$2\" refers to group 2 but match has 1",
        "'{match: a, replace: \"$x\"}'              | identity.rules[0].replace | \"$x\" has a $ that is not followed by a group number",
        "'{match: a, replace: 5}'                   | identity.rules[0].replace | 5 is not a string",
        "'{match: a}'                               | identity.rules[0].replace | is missing",
        "'{match: a, replace: b, with: c}'          | identity.rules[0].with    | unknown key",
    })
    void identity_badRules(String rule, String key, String problem) {
        ConfigException e = error(REQUIRED + "identity:\n  rules: [" + rule + "]\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void identity_rulesNotAList() {
        ConfigException e = error(REQUIRED + "identity:\n  rules: 'match: a'\n");

        assertEquals("identity.rules", e.key());
        assertEquals("\"match: a\" is not a list", e.problem());
    }

    @Test
    void assertion_keyTooShort() throws IOException {
        SecretFile.write(dir.resolve("short.key"), new byte[31]);

        ConfigException e = error(REQUIRED + "identity:\n  assertion: {type: hmac, key_file: short.key}\n");

        assertEquals("config error at 'identity.assertion.key_file': " + dir.resolve("short.key") + " holds 31 bytes,"
                + " fewer than 32; make a longer key: openssl rand -out " + dir.resolve("short.key") + " 32",
                e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{type: rsa, key_file: assertion.key}                           | identity.assertion.type     | \"rsa\" is not an assertion type",
        "{key_file: assertion.key}                                      | identity.assertion.type     | is missing",
        "{type: hmac}                                                   | identity.assertion.key_file | is missing",
        "{type: hmac, key_file: assertion.key, header: X-Remote-User}   | identity.assertion.header   | \"X-Remote-User\" is the identity header",
        "{type: hmac, key_file: assertion.key, header: Authorization}   | identity.assertion.header   | \"Authorization\" is a header the proxy consumes or rewrites itself",
    })
    void assertion_bad(String value, String key, String problem) {
        ConfigException e = error(REQUIRED + "identity:\n  assertion: " + value + "\n");

        assertEquals(key, e.key());
        assertEquals(problem, e.problem());
    }

    @Test
    void localRealms_areParsed_andReadBack() throws Exception {
        GatewayConfig config = parse(REQUIRED + "identity: {strip_realm: true, local_realms: [CORP.TEST, EU.CORP.TEST]}\n");
        assertEquals(List.of("CORP.TEST", "EU.CORP.TEST"), config.identity().localRealms());
        assertEquals(config, parse(ConfigLoader.toRedactedYaml(config)));
        assertEquals(List.of(), parse(REQUIRED).identity().localRealms());
    }

    @Test
    void localRealms_emptyOrNotRealms_failWithTheKey() {
        ConfigException empty = error(REQUIRED + "identity: {strip_realm: true, local_realms: []}\n");
        assertEquals("identity.local_realms", empty.key());
        assertTrue(empty.fix().contains("leave local_realms out"), empty.fix());
        ConfigException bad = error(REQUIRED + "identity: {local_realms: [\"alice@CORP.TEST\"]}\n");
        assertEquals("identity.local_realms[0]", bad.key());
    }
}
