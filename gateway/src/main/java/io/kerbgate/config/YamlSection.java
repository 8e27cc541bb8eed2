package io.kerbgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A YAML mapping under a key path ({@code ""} for the top level), whose keys were checked against the valid ones when
 * it was made: an unknown key fails at once, with the closest valid key as a suggestion.
 */
record YamlSection(String path, JsonNode node) {

    static YamlSection of(String path, @Nullable JsonNode node, List<String> validKeys) throws ConfigException {
        String where = path.isEmpty() ? "top-level keys" : "keys under '" + path + "'";
        if (node == null || node.isNull()) {
            return new YamlSection(path, JsonNodeFactory.instance.objectNode());
        }
        if (!node.isObject()) {
            throw new ConfigException(path, (path.isEmpty() ? "the file" : ConfigValues.describe(node))
                    + " is not a mapping of keys", "write it as key: value lines; valid " + where + ": "
                    + String.join(", ", validKeys));
        }
        for (var names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!validKeys.contains(name)) {
                String suggestion = closest(name, validKeys);
                throw new ConfigException(path.isEmpty() ? name : path + "." + name, "unknown key",
                        (suggestion == null ? "" : "did you mean " + suggestion + "? ")
                                + "valid " + where + ": " + String.join(", ", validKeys));
            }
        }
        return new YamlSection(path, node);
    }

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** True when the key is present with a value; {@code key:} with nothing after it means "the default". */
    boolean has(String name) {
        return get(name) != null;
    }

    @Nullable JsonNode get(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    JsonNode require(String name, String fix) throws ConfigException {
        JsonNode value = get(name);
        if (value == null) {
            throw new ConfigException(key(name), "is missing", fix);
        }
        return value;
    }

    YamlSection section(String name, List<String> validKeys) throws ConfigException {
        return YamlSection.of(key(name), get(name), validKeys);
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
