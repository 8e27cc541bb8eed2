package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

final class AccessLogTest {

    @Test
    void line_millisecondsWithThreeDecimals_clientValuesQuotedAndEscaped() {
        AccessLog.Entry entry = new AccessLog.Entry(new InetSocketAddress("10.0.0.7", 53122), "alice@EXAMPLE.COM",
                "GET", "/a\"b\u0001c", 200, "10.0.1.5:8080", 0, 5120, "ok", 1_234_567_000L, 5_000L, 0);

        assertEquals("client=10.0.0.7:53122 principal=alice@EXAMPLE.COM method=GET path=\"/a\\\"b\\x01c\""
                + " status=200 backend=10.0.1.5:8080 bytes_in=0 bytes_out=5120 auth=ok total_ms=1234.567"
                + " upstream_ms=0.005 retries=0", AccessLog.line(entry));
    }

    @Test
    void line_noBackendNoPrincipal_dashes_andTensOfMicroseconds() {
        AccessLog.Entry entry = new AccessLog.Entry(null, null, "GET", "/", 401, null, 0, 0, "no_header",
                1_050_000L, -1, 0);

        assertEquals("client=- principal=- method=GET path=\"/\" status=401 backend=- bytes_in=0 bytes_out=0"
                + " auth=no_header total_ms=1.050 upstream_ms=- retries=0", AccessLog.line(entry));
    }
}
