package dev.hypha.ml.train.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, bounded reads of a training spec's TOML (as a Jackson tree), shared by the classifier and the language-model
 * specs: every value checked for type and range, unknown keys refused, each error naming the spec and the key.
 */
final class SpecFields {
    private SpecFields() {}

    static void keys(String source, JsonNode node, Set<String> allowed, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw error(source, "unknown key '" + prefix + key + "'; known: " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    static String text(String source, JsonNode node, String key, String fallback) {
        JsonNode v = node.get(key);
        if (v == null && fallback != null) {
            return fallback;
        }
        if (v == null || !v.isTextual() || v.asText().isBlank() || v.asText().length() > 256) {
            throw error(source, "'" + key + "' must be a non-empty string" + (v == null ? " (missing)" : ", found " + v));
        }
        return v.asText();
    }

    static long integer(String source, JsonNode node, String key, Long fallback, long min, long max) {
        JsonNode v = node.get(key);
        if (v == null && fallback != null) {
            return fallback;
        }
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw error(source, "'" + key + "' must be a whole number from " + min + " to " + max + (v == null ? " (missing)" : ", found " + v));
        }
        return v.asLong();
    }

    static float real(String source, JsonNode node, String key, Double fallback, double min, double max) {
        JsonNode v = node.get(key);
        if (v == null && fallback != null) {
            return fallback.floatValue();
        }
        if (v == null || !v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw error(source, "'" + key + "' must be a number from " + min + " to " + max + (v == null ? " (missing)" : ", found " + v));
        }
        return (float) v.asDouble();
    }

    static HyphaException error(String source, String what) {
        return new HyphaException(ErrorCategory.INPUT, "training spec " + source + ": " + what);
    }
}
