package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code error_pages}: read with the config, and every way a page file or the help link can be wrong named. */
final class ErrorPagesConfigTest {

    @TempDir
    Path dir;

    @BeforeEach
    void writeKeytab() throws IOException {
        ConfigFixture.writeKeytab(dir);
    }

    @Test
    void absent_isTheBuiltInPages() throws ConfigException {
        assertEquals(GatewayConfig.ErrorPages.BUILT_IN, ConfigFixture.parse(ConfigFixture.REQUIRED, dir).errorPages());
    }

    @Test
    void pagesAreRead_relativeToTheConfigFile() throws Exception {
        Files.writeString(dir.resolve("401.html"), "<p>Anmeldung nötig</p>");
        Files.writeString(dir.resolve("403.json"), "{\"error\": \"forbidden\"}");

        GatewayConfig.ErrorPages pages = ConfigFixture.parse(ConfigFixture.REQUIRED + """
                error_pages:
                  help_url: https://help.example.test/kerberos
                  unauthorized_html: 401.html
                  forbidden_json: 403.json
                """, dir).errorPages();

        assertEquals(URI.create("https://help.example.test/kerberos"), pages.helpUrl());
        assertEquals("<p>Anmeldung nötig</p>", pages.unauthorizedHtml());
        assertEquals("{\"error\": \"forbidden\"}", pages.forbiddenJson());
    }

    @Test
    void missingPage_namesTheKey() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "error_pages:\n  unauthorized_html: nowhere.html\n", dir);

        assertEquals("error_pages.unauthorized_html", e.key());
        assertTrue(e.problem().endsWith("nowhere.html does not exist"), e.problem());
        assertTrue(e.fix().startsWith("point it at an HTML page"), e.fix());
    }

    @Test
    void jsonThatIsNotJson_namesTheLine() throws IOException {
        Files.writeString(dir.resolve("401.json"), "{\n  \"error\": oops\n}");

        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "error_pages:\n  unauthorized_json: 401.json\n", dir);

        assertEquals("error_pages.unauthorized_json", e.key());
        assertTrue(e.problem().endsWith("401.json is not JSON (line 2)"), e.problem());
    }

    @Test
    void jsonThatIsNoObject_isRefused() throws IOException {
        Files.writeString(dir.resolve("403.json"), "[1, 2]");

        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "error_pages:\n  forbidden_json: 403.json\n", dir);

        assertEquals("error_pages.forbidden_json", e.key());
        assertTrue(e.problem().endsWith("is not a JSON object"), e.problem());
    }

    @Test
    void notUtf8_isRefused() throws IOException {
        Files.write(dir.resolve("403.html"), new byte[] {'<', 'p', '>', (byte) 0xE9, '<'});

        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "error_pages:\n  forbidden_html: 403.html\n", dir);

        assertEquals("error_pages.forbidden_html", e.key());
        assertTrue(e.problem().endsWith("is not UTF-8"), e.problem());
    }

    @Test
    void tooLarge_isRefused() throws IOException {
        Files.writeString(dir.resolve("401.html"), "x".repeat(64 * 1024 + 1));

        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "error_pages:\n  unauthorized_html: 401.html\n", dir);

        assertTrue(e.problem().endsWith("is larger than 64 KiB"), e.problem());
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript:alert(1)", "/help", "ftp://help.example.test/", "https://", "http://a b/"})
    void helpUrl_onlyAbsoluteHttp(String url) {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "error_pages:\n  help_url: \"" + url + "\"\n", dir);

        assertEquals("error_pages.help_url", e.key());
        assertTrue(e.fix().startsWith("write the address of your sign-in help page"), e.fix());
    }

    @Test
    void unknownKey_didYouMean() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "error_pages:\n  unauthorised_html: 401.html\n", dir);

        assertTrue(e.getMessage().contains("unauthorized_html"), e.getMessage());
    }
}
