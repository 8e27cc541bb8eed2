package io.kerbgate.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.util.Collection;
import java.util.Iterator;

/**
 * Refuses an unknown key of a section record before the record is built. Jackson binds a record through its
 * constructor and reports unknown keys only after it: a typo ({@code url:} for {@code uri:}) would then surface as the
 * key it replaced being missing, not as itself, with its suggestion.
 */
final class KnownKeysFirst extends DelegatingDeserializer {

    KnownKeysFirst(JsonDeserializer<?> delegate) {
        super(delegate);
    }

    /** Puts {@link KnownKeysFirst} in front of the deserializer of every record. */
    static BeanDeserializerModifier modifier() {
        return new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                    JsonDeserializer<?> deserializer) {
                return description.getBeanClass().isRecord() ? new KnownKeysFirst(deserializer) : deserializer;
            }
        };
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
        return new KnownKeysFirst(newDelegatee);
    }

    /** A {@code null} list item stays {@code null}, for the record that holds the list to refuse with its own words. */
    @Override
    public Object getEmptyValue(DeserializationContext ctxt) {
        return null;
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return super.deserialize(p, ctxt);
        }
        JsonNode node = ctxt.readTree(p);
        Collection<Object> known = _delegatee.getKnownPropertyNames();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw UnrecognizedPropertyException.from(p, handledType(), name, known);
            }
        }
        try (JsonParser tree = node.traverse(p.getCodec())) {
            tree.nextToken();
            return _delegatee.deserialize(tree, ctxt);
        }
    }
}
