package dev.hypha.ml.train.run;

import static dev.hypha.ml.train.run.SpecFields.error;
import static dev.hypha.ml.train.run.SpecFields.integer;
import static dev.hypha.ml.train.run.SpecFields.keys;
import static dev.hypha.ml.train.run.SpecFields.real;
import static dev.hypha.ml.train.run.SpecFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.train.DecoderConfig;
import java.io.IOException;
import java.util.Set;

/**
 * A decoder language-model training job as data: the corpus, the tokenizer to train on it, the decoder's shape,
 * hyper-parameters, seed, steps, checkpoint and evaluation intervals, and the GGUF type of the export. A spec is a
 * language-model spec when it has a {@code [decoder]} table ({@link #isLanguageModel}); otherwise it is a
 * {@link TrainSpec}. Every key is checked as {@link TrainSpecParser} does.
 *
 * <pre>
 * name = "hypha-tiny"
 * corpus = "fortunes-chat"     # Debian's fortunes as chat turns (FortuneChats)
 * dataset = "bafk..."          # optional: the conversations come from this text dataset (imported with --documents
 *                              # fortune; topic = file name) and its recorded split, instead of /usr/share/games/fortunes
 * seed = 1
 * steps = 6000
 * batch = 16                   # sequences per step
 * sequence_length = 128        # tokens per sequence
 * checkpoint_every = 250
 * eval_every = 250
 * eval_windows = 64            # held-out windows scored at each evaluation
 * held_out_every = 20          # every n-th conversation held out
 * [tokenizer]
 * kind = "byte-bpe-chatml"     # byte-level BPE trained on the corpus, ChatML special tokens and template
 * vocab_size = 3072
 * [decoder]
 * architecture = "llama"
 * dim = 192, ffn_dim = 512, layers = 4, heads = 6, kv_heads = 2, head_dim = 32, context_length = 256
 * rope_base = 10000.0, rms_eps = 1e-5
 * [optimizer]                  # AdamW, warm-up then cosine
 * learning_rate = 0.003, min_learning_rate = 0.0003, warmup_steps = 200, weight_decay = 0.1, clip_norm = 1.0
 * beta1 = 0.9, beta2 = 0.95, epsilon = 1e-8
 * [export]
 * type = "q8_0"                # or "f32", "f16"
 * </pre>
 */
