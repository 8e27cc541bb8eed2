package io.kerbgate.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;

/**
 * Reads one value of a file from its YAML node, as the file has it (no coercion). A {@link ConfigException} from
 * {@link #convert}, made with the key {@code ""}, becomes an {@link InvalidValue}, to which {@link SectionBinder}
 * adds the key path.
 */
public abstract class NodeReader<T> extends JsonDeserializer<T> {

    @Override
    public final T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode node = ctxt.readTree(p);
        try {
            return convert(node, ctxt);
        } catch (ConfigException e) {
            throw InvalidValue.of(e);
        }
    }

    /**
     * A {@code null} list item, which {@link SectionBinder} reads as "empty": refused as any other value of the wrong
     * kind. (A key with no value, a {@code null} property, means the record's default, as if it were absent.)
     */
    @Override
    public T getEmptyValue(DeserializationContext ctxt) {
        try {
            return convert(NullNode.getInstance(), ctxt);
        } catch (ConfigException e) {
            throw InvalidValue.of(e);
        }
    }

    protected abstract T convert(JsonNode node, DeserializationContext ctxt) throws ConfigException;
}
