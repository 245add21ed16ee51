package dev.hypha.ml.chat;

import java.util.Collection;
import java.util.Map;

/**
 * JSON as Python's {@code json.dumps(x, ensure_ascii=False)} writes it (", " and ": " separators, or newlines and
 * {@code indent} spaces when indenting), which is what Hugging Face's {@code tojson} filter produces, so templates that
 * embed tool schemas render byte-identically. Jinjava's own {@code tojson} uses compact separators.
 */
final class PythonJson {
    private PythonJson() {}

    static String dumps(Object value, int indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int indent, int level) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Integer i -> sb.append(i);
            case Long l -> sb.append(l);
            case Short s -> sb.append(s);
            case Byte b -> sb.append(b);
            case Double d -> sb.append(pythonFloat(d));
            case Float f -> sb.append(pythonFloat(f.doubleValue()));
            case Number n -> sb.append(n);
            case CharSequence s -> string(sb, s.toString());
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    sb.append(first ? "" : ",");
                    newline(sb, indent, level + 1, first);
                    first = false;
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    write(sb, e.getValue(), indent, level + 1);
                }
                newline(sb, indent, level, false);
                sb.append('}');
            }
            case Collection<?> c -> array(sb, c.toArray(), indent, level);
            case Object[] a -> array(sb, a, indent, level);
            default -> string(sb, v.toString());
        }
    }

    private static void array(StringBuilder sb, Object[] a, int indent, int level) {
        if (a.length == 0) {
            sb.append("[]");
            return;
        }
        sb.append('[');
        for (int i = 0; i < a.length; i++) {
            sb.append(i == 0 ? "" : ",");
            newline(sb, indent, level + 1, i == 0);
            write(sb, a[i], indent, level + 1);
        }
        newline(sb, indent, level, false);
        sb.append(']');
    }

    private static void newline(StringBuilder sb, int indent, int level, boolean first) {
        if (indent > 0) {
            TemplateSandbox.requireLength(sb.length() + 1L + (long) indent * level); // before it allocates
            sb.append('\n').append(" ".repeat(indent * level));
        } else if (!first && level >= 0 && sb.charAt(sb.length() - 1) == ',') {
            sb.append(' ');
        }
    }

    private static String pythonFloat(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        return Double.toString(d);
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
