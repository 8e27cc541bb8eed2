package io.kerbgate.config;

import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The readers of scalar values for the section records: each takes the YAML node as it is (no coercion: a quoted
 * {@code "true"} is not a boolean, a number is not a string) and refuses it with the message of {@link ConfigValues}.
 * A record component chooses its reader by type, or by {@code @JsonDeserialize(using = ...)} when a string has a
 * grammar of its own (a header name, a principal); {@link Fix} and {@link Range} give the per-key parts of a message.
 */
final class Scalars {

    /** The context attribute that holds the directory relative paths resolve against. */
    static final String BASE_DIR = "kerbgate.baseDir";

    private Scalars() {}

    /** The bounds of a whole number, both inclusive. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD})
    @interface Range {
        int min();

        int max();
    }

    /**
     * The readers of String, Boolean, Integer and Duration, which every section record uses, and the check of unknown
     * keys that runs before a record is built ({@link KnownKeysFirst}).
     */
    static SimpleModule module() {
        return new SimpleModule("kerbgate-scalars")
                .addDeserializer(String.class, new Text(""))
                .addDeserializer(Boolean.class, new Bool())
                .addDeserializer(Integer.class, new WholeNumber(Integer.MIN_VALUE, Integer.MAX_VALUE))
                .addDeserializer(Duration.class, new DurationValue())
                .setDeserializerModifier(KnownKeysFirst.modifier());
    }

    static final class Text extends NodeReader<String> implements ContextualDeserializer {
        private final String fix;

        Text(String fix) {
            this.fix = fix;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, @Nullable BeanProperty property) {
            Fix annotated = property == null ? null : property.getAnnotation(Fix.class);
            return annotated == null ? this : new Text(annotated.value());
        }

        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.text("", node, fix);
        }
    }

    static final class Bool extends NodeReader<Boolean> {
        @Override
        protected Boolean convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.bool("", node);
        }
    }

    static final class WholeNumber extends NodeReader<Integer> implements ContextualDeserializer {
        private final int min;
        private final int max;

        WholeNumber(int min, int max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, @Nullable BeanProperty property) {
            Range range = property == null ? null : property.getAnnotation(Range.class);
            return range == null ? this : new WholeNumber(range.min(), range.max());
        }

        @Override
        protected Integer convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.integer("", node, min, max);
        }
    }

    static final class DurationValue extends NodeReader<Duration> {
        @Override
        protected Duration convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.duration("", node);
        }
    }

    /** {@code 98304}, {@code 96KiB}, {@code 1MiB}. */
    static final class ByteSize extends NodeReader<Long> {
        @Override
        protected Long convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.byteSize("", node);
        }
    }

    /** {@code host:port}, resolved now. */
    static final class Address extends NodeReader<InetSocketAddress> {
        @Override
        protected InetSocketAddress convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.address("", node);
        }
    }

    /** A backend base URL, {@code http://host:port}. */
    static final class BackendUrl extends NodeReader<URI> {
        @Override
        protected URI convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.backend("", node);
        }
    }

    static final class HeaderName extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.headerName("", node);
        }
    }

    /** A service principal, {@code HTTP/host@REALM}. */
    static final class Principal extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.principal("", node);
        }
    }

    /** A client principal, {@code name@REALM}. */
    static final class ClientPrincipal extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.clientPrincipal("", node);
        }
    }

    static final class Realm extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.realm("", node);
        }
    }

    static final class HostName extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return ConfigValues.hostName("", node);
        }
    }

    /**
     * A path resolved against the config file's directory; whether it must exist, and as what, is the record's check.
     */
    static final class ResolvedPath extends NodeReader<Path> implements ContextualDeserializer {
        private final String fix;

        ResolvedPath() {
            this("");
        }

        private ResolvedPath(String fix) {
            this.fix = fix;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, @Nullable BeanProperty property) {
            Fix annotated = property == null ? null : property.getAnnotation(Fix.class);
            return annotated == null ? this : new ResolvedPath(annotated.value());
        }

        @Override
        protected Path convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            return resolvedPath(node, ctxt, fix);
        }
    }

    /** The node's text as a path against the config file's directory; {@code fix} when it is no path. */
    static Path resolvedPath(JsonNode node, DeserializationContext ctxt, String fix) throws ConfigException {
        String text = ConfigValues.text("", node, fix);
        try {
            return baseDir(ctxt).toAbsolutePath().resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException("", ConfigValues.quote(text) + " is not a file path", fix);
        }
    }

    static Path baseDir(DeserializationContext ctxt) {
        return (Path) ctxt.getAttribute(BASE_DIR);
    }
}
