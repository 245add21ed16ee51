package dev.hypha.node.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.train.LoraSettings;
import dev.hypha.ml.train.run.LoraFinetune;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * The LoRA fine-tuning form of a job spec ({@code hypha finetune} as data): a base model and training data by content
 * id, the adapter's settings and the run's hyper-parameters. Read as hostile input: unknown keys are errors, every
 * number is bounded, messages name the key.
 *
 * <pre>
 * kind = "lora-finetune"
 * name = "hypha-tiny-tuned"
 * base_model = "bafk..."        # the base GGUF's content id (llama family)
 * data = "bafk..."              # the training data's content id
 * data_asset = 7                # optional (compute-to-data): the data is sealed asset 7, opened for the lease holder only
 * data_format = "jsonl"         # chat JSONL ({"messages": [...]}) or "text" (documents at blank lines)
 * rank = 8
 * alpha = 16.0                  # optional: 2 x rank
 * targets = "q,v"               # optional: q,v; "all" for the seven projections
 * steps = 150
 * batch = 4
 * sequence_length = 64
 * learning_rate = 0.01
 * seed = 1
 * checkpoint_every = 50
 * </pre>
 */
public record FinetuneSpec(String name, ContentId baseModel, ContentId data, String dataFormat, LoraFinetune.Options options,
                           long dataAsset) {
    /** The value of {@code kind} that marks this form. */
    public static final String KIND = "lora-finetune";
    private static final Set<String> KEYS = Set.of("kind", "name", "base_model", "data", "data_format", "rank", "alpha",
            "targets", "steps", "batch", "sequence_length", "learning_rate", "seed", "checkpoint_every", "data_asset");

    /** Whether a TOML tree is the fine-tuning form (it has a top-level {@code kind}). */
    static boolean isFinetune(JsonNode root) {
        return root != null && root.isObject() && root.has("kind");
    }

    /** The base model's content id (a short name for logs). */
    public ContentId base() {
        return baseModel;
    }

    /** The file name the data is read under (the data reader decides its format by the extension). */
    public String dataFileName() {
        return dataFormat.equals("jsonl") ? "data.jsonl" : "data.txt";
    }

    static FinetuneSpec parse(String source, byte[] toml, JobLimits limits) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (IOException e) {
            throw HyphaException.input("job spec " + source + " is not valid TOML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw HyphaException.input("job spec " + source + ": unknown key '" + abbreviate(k) + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        String kind = text(source, root, "kind");
        if (!kind.equals(KIND)) {
            throw HyphaException.input("job spec " + source + ": kind must be \"" + KIND + "\", found \"" + abbreviate(kind) + "\"");
        }
        String name = text(source, root, "name");
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,127}")) {
            throw HyphaException.input("job spec " + source + ": name must be 1-128 lower-case letters, digits, '.', '_' or '-'");
        }
        String format = root.has("data_format") ? text(source, root, "data_format") : "jsonl";
        if (!format.equals("jsonl") && !format.equals("text")) {
            throw HyphaException.input("job spec " + source + ": data_format must be \"jsonl\" or \"text\"");
        }
        int rank = (int) integer(source, root, "rank", null, 1, 256);
        double alpha = root.has("alpha") ? real(source, root, "alpha", 1e-6, 1e6) : 2.0 * rank;
        Set<LoraTarget> targets;
        try {
            targets = root.has("targets") ? LoraTarget.parse(text(source, root, "targets")) : LoraSettings.DEFAULT_TARGETS;
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("job spec " + source + ": targets: " + e.getMessage());
        }
        long steps = integer(source, root, "steps", null, 1, limits.maxSteps());
        long checkpointEvery = integer(source, root, "checkpoint_every", null, 1, Math.min(steps, Integer.MAX_VALUE));
        LoraFinetune.Options options;
        try {
            options = new LoraFinetune.Options(new LoraSettings(rank, (float) alpha, targets), steps,
                    (int) integer(source, root, "batch", null, 1, limits.maxBatch()),
                    (int) integer(source, root, "sequence_length", null, 1, 4096),
                    (float) real(source, root, "learning_rate", 1e-9, 1), integer(source, root, "seed", 0L, Long.MIN_VALUE, Long.MAX_VALUE),
                    1f, (int) checkpointEvery);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("job spec " + source + ": " + e.getMessage());
        }
        // Compute-to-data: the data is sealed asset data_asset, opened only for the provider holding this job's lease.
        long dataAsset = root.has("data_asset") ? integer(source, root, "data_asset", null, 1, Long.MAX_VALUE) : 0;
        return new FinetuneSpec(name, contentId(source, root, "base_model"), contentId(source, root, "data"), format, options,
                dataAsset);
    }

    private static ContentId contentId(String source, JsonNode root, String key) {
        String t = text(source, root, key);
        try {
            return ContentId.parse(t);
        } catch (RuntimeException e) {
            throw HyphaException.input("job spec " + source + ": " + key + " must be a content id (bafk...), found '" + abbreviate(t) + "'");
        }
    }

    private static String text(String source, JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || !n.isTextual() || n.asText().length() > 256) {
            throw HyphaException.input("job spec " + source + ": " + key + " must be a string of at most 256 characters");
        }
        return n.asText();
    }

    private static long integer(String source, JsonNode root, String key, Long fallback, long min, long max) {
        JsonNode n = root.get(key);
        if (n == null && fallback != null) {
            return fallback;
        }
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            throw HyphaException.input("job spec " + source + ": " + key + " must be a whole number from " + min + " to " + max);
        }
        return n.asLong();
    }

    private static double real(String source, JsonNode root, String key, double min, double max) {
        JsonNode n = root.get(key);
        if (n == null || !n.isNumber() || !(n.asDouble() >= min) || n.asDouble() > max) {
            throw HyphaException.input("job spec " + source + ": " + key + " must be a number from " + min + " to " + max);
        }
        return n.asDouble();
    }

    private static String abbreviate(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() <= 64 ? p : p.substring(0, 64) + "...";
    }
}
