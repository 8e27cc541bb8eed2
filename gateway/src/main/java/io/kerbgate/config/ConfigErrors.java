package io.kerbgate.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The one mapper from what Jackson throws while reading a file to the {@link ConfigException} the CLI prints: the key
 * path from the top, what is wrong, how to fix it, and for an unknown key the closest valid one.
 *
 * <ul>
 *   <li>a syntax error or a duplicate key ({@link StreamReadException}): the key the parser was in;
 *   <li>an {@link InvalidValue} from a section record or a scalar reader: Jackson's path, then the value's own key;
 *   <li>an {@link UnrecognizedPropertyException}: the keys of the record, in the order the record declares them;
 *   <li>a {@link MismatchedInputException} (a scalar where a mapping or a list belongs): the value as the file has it.
 * </ul>
 */
final class ConfigErrors {

    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private ConfigErrors() {}

    /**
     * @param base the key path of the node that was bound, {@code ""} for the whole file
     * @param node the node that was bound, where a value the binding refused is looked up to be shown
     */
    static ConfigException of(JsonProcessingException e, String base, JsonNode node, SectionBinder.Wording wording) {
        boolean gateway = wording == SectionBinder.Wording.GATEWAY;
        if (e instanceof StreamReadException read) {
            return syntaxError(read);
        }
        if (!(e instanceof DatabindException)) {
            return new ConfigException(base, "cannot be read (" + firstLine(e.getOriginalMessage()) + ")",
                    "check the YAML syntax", e);
        }
        JsonMappingException mapping = (JsonMappingException) e;
        String key = join(base, dotted(mapping.getPath()));
        InvalidValue invalid = invalidValue(e);
        if (invalid != null) {
            ConfigException error = invalid.error();
            return new ConfigException(join(key, error.key()), error.problem(), error.fix(), e);
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            List<String> valid = validKeys(unknown.getReferringClass());
            return gateway ? unknownKey(key, parent(key), valid) : new ConfigException(key, "unknown key", "valid keys"
                    + (parent(key).isEmpty() ? "" : " under " + parent(key)) + ": " + String.join(", ", valid));
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            Class<?> target = mismatch.getTargetType();
            String value = describe(at(node, mapping.getPath()));
            if (target.isRecord()) {
                return gateway ? notAMapping(key, value, validKeys(target)) : new ConfigException(key,
                        key.isEmpty() ? "the file is not a mapping of keys" : "is not a mapping",
                        "valid keys: " + String.join(", ", validKeys(target)));
            }
            if (Collection.class.isAssignableFrom(target)) {
                return new ConfigException(key, gateway ? value + " is not a list" : "must be a non-empty list",
                        fixOf(mapping), e);
            }
        }
        return new ConfigException(key, "cannot be read (" + firstLine(e.getOriginalMessage()) + ")",
                fixOf(mapping), e);
    }

    /** {@code foo: unknown key; did you mean bar? valid keys under 'x': ...}. */
    private static ConfigException unknownKey(String key, String parent, List<String> validKeys) {
        String name = key.substring(parent.isEmpty() ? 0 : parent.length() + 1);
        String suggestion = closest(name, validKeys);
        return new ConfigException(key, "unknown key", (suggestion == null ? "" : "did you mean " + suggestion + "? ")
                + "valid " + where(parent) + ": " + String.join(", ", validKeys));
    }

    private static ConfigException notAMapping(String key, String value, List<String> validKeys) {
        return new ConfigException(key, (key.isEmpty() ? "the file" : value) + " is not a mapping of keys",
                "write it as key: value lines; valid " + where(key) + ": " + String.join(", ", validKeys));
    }

    /** The keys of a section record, as the file writes them, in the record's order. */
    static List<String> validKeys(@Nullable Class<?> type) {
        RecordComponent[] components = type == null ? null : type.getRecordComponents();
        if (components == null) {
            return List.of();
        }
        return Arrays.stream(components).map(c -> SNAKE_CASE.translate(c.getName())).toList();
    }

