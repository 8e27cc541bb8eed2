package io.kerbgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

final class IdentityHeadersTest {

    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();
    private final IdentityHeaders identity = new IdentityHeaders("X-Remote-User");

    @Test
    void forward_replacesEveryClientCopyInAnyCaseAndCount() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("x-remote-user", "mallory")
                .add("X-REMOTE-USER", "root")
                .add("X-REMOTE-USER", "admin")
                .add("X_Remote_User", "eve")
                .add("x_remote-USER", "eve2");

        identity.forward(headers, "alice@ARRAY.TEST", CLIENT, "http");

        assertEquals(List.of("alice@ARRAY.TEST"), headers.getAll("X-Remote-User"));
        assertEquals(1, headers.names().stream().filter(n -> n.replace('_', '-').equalsIgnoreCase("x-remote-user")).count());
    }

    @Test
    void forward_removesAuthorization() {
        HttpHeaders headers = new DefaultHttpHeaders().add("Authorization", "Negotiate YII=");

        identity.forward(headers, "alice@ARRAY.TEST", CLIENT, "http");

        assertFalse(headers.contains("Authorization"));
    }

    @Test
    void forward_appendsForwardedForAndSetsProtoAndHost() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("X-Forwarded-For", "10.0.0.1")
                .add("X-Forwarded-For", "10.0.0.2")
                .add("X-Forwarded-Proto", "https")
                .add("Host", "app.array.test");

        identity.forward(headers, "alice@ARRAY.TEST", CLIENT, "http");

        assertEquals(List.of("10.0.0.1, 10.0.0.2, " + CLIENT.getHostAddress()), headers.getAll("X-Forwarded-For"));
        assertEquals(List.of("http"), headers.getAll("X-Forwarded-Proto"));
        assertEquals("app.array.test", headers.get("X-Forwarded-Host"));
    }

    @Test
    void forward_withoutHost_dropsClientForwardedHost() {
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Forwarded-Host", "evil.example");

        identity.forward(headers, "alice@ARRAY.TEST", CLIENT, "http");

        assertNull(headers.get("X-Forwarded-Host"));
    }

    @Test
    void forward_principalWithControlCharacters_isRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> identity.forward(new DefaultHttpHeaders(), "alice\r\nX-Admin: 1", CLIENT, "http"));
    }

    @Test
    void constructor_invalidHeaderName_namesTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdentityHeaders("X User"));
        assertEquals("identity.header is not a valid header name: 'X User'", e.getMessage());
    }
}
