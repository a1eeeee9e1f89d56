package routes.pipeline.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import routes.pipeline.validate.InvalidMessageException.FieldError;

/**
 * Text that PostgreSQL stores as given (CONTRACT §1). {@code text} and {@code jsonb} refuse NUL, and
 * the driver writes a lone UTF-16 surrogate (JSON {@code \ud800} without its pair) as {@code ?}: both
 * would be accepted by JSON and fail or change in the database, so both are validation errors.
 */
public final class StorableText {

    private StorableText() {
    }

    /** What keeps {@code text} from being stored as it is, or null when nothing does. */
    public static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return "must not contain NUL (\\u0000)";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must not contain a lone surrogate (\\u" + Integer.toHexString(c) + ")";
            }
        }
        return null;
    }

    /** Whether every character of {@code text} can be stored (the common case, checked without allocating). */
    public static boolean storable(String text) {
        return problem(text) == null;
    }

    /**
     * Adds an error for every string (value or field name) under {@code node} that cannot be stored,
     * each at its JSON path under {@code path}.
     */
    public static void check(JsonNode node, String path, List<FieldError> errors) {
        if (node.isTextual()) {
            String problem = problem(node.textValue());
            if (problem != null) {
                errors.add(new FieldError(path, problem));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), path + "[" + i + "]", errors);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String problem = problem(field.getKey());
                if (problem != null) {
                    errors.add(new FieldError(path, "has a field name that " + problem));
                    continue;
                }
                check(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey(), errors);
            }
        }
    }

    /** Whether every string (value or field name) under {@code node} can be stored. */
    public static boolean storable(JsonNode node) {
        if (node.isTextual()) {
            return storable(node.textValue());
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!storable(field.getKey()) || !storable(field.getValue())) {
                    return false;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (!storable(element)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code text} with every character that cannot be stored written as its JSON escape, for messages. */
    public static String printable(String text) {
        if (storable(text)) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (pair) {
                sb.append(c).append(text.charAt(++i));
            } else if (c == 0 || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
