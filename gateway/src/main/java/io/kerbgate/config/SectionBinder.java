package io.kerbgate.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Binds a YAML node to a section record with Jackson: snake_case keys, unknown keys and duplicate keys refused, no
 * coercion of scalars ({@link Scalars}); every failure goes through {@link ConfigErrors}.
 */
public final class SectionBinder {

    /**
     * How a file's messages name its keys: the gateway config's wording ({@code valid keys under 'x': ...}, with a
     * suggestion), or the array file's own ({@code valid keys under x: ...}, lists that "must be a non-empty list").
     */
    public enum Wording { GATEWAY, ARRAY_FILE }


    static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            // A null list item reaches the item's reader (NodeReader#getEmptyValue), which refuses it.
            .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.AS_EMPTY))
            .addModule(Scalars.module())
            .build();

    private SectionBinder() {}

    /** The keys of a section record, as the file writes them, in the record's order. */
    public static List<String> validKeys(Class<? extends Record> type) {
        return ConfigErrors.validKeys(type);
    }

    /** The directory relative paths resolve against, for a {@link NodeReader} that reads a path. */
    public static Path baseDir(DeserializationContext ctxt) {
        return Scalars.baseDir(ctxt);
    }

    /**
     * @param node    the section as the file has it; absent or {@code key:} with no value binds as an empty mapping,
     *                so that the record's defaults apply
     * @param path    the section's key path, for messages
     * @param baseDir the directory relative paths resolve against
     */
    static <T> T bind(@Nullable JsonNode node, Class<T> type, String path, Path baseDir) throws ConfigException {
        return bind(node, type, path, baseDir, Wording.GATEWAY);
    }

    /** {@link #bind(JsonNode, Class, String, Path)} for a file with the given {@link Wording}. */
    public static <T> T bind(@Nullable JsonNode node, Class<T> type, String path, Path baseDir, Wording wording)
            throws ConfigException {
        JsonNode value = node == null || node.isNull() ? MAPPER.createObjectNode() : node;
        try {
            return MAPPER.readerFor(type).withAttribute(Scalars.BASE_DIR, baseDir).readValue(value);
        } catch (JsonProcessingException e) {
            throw ConfigErrors.of(e, path, value, wording);
        } catch (IOException e) {
            throw new UncheckedIOException("binding a tree in memory", e);
        }
    }
}
