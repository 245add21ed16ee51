package dev.hypha.ml.tokenizer;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufValue;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The three tokens a code model was trained to fill in the middle with (prefix, suffix, middle), found as llama.cpp
 * finds them: the {@code tokenizer.ggml.fim_*_token_id} keys (or their older {@code prefix/suffix/middle_token_id}
 * names), else the token texts the common families use ({@code <|fim_prefix|>} in Qwen2.5-Coder and StarCoder 2,
 * {@code <fim-prefix>}, {@code <PRE>} in CodeLlama, ...). A model without all three cannot fill in the middle: Ollama
 * then lacks the "insert" capability and refuses a {@code suffix}.
 *
 * @param prefix the token before the text that comes first
 * @param suffix the token before the text that comes after the gap
 * @param middle the token after which the model writes the gap
 */
public record FimTokens(int prefix, int suffix, int middle) {
    private static final List<String> PREFIX_TEXTS = List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<PRE>",
            "▁<PRE>", "<|code_prefix|>");
    private static final List<String> SUFFIX_TEXTS = List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<SUF>",
            "▁<SUF>", "<|code_suffix|>");
    private static final List<String> MIDDLE_TEXTS = List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<MID>",
            "▁<MID>", "<|code_middle|>");

    /** The model's fill-in-the-middle tokens, or empty when it has not all three (ids outside the vocabulary count as none). */
    public static Optional<FimTokens> of(GgufFile gguf) {
        List<GgufValue> tokens = gguf.metadata().get("tokenizer.ggml.tokens") instanceof GgufValue.Array a
                ? a.elements() : List.of();
        OptionalInt prefix = find(gguf, tokens, "fim_pre_token_id", "prefix_token_id", PREFIX_TEXTS);
        OptionalInt suffix = find(gguf, tokens, "fim_suf_token_id", "suffix_token_id", SUFFIX_TEXTS);
        OptionalInt middle = find(gguf, tokens, "fim_mid_token_id", "middle_token_id", MIDDLE_TEXTS);
        if (prefix.isEmpty() || suffix.isEmpty() || middle.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new FimTokens(prefix.getAsInt(), suffix.getAsInt(), middle.getAsInt()));
    }

    private static OptionalInt find(GgufFile gguf, List<GgufValue> tokens, String key, String oldKey, List<String> texts) {
        for (String k : List.of(key, oldKey)) {
            Optional<Long> id = gguf.integer("tokenizer.ggml." + k);
            if (id.isPresent()) {
                long v = id.get();
                return v >= 0 && v < tokens.size() ? OptionalInt.of((int) v) : OptionalInt.empty();
            }
        }
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) instanceof GgufValue.Str s && texts.contains(s.value())) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }
}