    static ConfigException syntaxError(StreamReadException e) {
        String key = e.getProcessor() == null ? "" : dotted(e.getProcessor().getParsingContext().pathAsPointer());
        String message = firstLine(e.getOriginalMessage());
        if (message.startsWith("Duplicate field")) {
            return new ConfigException(key, "the key appears twice", "keep one of them", e);
        }
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return new ConfigException(key, "YAML syntax error" + where + " (" + problem(e, message) + ")",
                "quote values that hold [ ] { } # or ': ', e.g. listen: \"[::1]:8080\"", e);
    }

    // SnakeYAML's own message spans several lines with a caret drawing; its "problem" is the one line that matters.
    private static String problem(StreamReadException e, String fallback) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException yaml && yaml.getProblem() != null) {
                return yaml.getProblem();
            }
        }
        return fallback;
    }

    static String firstLine(@Nullable String text) {
        if (text == null) {
            return "";
        }
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }

    private static @Nullable InvalidValue invalidValue(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidValue invalid) {
                return invalid;
            }
        }
        return null;
    }

    /** The fix that the record component at the end of the path declares with {@link Fix}, or a general one. */
    private static String fixOf(JsonMappingException e) {
        List<JsonMappingException.Reference> path = e.getPath();
        for (int i = path.size() - 1; i >= 0; i--) {
            JsonMappingException.Reference reference = path.get(i);
            if (reference.getFieldName() == null) {
                continue;
            }
            Object from = reference.getFrom();
            Class<?> owner = from instanceof Class<?> type ? type : from == null ? null : from.getClass();
            RecordComponent[] components = owner == null ? null : owner.getRecordComponents();
            for (RecordComponent component : components == null ? new RecordComponent[0] : components) {
                Fix fix = component.getAnnotation(Fix.class);
                if (fix != null && SNAKE_CASE.translate(component.getName()).equals(reference.getFieldName())) {
                    return fix.value();
                }
            }
            break;
        }
        return "see the example conf/kerbgate.yaml";
    }

    /** The node at the end of a binding's path, as {@link ConfigValues#describe} shows it. */
    private static String describe(@Nullable JsonNode node) {
        return node == null ? "the value" : ConfigValues.describe(node);
    }

    private static @Nullable JsonNode at(JsonNode root, List<JsonMappingException.Reference> path) {
        JsonNode node = root;
        for (JsonMappingException.Reference reference : path) {
            if (node == null) {
                return null;
            }
            node = reference.getIndex() >= 0 ? node.get(reference.getIndex()) : node.get(reference.getFieldName());
        }
        return node;
    }

    private static String where(String path) {
        return path.isEmpty() ? "top-level keys" : "keys under '" + path + "'";
    }

    private static String parent(String key) {
        int dot = key.lastIndexOf('.');
        return dot < 0 ? "" : key.substring(0, dot);
    }

    static String join(String base, String key) {
        if (base.isEmpty()) {
            return key;
        }
        if (key.isEmpty()) {
            return base;
        }
        return key.startsWith("[") ? base + key : base + "." + key;
    }

    private static String dotted(List<JsonMappingException.Reference> path) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference reference : path) {
            if (reference.getIndex() >= 0) {
                key.append('[').append(reference.getIndex()).append(']');
            } else if (reference.getFieldName() != null) {
                key.append(key.length() == 0 ? "" : ".").append(reference.getFieldName());
            }
        }
        return key.toString();
    }

    static String dotted(JsonPointer pointer) {
        StringBuilder key = new StringBuilder();
        for (JsonPointer p = pointer; p != null && !p.matches(); p = p.tail()) {
            if (p.getMatchingIndex() >= 0) {
                key.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                key.append(key.length() == 0 ? "" : ".").append(p.getMatchingProperty());
            }
        }
        return key.toString();
    }

    private static @Nullable String closest(String name, List<String> candidates) {
        String wanted = name.toLowerCase(Locale.ROOT).replace('-', '_');
        String best = null;
        int bestDistance = Math.max(1, Math.min(3, wanted.length() / 3)) + 1;
        for (String candidate : candidates) {
            int distance = editDistance(wanted, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    // Levenshtein distance, two rows.
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
