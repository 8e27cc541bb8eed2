package io.kerbgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.config.GatewayConfig.ChannelBindingMode;
import io.kerbgate.config.GatewayConfig.Pac;
import io.kerbgate.replay.SharedStoreSettings.Fail;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The JSON Schema (draft-07) of the config file, generated from the records it is bound to ({@link ConfigFile} and
 * its sections): the keys, their kinds, the bounds of whole numbers ({@link Scalars.Range}) and, as descriptions, the
 * fixes the loader suggests ({@link Fix}). It is for editors (completion, unknown keys); the loader stays the judge,
 * with the checks no schema can express (files, cross-section rules). Every key may be empty ({@code key:}), which
 * means its default.
 */
final class ConfigSchema {

    static final String DRAFT = "http://json-schema.org/draft-07/schema#";
    // The grammar of Durations: parts from days down to milliseconds, or ISO-8601.
    private static final String DURATION = "^(([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?|[Pp].+)$";
    private static final String SIZE = "^[0-9]+ *(B|KiB|MiB)?$";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private ConfigSchema() {}

    static ObjectNode generate() {
        ObjectNode schema = NODES.objectNode();
        schema.put("$schema", DRAFT);
        schema.put("title", "kerbgate gateway configuration");
        schema.put("description", "The YAML file kerbgate run and check-config read (conf/kerbgate.yaml lists every key"
                + " with its default). Generated from the config records by ConfigSchemaTest; do not edit.");
        schema.setAll(object(ConfigFile.class, false));
        return schema;
    }

    private static ObjectNode object(Class<?> record, boolean nullable) {
        ObjectNode node = NODES.objectNode();
        node.set("type", nullable ? types("object", "null") : NODES.textNode("object"));
        node.put("additionalProperties", false);
        ObjectNode properties = node.putObject("properties");
        for (RecordComponent component : record.getRecordComponents()) {
            // @JsonDeserialize cannot target a record component: javac puts it on the accessor (and field, parameter).
            ObjectNode property = value(component.getGenericType(),
                    component.getAccessor().getAnnotation(JsonDeserialize.class),
                    component.getAnnotation(Scalars.Range.class));
            Fix fix = component.getAnnotation(Fix.class);
            if (fix != null) {
                property.put("description", fix.value());
            }
            properties.set(SNAKE_CASE.translate(component.getName()), property);
        }
        return node;
    }

    private static ObjectNode value(Type type, JsonDeserialize reader, Scalars.Range range) {
        if (type instanceof ParameterizedType list && list.getRawType() == List.class) {
            ObjectNode node = NODES.objectNode();
            node.set("type", types("array", "null"));
            Class<?> items = reader == null ? Object.class : reader.contentUsing();
            node.set("items", items == ProxySections.BackendItem.class
                    ? backendItem() : value(list.getActualTypeArguments()[0], null, null));
            return node;
        }
        Class<?> raw = (Class<?>) type;
        if (raw == String.class || raw == Path.class || raw == URI.class || raw == InetSocketAddress.class
                || raw == AddressRange.class) {
            return scalar("string");
        }
        if (raw.isRecord()) {
            return object(raw, true);
        }
        if (raw == Boolean.class) {
            return scalar("boolean");
        }
        if (raw == Integer.class || raw == JsonNode.class) {
            ObjectNode node = scalar("integer");
            if (range != null) {
                node.put("minimum", range.min()).put("maximum", range.max());
            }
            return node;
        }
        if (raw == Long.class) {
            ObjectNode node = NODES.objectNode();
            node.set("type", types("integer", "string", "null"));
            return node.put("minimum", 0).put("pattern", SIZE);
        }
        if (raw == Duration.class) {
            return scalar("string").put("pattern", DURATION);
        }
        if (raw == Pac.class || raw == ChannelBindingMode.class || raw == Fail.class) {
            return choice(raw);
        }
        throw new IllegalArgumentException("no schema for " + type + ": add it to ConfigSchema");
    }

    /** A {@code backends} item: a URL, or a mapping with {@code url} and the backend's own settings. */
    private static ObjectNode backendItem() {
        ObjectNode node = NODES.objectNode();
        ArrayNode oneOf = node.putArray("oneOf");
        oneOf.addObject().put("type", "string");
        oneOf.add(object(ProxySections.BackendSection.class, false));
        return node;
    }

    /** An enum by its lower-case names; unquoted {@code off} is read as {@code false} by YAML 1.1 and means off. */
    private static ObjectNode choice(Class<?> type) {
        ObjectNode node = NODES.objectNode();
        ArrayNode values = node.putArray("enum");
        for (Object constant : type.getEnumConstants()) {
            values.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT));
        }
        if (type != Fail.class) {
            values.add(false);
        }
        values.addNull();
        return node;
    }

    private static ObjectNode scalar(String type) {
        ObjectNode node = NODES.objectNode();
        node.set("type", types(type, "null"));
        return node;
    }

    private static ArrayNode types(String... types) {
        ArrayNode array = NODES.arrayNode();
        for (String type : types) {
            array.add(type);
        }
        return array;
    }
}
