package dev.hypha.node.gateway.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import java.util.ArrayList;
import java.util.List;

/**
 * A provider's Ollama {@code /api/embed} answer read as {@link Embeddings}, checked as hostile input: exactly one vector
 * per input, every vector of the same length (1 to {@value #MAX_DIMENSIONS}), every element a finite number that fits a
 * float, and a non-negative token count. The body itself is bounded by its reader (16 MiB).
 */
final class EmbedAnswer {
    /** Longest vector accepted: far beyond any embedding model's width (a few thousand). */
    static final int MAX_DIMENSIONS = 1 << 16;

    private EmbedAnswer() {}

    /** @param inputs how many inputs the request had (the number of vectors the answer must hold) */
    static Embeddings parse(byte[] body, int inputs, String from) {
        return parse(ProviderAnswer.object(body), inputs, from);
    }

    /** As above, for an answer already parsed. */
    static Embeddings parse(JsonNode o, int inputs, String from) {
        JsonNode list = o.get("embeddings");
        if (list == null || !list.isArray()) {
            throw bad(from, "has no embeddings list");
        }
        if (list.size() != inputs) {
            throw bad(from, "holds " + list.size() + " vectors for " + inputs + " inputs");
        }
        List<float[]> vectors = new ArrayList<>(inputs);
        for (int i = 0; i < list.size(); i++) {
            JsonNode v = list.get(i);
            if (!v.isArray() || v.isEmpty() || v.size() > MAX_DIMENSIONS) {
                throw bad(from, "vector " + i + " is not a list of 1 to " + MAX_DIMENSIONS + " numbers");
            }
            if (i > 0 && v.size() != vectors.getFirst().length) {
                throw bad(from, "vector " + i + " has " + v.size() + " dimensions, vector 0 has "
                        + vectors.getFirst().length);
            }
            float[] f = new float[v.size()];
            for (int k = 0; k < f.length; k++) {
                JsonNode x = v.get(k);
                f[k] = x.isNumber() ? x.floatValue() : Float.NaN;
                if (!Float.isFinite(f[k])) {
                    throw bad(from, "vector " + i + " element " + k + " is not a finite float: " + x);
                }
            }
            vectors.add(f);
        }
        JsonNode tokens = o.get("prompt_eval_count");
        if (tokens == null || !tokens.isIntegralNumber() || !tokens.canConvertToInt() || tokens.intValue() < 0) {
            throw bad(from, "prompt_eval_count must be a non-negative integer");
        }
        return new Embeddings(vectors, tokens.intValue(), nanos(o, "load_duration"), nanos(o, "total_duration"));
    }

    private static long nanos(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n != null && n.isIntegralNumber() && n.canConvertToLong() ? Math.max(0, n.longValue()) : 0;
    }

    private static GatewayException bad(String from, String what) {
        return new GatewayException(GatewayException.Kind.INTERNAL, from + "'s embeddings answer " + what);
    }
}
