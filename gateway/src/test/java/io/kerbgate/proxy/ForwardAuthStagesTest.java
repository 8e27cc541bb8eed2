package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.proxy.StagedChannel.Upto;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward-auth mode's stages ({@link ForwardAuthTarget}, {@link NegotiateHandler}, {@link ForwardAuthAnswer}) after
 * the edge and the checks: who may ask, which request the route is chosen by, and what the answer carries.
 */
final class ForwardAuthStagesTest {

    private static final Acceptance.Accepted ALICE = new Acceptance.Accepted("alice@ARRAY.TEST",
            "HTTP/array.example.test@ARRAY.TEST", 3, 18, new byte[] {1, 2, 3}, false,
            List.of("S-1-5-21-1-2-3-512"));
    private static final String TRUSTED = "forward_auth:\n  trusted_from: [192.0.2.0/24]\n";
    private static final String ROUTES = """
            routes:
              - {name: public, path: /public, anonymous: true}
              - {name: admin, path: /admin, allow: {principals: [bob@ARRAY.TEST]}}
            """;

    @TempDir
    Path dir;

    private final AtomicInteger calls = new AtomicInteger();
    private final HttpAuthenticator acceptsAlice = (token, peer, bindings) -> {
        calls.incrementAndGet();
        return ALICE;
    };

    /** An asking request as nginx's recipe or Caddy sends it: to /auth, the original in X-Forwarded-*. */
    private static HttpRequest asking(String originalUri, String... more) {
        HttpRequest request = StagedChannel.get("/auth", more);
        request.headers().set("X-Forwarded-Method", "GET")
                .set("X-Forwarded-Uri", originalUri)
                .set("X-Forwarded-Host", "app.example.test");
        return request;
    }

    private FullHttpResponse ask(StagedChannel s, HttpRequest request) {
        s.channel.writeInbound(request);
        s.channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        return s.response();
    }

    @Test
    void acceptedToken_200WithTheIdentityHeadersAndTheMutualToken_nothingPassedOn() throws Exception {
        io.kerbgate.testing.SecretFile.write(dir.resolve("assertion.key"), new byte[32]);
        String yaml = TRUSTED + "acceptor:\n  pac: verify\nidentity:\n  groups_header: X-Remote-Groups\n"
                + "  assertion: {type: hmac, key_file: assertion.key}\n";
        try (StagedChannel s = new StagedChannel(dir, yaml, Upto.FORWARD_AUTH, acceptsAlice, null)) {
            FullHttpResponse response = ask(s, asking("/app/page?x=1", "Authorization", "Negotiate YII="));

            assertEquals(200, response.status().code());
            assertEquals("alice@ARRAY.TEST", response.headers().get("X-Remote-User"));
            assertEquals("S-1-5-21-1-2-3-512", response.headers().get("X-Remote-Groups"));
            assertEquals(List.of("alice@ARRAY.TEST"), response.headers().getAll("X-Remote-User"));
            assertTrue(response.headers().get("X-Kerbgate-Assertion").startsWith("v1;alice@ARRAY.TEST;"),
                    "the signed assertion, as a backend gets it in proxy mode: "
                            + response.headers().get("X-Kerbgate-Assertion"));
            assertEquals("Negotiate AQID", response.headers().get("WWW-Authenticate"));
            assertEquals("0", response.headers().get("Content-Length"));
            assertNull(response.headers().get("Authorization"));
            response.release();
            assertTrue(s.passed.isEmpty(), "forward-auth forwards nothing: " + s.passed);
            assertTrue(s.channel.isOpen(), "the asking proxy keeps its connection for the next question");
            assertEquals(1, calls.get());
        }
    }

