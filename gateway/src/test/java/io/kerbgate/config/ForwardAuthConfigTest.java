package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ForwardAuthConfigTest {

    private static final String NO_BACKENDS = """
            listen: 127.0.0.1:8080
            keytab: http.keytab
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void writeKeytab() throws IOException {
        ConfigFixture.writeKeytab(dir);
    }

    @Test
    void absent_isTheReverseProxy() throws ConfigException {
        assertNull(ConfigFixture.parse(ConfigFixture.REQUIRED, dir).forwardAuth());
    }

    @Test
    void trustedProxies_andNoBackends_areRead() throws ConfigException {
        GatewayConfig config = ConfigFixture.parse(NO_BACKENDS
                + "forward_auth:\n  trusted_from: [127.0.0.1/32, \"::1\"]\n", dir);

        assertEquals(List.of(AddressRange.parse("127.0.0.1/32"), AddressRange.parse("::1")),
                config.forwardAuth().trustedFrom());
        assertNull(config.forwardAuth().pathPrefix());
        assertTrue(config.backends().isEmpty());
    }

    @Test
    void pathPrefix_isRead() throws ConfigException {
        GatewayConfig config = ConfigFixture.parse(NO_BACKENDS
                + "forward_auth:\n  trusted_from: [10.0.0.0/8]\n  path_prefix: /kerbgate-auth\n", dir);

        assertEquals("/kerbgate-auth", config.forwardAuth().pathPrefix());
    }

    @Test
    void noBackends_withoutForwardAuth_stillNamesBackends() {
        ConfigException e = ConfigFixture.error(NO_BACKENDS, dir);

        assertEquals("backends", e.key());
        assertEquals("is missing", e.problem());
    }

    @Test
    void backends_withForwardAuth_namesBackendsAndTheFix() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "forward_auth:\n  trusted_from: [127.0.0.1]\n", dir);

        assertEquals("backends", e.key());
        assertTrue(e.fix().startsWith("remove backends"), e.fix());
    }

    @Test
    void noTrustedProxy_namesTheKeyAndTheFix() {
        ConfigException e = ConfigFixture.error(NO_BACKENDS + "forward_auth:\n  trusted_from: []\n", dir);
        assertEquals("forward_auth.trusted_from", e.key());
        assertTrue(e.fix().startsWith("write trusted_from"), e.fix());

        assertEquals("forward_auth.trusted_from",
                ConfigFixture.error(NO_BACKENDS + "forward_auth:\n  path_prefix: /auth\n", dir).key());
        assertEquals("forward_auth.trusted_from[0]",
                ConfigFixture.error(NO_BACKENDS + "forward_auth:\n  trusted_from: [nginx]\n", dir).key());
    }

    @Test
    void connectionBoundSessions_areRefused_theAskingProxyPoolsManyUsersOnOneConnection() {
        ConfigException e = ConfigFixture.error(NO_BACKENDS + "forward_auth:\n  trusted_from: [127.0.0.1]\n"
                + "sessions:\n  connection_bound: true\n", dir);

        assertEquals("sessions.connection_bound", e.key());
    }

    @Test
    void authNotRequired_isRefused() {
        ConfigException e = ConfigFixture.error(NO_BACKENDS + "forward_auth:\n  trusted_from: [127.0.0.1]\n"
                + "auth:\n  required: false\n", dir);

        assertEquals("auth.required", e.key());
    }

    @Test
    void requiredChannelBindings_areRefused_tokensAreBoundToTheProxysTls() throws IOException {
        java.nio.file.Files.writeString(dir.resolve("fullchain.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        io.kerbgate.testing.SecretFile.writeString(dir.resolve("privkey.pem"),
                "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
        String tls = "tls:\n  cert: fullchain.pem\n  key: privkey.pem\n  channel_bindings: required\n";
        ConfigException e = ConfigFixture.error(NO_BACKENDS + "forward_auth:\n  trusted_from: [127.0.0.1]\n" + tls,
                dir);

        assertEquals("tls.channel_bindings", e.key());
    }

    @Test
    void badPathPrefix_namesTheKey() {
        for (String prefix : List.of("auth", "/auth/", "/a b", "/a/../b", "/", "/%2e")) {
            ConfigException e = ConfigFixture.error(NO_BACKENDS + "forward_auth:\n  trusted_from: [127.0.0.1]\n"
                    + "  path_prefix: \"" + prefix + "\"\n", dir);
            assertEquals("forward_auth.path_prefix", e.key(), prefix);
        }
    }

    @Test
    void redactedTree_roundTrips() throws ConfigException {
        GatewayConfig config = ConfigFixture.parse(NO_BACKENDS
                + "forward_auth:\n  trusted_from: [127.0.0.1/32]\n  path_prefix: /auth\n", dir);
        var tree = ConfigLoader.toRedactedTree(config);

        assertEquals("127.0.0.1/32", tree.path("forward_auth").path("trusted_from").path(0).asText());
        assertEquals("/auth", tree.path("forward_auth").path("path_prefix").asText());
    }
}
