package routes.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The queries inside an alert expression that must have a value for the alert to mean anything: the
 * operands of its top-level set operators ({@code or}, {@code and}, {@code unless}) and comparisons,
 * without the number thresholds. {@code ingest_queue_depth > 5000} is empty while the alert is quiet,
 * {@code ingest_queue_depth} must not be. Only splits the expression: Prometheus evaluates every piece.
 */
final class AlertOperands {

    /** Lowest precedence first, as PromQL binds them. */
    private static final List<List<String>> LEVELS = List.of(List.of("or"), List.of("and", "unless"),
            List.of("==", "!=", ">=", "<=", ">", "<"));
    private static final Set<String> MODIFIERS = Set.of("bool", "on", "ignoring", "group_left", "group_right");

    private AlertOperands() {
    }

    static List<String> of(String expression) {
        List<String> operands = new ArrayList<>();
        collect(expression, operands);
        return operands;
    }

    private static void collect(String expression, List<String> operands) {
        String e = withoutModifiers(unwrap(expression.strip()));
        for (List<String> operators : LEVELS) {
            int[] split = findTopLevel(e, operators);
            if (split != null) {
                collect(e.substring(0, split[0]), operands);
                collect(e.substring(split[0] + split[1]), operands);
                return;
            }
        }
        if (!isNumber(e)) {
            operands.add(e);
        }
    }

    /** Position and length of the first operator of {@code operators} outside brackets and strings. */
    private static int[] findTopLevel(String e, List<String> operators) {
        int depth = 0;
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = closingQuote(e, i);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0) {
                for (String op : operators) {
                    if (e.startsWith(op, i) && (!Character.isLetter(op.charAt(0)) || isWord(e, i, op.length()))) {
                        return new int[] {i, op.length()};
                    }
                }
            }
        }
        return null;
    }

    /** Drops {@code bool}, {@code on (...)}, {@code ignoring (...)}, {@code group_left/right (...)} before an operand. */
    private static String withoutModifiers(String e) {
        while (true) {
            String word = e.split("[\\s(]", 2)[0];
            if (!MODIFIERS.contains(word)) {
                return unwrap(e);
            }
            e = e.substring(word.length()).strip();
            if (!word.equals("bool") && e.startsWith("(")) {
                e = e.substring(closingParen(e, 0) + 1).strip();
            }
        }
    }

    /** {@code (x)} → {@code x}, as long as the outer parentheses enclose the whole expression. */
    private static String unwrap(String e) {
        while (e.startsWith("(") && closingParen(e, 0) == e.length() - 1) {
            e = e.substring(1, e.length() - 1).strip();
        }
        return e;
    }

    private static int closingParen(String e, int open) {
        int depth = 0;
        for (int i = open; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = closingQuote(e, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced parentheses: " + e);
    }

    private static int closingQuote(String e, int open) {
        for (int i = open + 1; i < e.length(); i++) {
            if (e.charAt(i) == '\\') {
                i++;
            } else if (e.charAt(i) == e.charAt(open)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unterminated string: " + e);
    }

    private static boolean isWord(String e, int start, int length) {
        boolean before = start == 0 || !isIdentifier(e.charAt(start - 1));
        boolean after = start + length == e.length() || !isIdentifier(e.charAt(start + length));
        return before && after;
    }

    private static boolean isIdentifier(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }

    private static boolean isNumber(String e) {
        try {
            Double.parseDouble(e);
            return true;
        } catch (NumberFormatException notANumber) {
            return false;
        }
    }
}