public record LanguageModelSpec(
        String name,
        String corpus,
        long seed,
        long steps,
        int batch,
        int sequenceLength,
        long checkpointEvery,
        long evalEvery,
        int evalWindows,
        int heldOutEvery,
        String tokenizerKind,
        int vocabSize,
        DecoderConfig decoder,
        TrainSpec.OptimizerSpec optimizer,
        GgmlType exportType,
        String dataset) {

    private static final Set<String> TOP = Set.of("name", "corpus", "dataset", "seed", "steps", "batch", "sequence_length", "checkpoint_every",
            "eval_every", "eval_windows", "held_out_every", "tokenizer", "decoder", "optimizer", "export");
    private static final Set<String> TOKENIZER = Set.of("kind", "vocab_size");
    private static final Set<String> DECODER = Set.of("architecture", "dim", "ffn_dim", "layers", "heads", "kv_heads", "head_dim",
            "context_length", "rope_base", "rms_eps");
    private static final Set<String> OPTIMIZER = Set.of("learning_rate", "min_learning_rate", "warmup_steps", "weight_decay",
            "beta1", "beta2", "epsilon", "clip_norm");
    private static final Set<String> EXPORT = Set.of("type");

    /** True when {@code toml} parses and has a {@code [decoder]} table. */
    public static boolean isLanguageModel(byte[] toml) {
        try {
            JsonNode root = new TomlMapper().readTree(toml);
            return root != null && root.path("decoder").isObject();
        } catch (IOException e) {
            return false;
        }
    }

    public static LanguageModelSpec parse(String source, byte[] toml) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (IOException e) {
            throw error(source, "is not valid TOML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw error(source, "is empty");
        }
        keys(source, root, TOP, "");
        String name = text(source, root, "name", null);
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,127}")) {
            throw error(source, "name '" + name + "' must be 1-128 lower-case letters, digits, '.', '_' or '-'");
        }
        String corpus = text(source, root, "corpus", null);
        if (!corpus.equals("fortunes-chat")) {
            throw error(source, "corpus must be \"fortunes-chat\" (Debian's fortunes as chat turns), found \"" + corpus + "\"");
        }
        JsonNode tok = table(source, root, "tokenizer");
        keys(source, tok, TOKENIZER, "tokenizer.");
        String kind = text(source, tok, "kind", null);
        if (!kind.equals("byte-bpe-chatml")) {
            throw error(source, "tokenizer.kind must be \"byte-bpe-chatml\", found \"" + kind + "\"");
        }
        int vocab = (int) integer(source, tok, "vocab_size", null, 260, 65_536);
        JsonNode d = table(source, root, "decoder");
        keys(source, d, DECODER, "decoder.");
        String arch = text(source, d, "architecture", "llama");
        if (!arch.equals("llama")) {
            throw error(source, "decoder.architecture must be \"llama\", found \"" + arch + "\"");
        }
        DecoderConfig config;
        try {
            config = new DecoderConfig(Architecture.LLAMA, (int) integer(source, d, "dim", null, 2, 8192),
                    (int) integer(source, d, "ffn_dim", null, 1, 32768), (int) integer(source, d, "layers", null, 1, 128),
                    (int) integer(source, d, "heads", null, 1, 256), (int) integer(source, d, "kv_heads", null, 1, 256),
                    (int) integer(source, d, "head_dim", null, 2, 1024), vocab,
                    (int) integer(source, d, "context_length", null, 2, 1 << 20), real(source, d, "rms_eps", 1e-5, 1e-12, 1),
                    real(source, d, "rope_base", 10000.0, 1, 1e9));
        } catch (IllegalArgumentException e) {
            throw error(source, e.getMessage());
        }
        long steps = integer(source, root, "steps", null, 1, 1_000_000_000L);
        JsonNode opt = table(source, root, "optimizer");
        keys(source, opt, OPTIMIZER, "optimizer.");
        float lr = real(source, opt, "learning_rate", null, 1e-9, 10);
        TrainSpec.OptimizerSpec optimizer = new TrainSpec.OptimizerSpec("adamw", lr,
                real(source, opt, "min_learning_rate", 0.0, 0, lr), integer(source, opt, "warmup_steps", 0L, 0, steps),
                real(source, opt, "weight_decay", 0.0, 0, 1), real(source, opt, "beta1", 0.9, 0, 0.999999),
                real(source, opt, "beta2", 0.95, 0, 0.999999), real(source, opt, "epsilon", 1e-8, 1e-12, 1), 0f,
                real(source, opt, "clip_norm", 1.0, 0, 1e6));
        GgmlType export = GgmlType.Q8_0;
        if (root.has("export")) {
            JsonNode e = table(source, root, "export");
            keys(source, e, EXPORT, "export.");
            export = switch (text(source, e, "type", "q8_0")) {
                case "q8_0" -> GgmlType.Q8_0;
                case "f16" -> GgmlType.F16;
                case "f32" -> GgmlType.F32;
                default -> throw error(source, "export.type must be \"q8_0\", \"f16\" or \"f32\"");
            };
        }
        int sequenceLength = (int) integer(source, root, "sequence_length", null, 2, config.contextLength());
        String dataset = root.has("dataset") ? text(source, root, "dataset", null) : "";
        if (!dataset.isEmpty() && root.has("held_out_every")) {
            throw error(source, "held_out_every does not go with dataset: the dataset's recorded test split is what is held out");
        }
        return new LanguageModelSpec(name, corpus, integer(source, root, "seed", null, Long.MIN_VALUE, Long.MAX_VALUE), steps,
                (int) integer(source, root, "batch", null, 1, 65_536), sequenceLength,
                integer(source, root, "checkpoint_every", 0L, 0, 1_000_000_000L), integer(source, root, "eval_every", 0L, 0, 1_000_000_000L),
                (int) integer(source, root, "eval_windows", 64L, 1, 100_000), (int) integer(source, root, "held_out_every", 20L, 2, 1_000_000),
                kind, vocab, config, optimizer, export, dataset);
    }

    private static JsonNode table(String source, JsonNode root, String key) {
        JsonNode t = root.path(key);
        if (!t.isObject()) {
            throw error(source, "needs a [" + key + "] table");
        }
        return t;
    }
}
