package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.testing.SecretFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 401 and 403 bodies through the real proxy, by {@code Accept}: what a browser, an API client and curl get, what an
 * operator's own pages become, and that a page never disturbs the framing of the connection it is sent on.
 */
final class ErrorPagesTest {

    private static final String BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    private static final String ROUTES = """
            routes:
              - {name: admin, path: /admin/, allow: {principals: [alice@ARRAY.TEST]}}
            """;

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ProxyServer proxy;
    private int port;

    /** Accepts {@code Negotiate base64(principal)} as that principal. */
    private final HttpAuthenticator acceptor = (authorization, peer, bindings) -> new Acceptance.Accepted(
            new String(Base64.getDecoder().decode(authorization.substring("Negotiate ".length())),
                    StandardCharsets.UTF_8), "HTTP/gw.array.test@ARRAY.TEST", 4, 18, null, false);

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void browser_getsTheBuiltInPage_withTheHelpLinkEscaped() throws Exception {
        start("error_pages:\n  help_url: \"https://help.example.test/kerberos?a=1&b='x'\"\n");

        RawHttp.Response response = send("/", BROWSER, "");

        assertEquals(401, response.status());
        assertEquals("Negotiate", response.header("WWW-Authenticate"));
        assertEquals("text/html; charset=utf-8", response.header("Content-Type"));
        assertEquals(response.body().length, Integer.parseInt(response.header("Content-Length")));
        assertEquals("Accept", response.header("Vary"));
        assertEquals("no-store", response.header("Cache-Control"));
        assertEquals("nosniff", response.header("X-Content-Type-Options"));
        assertTrue(response.header("Content-Security-Policy").startsWith("default-src 'none'"));
        String page = response.text();
        assertTrue(page.contains("<h1>Sign-in required</h1>"), page);
        assertTrue(page.contains("href=\"https://help.example.test/kerberos?a=1&amp;b=&#39;x&#39;\""), page);
        assertFalse(page.contains("'x'"), "the operator's URL is text, never markup");
    }

    @Test
    void apiClient_getsAProblemDocument() throws Exception {
        start("");

        RawHttp.Response response = send("/", "application/json", "");

        assertEquals(401, response.status());
        assertEquals("Negotiate", response.header("WWW-Authenticate"));
        assertEquals("application/problem+json", response.header("Content-Type"));
        JsonNode problem = new ObjectMapper().readTree(response.body());
        assertEquals(401, problem.get("status").asInt());
        assertEquals("Unauthorized", problem.get("title").asText());
        assertEquals("about:blank", problem.get("type").asText());
        assertNull(problem.get("help"), "no help link unless configured");
    }

    @Test
    void curl_keepsTheOneLine() throws Exception {
        start("");

        RawHttp.Response response = send("/", "*/*", "");

        assertEquals(401, response.status());
        assertEquals("text/plain; charset=utf-8", response.header("Content-Type"));
        assertEquals("401 Unauthorized: Negotiate authentication required\n", response.text());
        assertEquals("Accept", response.header("Vary"));
    }

    @Test
    void forbidden_byAccept() throws Exception {
        start("");
        String bob = "Authorization: Negotiate " + Base64.getEncoder().encodeToString(
                "bob@ARRAY.TEST".getBytes(StandardCharsets.UTF_8)) + "\r\n";

        RawHttp.Response html = send("/admin/", BROWSER, bob);
        RawHttp.Response json = send("/admin/", "application/json", bob);
        RawHttp.Response plain = send("/admin/", null, bob);

        assertEquals(403, html.status());
        assertTrue(html.text().contains("<h1>Access denied</h1>"), html.text());
        assertNull(html.header("WWW-Authenticate"), "a 403 is no challenge");
        assertEquals(403, new ObjectMapper().readTree(json.body()).get("status").asInt());
        assertEquals("403 Forbidden\n", plain.text());
    }

    @Test
    void operatorsPages_areSentAsWritten() throws Exception {
        String html = "<html><body>Ask <b>IT</b> — ext. 4357</body></html>\n";
        String json = "{\"error\": \"login_required\", \"docs\": \"https://help.example.test\"}\n";
        Files.writeString(dir.resolve("401.html"), html);
        Files.writeString(dir.resolve("401.json"), json);
        Files.writeString(dir.resolve("403.html"), "<p>no</p>");
        start("error_pages:\n  unauthorized_html: 401.html\n  unauthorized_json: 401.json\n"
                + "  forbidden_html: 403.html\n");

        RawHttp.Response page = send("/", BROWSER, "");
        RawHttp.Response problem = send("/", "application/json", "");

        assertEquals(html, page.text());
        assertEquals(html.getBytes(StandardCharsets.UTF_8).length, Integer.parseInt(page.header("Content-Length")));
        assertNull(page.header("Content-Security-Policy"), "the operator's page may load what it likes");
        assertEquals("Negotiate", page.header("WWW-Authenticate"));
        assertEquals(json, problem.text());
        assertEquals("application/json", problem.header("Content-Type"));
    }

    @Test
    void head_getsThePageHeadersAndNoBody_theConnectionStaysInStep() throws Exception {
        start("");
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("HEAD / HTTP/1.1\r\nHost: gw.test\r\nAccept: " + BROWSER + "\r\n\r\n");
            RawHttp.Response head = raw.read(true);
            assertEquals(401, head.status());
            assertTrue(Integer.parseInt(head.header("Content-Length")) > 1000, "the page's length, as GET has it");

            // Were the page's bytes sent after the HEAD answer, they would be read as the next response.
            raw.send("GET / HTTP/1.1\r\nHost: gw.test\r\nAccept: */*\r\n\r\n");
            RawHttp.Response next = raw.read();
            assertEquals(401, next.status());
            assertEquals("401 Unauthorized: Negotiate authentication required\n", next.text());
        }
    }

    @Test
    void reload_replacesThePages() throws Exception {
        Path file = dir.resolve("401.html");
        Files.writeString(file, "first\n");
        start("error_pages:\n  unauthorized_html: 401.html\n");
        assertEquals("first\n", send("/", BROWSER, "").text());

        Files.writeString(file, "second\n");
        proxy.reconfigure(config("error_pages:\n  unauthorized_html: 401.html\n"));

        assertEquals("second\n", send("/", BROWSER, "").text());
    }

    private void start(String yaml) throws Exception {
        proxy = track(new ProxyServer(config(yaml), acceptor, registry));
        port = proxy.start();
    }

    private GatewayConfig config(String yaml) throws Exception {
        TestBackend backend = track(TestBackend.start("a"));
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        return ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: http.keytab
                backends: [%s]
                admin: {listen: 127.0.0.1:0}
                """.formatted(backend.uri()) + ROUTES + yaml, dir);
    }

    private RawHttp.Response send(String path, String accept, String headerLines) throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            return raw.send("GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n"
                    + (accept == null ? "" : "Accept: " + accept + "\r\n") + headerLines + "\r\n").read();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }
}
