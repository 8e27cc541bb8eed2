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

final class ProxyProtocolConfigTest {

    @TempDir
    Path dir;

    @BeforeEach
    void writeKeytab() throws IOException {
        ConfigFixture.writeKeytab(dir);
    }

    @Test
    void absentOrEmpty_isOff() throws ConfigException {
        assertNull(ConfigFixture.parse(ConfigFixture.REQUIRED, dir).proxyProtocol());
        assertNull(ConfigFixture.parse(ConfigFixture.REQUIRED + "proxy_protocol:\n", dir).proxyProtocol());
    }

    @Test
    void networks_areRead() throws ConfigException {
        GatewayConfig config = ConfigFixture.parse(ConfigFixture.REQUIRED
                + "proxy_protocol:\n  from: [10.0.0.0/24, \"fd00::/8\"]\n", dir);

        assertEquals(List.of(AddressRange.parse("10.0.0.0/24"), AddressRange.parse("fd00::/8")),
                config.proxyProtocol().from());
    }

    @Test
    void noNetwork_namesTheKeyAndTheFix() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED + "proxy_protocol:\n  from: []\n", dir);

        assertEquals("proxy_protocol.from", e.key());
        assertEquals("names no network", e.problem());
        assertTrue(e.fix().startsWith("write from: [10.0.0.0/24]"), e.fix());
    }

    @Test
    void notANetwork_namesTheItem() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED + "proxy_protocol:\n  from: [balancer]\n",
                dir);

        assertEquals("proxy_protocol.from[0]", e.key());
    }
}
