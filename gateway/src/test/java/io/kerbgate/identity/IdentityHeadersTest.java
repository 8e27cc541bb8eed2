package io.kerbgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kerbgate.config.GatewayConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
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

    @Test
    void forward_removesClientAssertions_evenWithAssertionsOff() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("X-Kerbgate-Assertion", "v1;admin@ARRAY.TEST;1;x;forged")
                .add("x_kerbgate_assertion", "forged");

        identity.forward(headers, "alice@ARRAY.TEST", CLIENT, "http");

        assertEquals(0, headers.names().stream()
                .filter(n -> n.replace('_', '-').equalsIgnoreCase("x-kerbgate-assertion")).count(), headers.names()::toString);
    }

    @Test
    void forward_mapsThePrincipal_andSignsTheForwardedName() throws Exception {
        byte[] key = new byte[32];
        IdentityHeaders mapped = new IdentityHeaders("X-Remote-User", "X-Identity-Assertion",
                PrincipalMapper.of(new GatewayConfig.Identity("X-Remote-User", true, List.of(), null),
                        () -> Set.of("HTTP/array.example.test@ARRAY.TEST")),
                IdentityAssertion.of(GatewayConfig.AssertionType.HMAC, key, Clock.systemUTC()));
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Identity-Assertion", "forged").add("X-Remote-User", "x");

        mapped.forward(headers, "alice@ARRAY.TEST", CLIENT, "https");

        assertEquals(List.of("alice"), headers.getAll("X-Remote-User"));
        List<String> assertions = headers.getAll("X-Identity-Assertion");
        assertEquals(1, assertions.size());
        assertEquals("alice", IdentityAssertionTest.verifyKerbgateHmac(assertions.get(0), key, 60));
    }

    @Test
    void constructor_assertionHeaderEqualToTheIdentityHeader_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IdentityHeaders("X-Remote-User", "x_remote_user",
                PrincipalMapper.UNCHANGED, null));
    }

    @Test
    void forward_withGroupsAndAssertion_stripsAllThree_andSetsEach() throws Exception {
        byte[] key = new byte[32];
        IdentityHeaders full = new IdentityHeaders("X-Remote-User", "X-Remote-Groups", "X-Kerbgate-Assertion",
                PrincipalMapper.of(new GatewayConfig.Identity("X-Remote-User", true, List.of(), null),
                        () -> Set.of("HTTP/array.example.test@ARRAY.TEST")),
                IdentityAssertion.of(GatewayConfig.AssertionType.HMAC, key, Clock.systemUTC()));
        HttpHeaders headers = new DefaultHttpHeaders().add("X_Remote_Groups", "S-1-5-32-544")
                .add("x-kerbgate-assertion", "forged").add("X-Remote-User", "root");

        full.forward(headers, "alice@ARRAY.TEST", List.of("S-1-5-21-1-2-3-1104"), CLIENT, "https");

        assertEquals(List.of("alice"), headers.getAll("X-Remote-User"));
        assertEquals(List.of("S-1-5-21-1-2-3-1104"), headers.getAll("X-Remote-Groups"));
        assertFalse(headers.contains("X_Remote_Groups"));
        List<String> assertions = headers.getAll("X-Kerbgate-Assertion");
        assertEquals(1, assertions.size());
        assertEquals("alice", IdentityAssertionTest.verifyKerbgateHmac(assertions.get(0), key, 60));
    }

    @Test
    void forward_anonymous_setsNoIdentityNoAssertion_andStillStripsClientCopies() {
        IdentityHeaders full = new IdentityHeaders("X-Remote-User", "X-Remote-Groups", "X-Kerbgate-Assertion",
                PrincipalMapper.UNCHANGED,
                IdentityAssertion.of(GatewayConfig.AssertionType.HMAC, new byte[32], Clock.systemUTC()));
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Remote-User", "root")
                .add("X-Remote-Groups", "S-1-5-32-544").add("X-Kerbgate-Assertion", "forged");

        full.forward(headers, null, List.of(), CLIENT, "http");

        assertFalse(headers.contains("X-Remote-User"));
        assertFalse(headers.contains("X-Remote-Groups"));
        assertFalse(headers.contains("X-Kerbgate-Assertion"));
    }

    @Test
    void constructor_groupsHeaderEqualToTheAssertionHeader_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IdentityHeaders("X-Remote-User", "X-Kerbgate-Assertion",
                "x_kerbgate_assertion", PrincipalMapper.UNCHANGED, null));
    }

    /** The identity header's octets on the wire, as the backend reads them. */
    private static String wireValue(String principal) {
        HttpHeaders headers = new DefaultHttpHeaders();
        new IdentityHeaders("X-Remote-User").forward(headers, principal, CLIENT, "http");
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestEncoder());
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
                Unpooled.EMPTY_BUFFER, headers, new DefaultHttpHeaders()));
        StringBuilder wire = new StringBuilder();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; buf.release()) {
            wire.append(buf.toString(StandardCharsets.UTF_8));
        }
        channel.finishAndReleaseAll();
        int start = wire.indexOf("X-Remote-User: ") + "X-Remote-User: ".length();
        return wire.substring(start, wire.indexOf("\r\n", start));
    }

    @Test
    void forward_nonAsciiName_goesOutAsUtf8_neverAsQuestionMarks() {
        // One char per octet would send both as "?ukasz@ARRAY.TEST": one name for two principals.
        assertEquals("\u0142ukasz@ARRAY.TEST", wireValue("\u0142ukasz@ARRAY.TEST"));
        assertEquals("\u015bukasz@ARRAY.TEST", wireValue("\u015bukasz@ARRAY.TEST"));
        assertEquals("j\u00fcrgen@ARRAY.TEST", wireValue("j\u00fcrgen@ARRAY.TEST"));
    }
}