    @Test
    void accessLog_namesTheOriginalRequest_notTheAskingOne() throws Exception {
        try (StagedChannel s = new StagedChannel(dir, TRUSTED, Upto.FORWARD_AUTH, acceptsAlice, null);
                io.kerbgate.logging.LogCapture log = io.kerbgate.logging.LogCapture.everything()) {
            HttpRequest request = asking("/app/page?x=1", "Authorization", "Negotiate YII=");
            request.headers().set("X-Forwarded-Method", "POST");
            ask(s, request).release();

            String line = log.everythingWritten().stream().filter(l -> l.startsWith(AccessLog.LOGGER))
                    .findFirst().orElseThrow(() -> new AssertionError(log.everythingWritten()));
            assertTrue(line.contains("POST") && line.contains("/app/page?x=1") && line.contains("alice@ARRAY.TEST"),
                    line);
            assertFalse(line.contains("/auth"), line);
        }
    }

    @Test
    void noToken_401WithTheChallenge() throws Exception {
        try (StagedChannel s = new StagedChannel(dir, TRUSTED, Upto.FORWARD_AUTH, acceptsAlice, null)) {
            FullHttpResponse response = ask(s, asking("/app"));

            assertEquals(401, response.status().code());
            assertEquals("Negotiate", response.headers().get("WWW-Authenticate"));
            response.release();
        }
    }

    @Test
    void untrustedPeer_403AndClose_theTokenIsNeverChecked() throws Exception {
        String yaml = "forward_auth:\n  trusted_from: [10.0.0.0/8]\n";
        try (StagedChannel s = new StagedChannel(dir, yaml, Upto.FORWARD_AUTH, acceptsAlice, null)) {
            s.channel.writeInbound(asking("/public/x", "Authorization", "Negotiate YII="));

            FullHttpResponse response = s.response();
            assertEquals(403, response.status().code());
            assertEquals("close", response.headers().get("Connection"));
            response.release();
            assertEquals(0, calls.get(), "no one outside trusted_from gets a token checked (or burnt)");
            assertEquals(1, s.counter("kerbgate.proxy.refused", "reason", "forward_auth_untrusted"));
        }
    }

    @Test
    void routes_areChosenByTheOriginalTarget_notTheAskingOne() throws Exception {
        try (StagedChannel s = new StagedChannel(dir, TRUSTED + ROUTES, Upto.FORWARD_AUTH, acceptsAlice, null)) {
            FullHttpResponse anonymous = ask(s, asking("/public/logo.png", "X-Remote-User", "admin@ARRAY.TEST"));
            assertEquals(200, anonymous.status().code());
            assertEquals("", anonymous.headers().get("X-Remote-User"),
                    "an anonymous route names no one, and says so: the proxy overwrites the client's copy");
            anonymous.release();
            assertEquals(0, calls.get());

            FullHttpResponse denied = ask(s, asking("/admin/users", "Authorization", "Negotiate YII="));
            assertEquals(403, denied.status().code(), "alice is not on the admin route");
            denied.release();

            FullHttpResponse challenged = ask(s, asking("/app"));
            assertEquals(401, challenged.status().code());
            challenged.release();
        }
    }

    @Test
    void originalTargetsSpelledToLeaveTheirRoute_areRefused() throws Exception {
        try (StagedChannel s = new StagedChannel(dir, TRUSTED + ROUTES, Upto.FORWARD_AUTH, acceptsAlice, null)) {
            for (String uri : List.of("/public/../admin/users", "/public/%2e%2e/admin", "/public/%2fadmin",
                    "/public/x#frag", "public/x", "/public/\u00e9")) {
                FullHttpResponse response = ask(s, asking(uri));
                assertEquals(400, response.status().code(), uri);
                response.release();
            }
            assertEquals(0, calls.get());
        }
    }

