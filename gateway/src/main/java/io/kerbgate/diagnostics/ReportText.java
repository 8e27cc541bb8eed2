package io.kerbgate.diagnostics;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Renders a report tree as indented text: {@code key: value} lines, nested objects indented under their key, lists
 * of plain values joined with commas, lists of objects one item per line. Keys lose their underscores. The same tree
 * printed with {@code --json} is the machine form, so the two never disagree.
 */
public final class ReportText {
    private static final String INDENT = "  ";

    private ReportText() {}

    public static String render(JsonNode report) {
        StringBuilder out = new StringBuilder();
        object(report, 0, out);
        return out.toString();
    }

    private static void object(JsonNode node, int depth, StringBuilder out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey().replace('_', ' ');
            JsonNode value = field.getValue();
            out.append(INDENT.repeat(depth)).append(key).append(':');
            if (value.isObject()) {
                out.append('\n');
                object(value, depth + 1, out);
            } else if (value.isArray()) {
                array(value, depth, out);
            } else {
                out.append(' ').append(value.asText()).append('\n');
            }
        }
    }

    private static void array(JsonNode array, int depth, StringBuilder out) {
        if (array.isEmpty()) {
            out.append(" (none)\n");
            return;
        }
        boolean scalars = true;
        for (JsonNode item : array) {
            scalars &= item.isValueNode();
        }
        if (scalars && array.size() <= 8) {
            List<String> texts = new ArrayList<>();
            array.forEach(item -> texts.add(item.asText()));
            String joined = String.join(", ", texts);
            if (joined.length() <= 100) {
                out.append(' ').append(joined).append('\n');
                return;
            }
        }
        out.append('\n');
        int n = 1;
        for (JsonNode item : array) {
            out.append(INDENT.repeat(depth + 1)).append(n++).append(". ");
            if (item.isObject() && allValues(item)) {
                List<String> parts = new ArrayList<>();
                item.fields().forEachRemaining(f -> parts.add(f.getValue().asText()));
                out.append(parts.size() == 2 ? parts.get(0) + " (" + parts.get(1) + ")" : String.join(", ", parts));
                out.append('\n');
            } else if (item.isObject()) {
                out.append('\n');
                object(item, depth + 2, out);
            } else {
                out.append(item.asText()).append('\n');
            }
        }
    }

    private static boolean allValues(JsonNode object) {
        for (JsonNode value : object) {
            if (!value.isValueNode()) {
                return false;
            }
        }
        return true;
    }
}
