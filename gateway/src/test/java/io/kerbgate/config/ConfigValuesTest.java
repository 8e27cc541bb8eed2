package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.TextNode;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ConfigValuesTest {

    @ParameterizedTest
    @CsvSource({
        "PT0S,      0s",
        "PT0.5S,    500ms",
        "PT5M,      5m",
        "PT10H5M,   10h5m",
        "PT1M30.25S, 1m30s250ms",
        "PT49H,     2d1h",
    })
    void formatDuration_isTheShortestReadableForm(String iso, String text) throws ConfigException {
        Duration duration = Duration.parse(iso);

        assertEquals(text, ConfigValues.formatDuration(duration));
        assertEquals(duration, ConfigValues.duration("k", TextNode.valueOf(text)));
    }

    @ParameterizedTest
    @CsvSource({"98304, 96KiB", "1048576, 1MiB", "8191, 8191", "0, 0"})
    void formatSize_usesBinaryUnitsWhenExact(long bytes, String text) throws ConfigException {
        assertEquals(text, ConfigValues.formatSize(bytes));
        assertEquals(bytes, ConfigValues.byteSize("k", TextNode.valueOf(text)));
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, 8080, 127.0.0.1:8080", "::1, 9090, [::1]:9090", "0.0.0.0, 0, 0.0.0.0:0"})
    void formatAddress_bracketsIpv6(String host, int port, String text) throws ConfigException {
        InetSocketAddress address = new InetSocketAddress(host, port);

        assertEquals(text, ConfigValues.formatAddress(address));
        assertEquals(address, ConfigValues.address("k", TextNode.valueOf(text)));
    }
}
