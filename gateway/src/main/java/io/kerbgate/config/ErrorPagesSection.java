package io.kerbgate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * {@code error_pages}: the bodies of the 401 and 403 answers in place of the built-in ones, and the help link of the
 * built-in ones. Each file is read with the config (at start and at each reload), so a missing, oversized, non-UTF-8
 * or (for JSON) unparsable page fails there, not at the first refused request.
 */
record ErrorPagesSection(
        @Fix(ErrorPagesSection.HELP_URL_FIX) @Nullable String helpUrl,
        @Fix(ErrorPagesSection.HTML_FIX) @JsonDeserialize(using = PageFile.class) @Nullable Page unauthorizedHtml,
        @Fix(ErrorPagesSection.JSON_FIX) @JsonDeserialize(using = PageFile.class) @Nullable Page unauthorizedJson,
        @Fix(ErrorPagesSection.HTML_FIX) @JsonDeserialize(using = PageFile.class) @Nullable Page forbiddenHtml,
        @Fix(ErrorPagesSection.JSON_FIX) @JsonDeserialize(using = PageFile.class) @Nullable Page forbiddenJson) {

    static final String HELP_URL_FIX = "write the address of your sign-in help page, e.g. "
            + "help_url: https://intranet.example.test/kerberos";
    static final String HTML_FIX = "point it at an HTML page (UTF-8, at most 64 KiB), or remove the key for the "
            + "built-in page";
    static final String JSON_FIX = "point it at a JSON object (UTF-8, at most 64 KiB), or remove the key for the "
            + "built-in problem document";
    /** A page is sent whole with every refusal of its kind: kept small, and in memory once. */
    static final int MAX_PAGE_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A page file as it was read: where from (for messages), and its text. */
    record Page(Path path, String text) {}

    ErrorPagesSection {
        if (helpUrl != null) {
            helpUrl(helpUrl);
        }
        requireObject("unauthorized_json", unauthorizedJson);
        requireObject("forbidden_json", forbiddenJson);
    }

    GatewayConfig.ErrorPages errorPages() {
        return new GatewayConfig.ErrorPages(helpUrl == null ? null : helpUrl(helpUrl), text(unauthorizedHtml),
                text(unauthorizedJson), text(forbiddenHtml), text(forbiddenJson));
    }

    private static @Nullable String text(@Nullable Page page) {
        return page == null ? null : page.text();
    }

    /** An absolute http(s) address: it goes into the built-in pages as a link, so nothing else may pass. */
    private static URI helpUrl(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new InvalidValue("help_url", ConfigValues.quote(value) + " is not a URL", HELP_URL_FIX);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw new InvalidValue("help_url", ConfigValues.quote(value) + " is not an absolute http(s) URL",
                    HELP_URL_FIX);
        }
        return uri;
    }

    private static void requireObject(String key, @Nullable Page page) {
        if (page == null) {
            return;
        }
        JsonNode node;
        try {
            node = JSON.readTree(page.text());
        } catch (JsonProcessingException e) {
            throw new InvalidValue(key, page.path() + " is not JSON (line " + e.getLocation().getLineNr() + ")",
                    JSON_FIX);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidValue(key, page.path() + " is not a JSON object", JSON_FIX);
        }
    }

    /** A page's path, resolved against the config file's directory, read whole as UTF-8 text. */
    static final class PageFile extends NodeReader<Page> implements ContextualDeserializer {
        private final String fix;

        PageFile() {
            this("");
        }

        private PageFile(String fix) {
            this.fix = fix;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, @Nullable BeanProperty property) {
            Fix annotated = property == null ? null : property.getAnnotation(Fix.class);
            return annotated == null ? this : new PageFile(annotated.value());
        }

        @Override
        protected Page convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            Path path = Scalars.resolvedPath(node, ctxt, fix);
            FileChecks.existingFile("", path, fix);
            if (FileChecks.size("", path, fix) > MAX_PAGE_BYTES) {
                throw new ConfigException("", path + " is larger than 64 KiB", fix);
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (IOException e) {
                throw new ConfigException("", path + " cannot be read (" + e.getMessage() + ")", fix, e);
            }
            try {
                return new Page(path, StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString());
            } catch (CharacterCodingException e) {
                throw new ConfigException("", path + " is not UTF-8", fix);
            }
        }
    }
}