    @Test
    void missingOrRepeatedOriginalHeaders_400() throws Exception {
        try (StagedChannel s = new StagedChannel(dir, TRUSTED + ROUTES, Upto.FORWARD_AUTH, acceptsAlice, null)) {
            HttpRequest noUri = asking("/public/x");
            noUri.headers().remove("X-Forwarded-Uri");
            HttpRequest twoUris = asking("/app");
            twoUris.headers().add("X-Forwarded-Uri", "/public/x");
            HttpRequest noHost = asking("/public/x");
            noHost.headers().remove("X-Forwarded-Host");
            HttpRequest badHost = asking("/public/x");
            badHost.headers().set("X-Forwarded-Host", "user@app.example.test");
            HttpRequest noMethod = asking("/public/x");
            noMethod.headers().remove("X-Forwarded-Method");
            for (HttpRequest request : List.of(noUri, twoUris, noHost, badHost, noMethod)) {
                FullHttpResponse response = ask(s, request);
                assertEquals(400, response.status().code(), request.headers().toString());
                response.release();
            }
            assertEquals(5, s.counter("kerbgate.auth.requests", "result", "rejected", "reason", "bad_target"),
                    "each refusal counted");
        }
    }

    @Test
    void routes_areChosenByTheOriginalHost() throws Exception {
        String yaml = TRUSTED + "routes:\n  - {name: open, path: /, host: open.example.test, anonymous: true}\n";
        try (StagedChannel s = new StagedChannel(dir, yaml, Upto.FORWARD_AUTH, acceptsAlice, null)) {
            HttpRequest open = asking("/x");
            open.headers().set("X-Forwarded-Host", "open.example.test");
            // The asking request's own Host is the auth service's: never the route's.
            HttpRequest closed = asking("/x");
            closed.headers().set("Host", "open.example.test");

            FullHttpResponse a = ask(s, open);
            FullHttpResponse b = ask(s, closed);
            assertEquals(200, a.status().code());
            assertEquals(401, b.status().code());
            a.release();
            b.release();
        }
    }

    @Test
    void pathPrefix_theOriginalIsTheTargetAfterThePrefix_withItsOwnMethodAndHost() throws Exception {
        String yaml = "forward_auth:\n  trusted_from: [192.0.2.7]\n  path_prefix: /kerbgate-auth\n" + ROUTES;
        try (StagedChannel s = new StagedChannel(dir, yaml, Upto.FORWARD_AUTH, acceptsAlice, null)) {
            FullHttpResponse anonymous = ask(s, StagedChannel.get("/kerbgate-auth/public/x?y=1"));
            FullHttpResponse challenged = ask(s, StagedChannel.get("/kerbgate-auth/app"));
            FullHttpResponse outside = ask(s, StagedChannel.get("/public/x"));
            FullHttpResponse glued = ask(s, StagedChannel.get("/kerbgate-authpublic/x"));
            // X-Forwarded-Uri means nothing in this mode: a client could have set it.
            FullHttpResponse ignored = ask(s, StagedChannel.get("/kerbgate-auth/app", "X-Forwarded-Uri", "/public/x"));

            assertEquals(List.of(200, 401, 400, 400, 401), List.of(anonymous.status().code(),
                    challenged.status().code(), outside.status().code(), glued.status().code(),
                    ignored.status().code()));
            for (FullHttpResponse r : List.of(anonymous, challenged, outside, glued, ignored)) {
                r.release();
            }
        }
    }

    @Test
    void askingRequestWithABody_answered_theBodyDropped_theConnectionKept() throws Exception {
        try (StagedChannel s = new StagedChannel(dir, TRUSTED + ROUTES, Upto.FORWARD_AUTH, acceptsAlice, null)) {
            HttpRequest request = asking("/public/x", "Content-Length", "5");
            s.channel.writeInbound(request);
            s.channel.writeInbound(new io.netty.handler.codec.http.DefaultLastHttpContent(
                    io.netty.buffer.Unpooled.copiedBuffer("hello", java.nio.charset.StandardCharsets.US_ASCII)));

            FullHttpResponse response = s.response();
            assertEquals(200, response.status().code());
            response.release();
            assertFalse(s.passed.stream().anyMatch(m -> m instanceof io.netty.handler.codec.http.HttpContent));
            assertTrue(s.channel.isOpen());
        }
    }
}
