package dev.hypha.node.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.GatewayException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Typed reads of request fields. A field of the wrong type is an error naming the field and what it should be
 * (Ollama's Go decoder does the same); {@code null} counts as absent, as it does for both APIs' own servers.
 */
public final class Fields {
    private Fields() {
    }

    private static Optional<JsonNode> present(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    public static String requiredString(ObjectNode o, String field) {
        return string(o, field).orElseThrow(() -> GatewayException.badRequest(field + " is required"));
    }

    public static Optional<String> string(ObjectNode o, String field) {
        return present(o, field).map(n -> {
            if (!n.isTextual()) {
                throw wrongType(field, "a string", n);
            }
            return n.textValue();
        });
    }

    public static Optional<Boolean> bool(ObjectNode o, String field) {
        return present(o, field).map(n -> {
            if (!n.isBoolean()) {
                throw wrongType(field, "true or false", n);
            }
            return n.booleanValue();
        });
    }

    public static OptionalDouble number(ObjectNode o, String field) {
        Optional<JsonNode> n = present(o, field);
        if (n.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (!n.get().isNumber()) {
            throw wrongType(field, "a number", n.get());
        }
        double v = n.get().doubleValue();
        if (!Double.isFinite(v)) {
            throw GatewayException.badRequest(field + " must be a finite number");
        }
        return OptionalDouble.of(v);
    }

    /** An integer; a number with a fraction, or one beyond 64 bits, is refused. */
    public static OptionalLong integer(ObjectNode o, String field) {
        Optional<JsonNode> n = present(o, field);
        if (n.isEmpty()) {
            return OptionalLong.empty();
        }
        JsonNode v = n.get();
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return OptionalLong.of(v.longValue());
        }
        if (v.isFloatingPointNumber() && v.doubleValue() == Math.rint(v.doubleValue())
                && Math.abs(v.doubleValue()) < 0x1p53) {
            return OptionalLong.of((long) v.doubleValue()); // 5.0 is an integer in JSON's eyes
        }
        throw wrongType(field, "an integer", v);
    }

    /** An integer within [min, max]. */
    public static Optional<Integer> intIn(ObjectNode o, String field, long min, long max) {
        OptionalLong v = integer(o, field);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.getAsLong() < min || v.getAsLong() > max) {
            throw GatewayException.badRequest(field + " must be between " + min + " and " + max + ", got " + v.getAsLong());
        }
        return Optional.of((int) v.getAsLong());
    }

    public static Optional<ObjectNode> object(ObjectNode o, String field) {
        return present(o, field).map(n -> {
            if (!(n instanceof ObjectNode obj)) {
                throw wrongType(field, "an object", n);
            }
            return obj;
        });
    }

    /** A string or a list of strings (both APIs accept either for {@code stop} and embedding inputs). */
    public static Optional<List<String>> stringOrStrings(ObjectNode o, String field) {
        return present(o, field).map(n -> {
            if (n.isTextual()) {
                return List.of(n.textValue());
            }
            if (!n.isArray()) {
                throw wrongType(field, "a string or a list of strings", n);
            }
            List<String> out = new ArrayList<>(n.size());
            for (int i = 0; i < n.size(); i++) {
                if (!n.get(i).isTextual()) {
                    throw wrongType(field + "[" + i + "]", "a string", n.get(i));
                }
                out.add(n.get(i).textValue());
            }
            return out;
        });
    }

    public static GatewayException wrongType(String field, String expected, JsonNode got) {
        return GatewayException.badRequest(field + " must be " + expected + ", got " + kind(got));
    }

    /** The JSON kind of a value, in words. */
    public static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
