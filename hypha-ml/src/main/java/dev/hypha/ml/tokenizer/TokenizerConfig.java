package dev.hypha.ml.tokenizer;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufFormatException;
import dev.hypha.ml.gguf.GgufWriter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The tokenizer part of a GGUF file's metadata ({@code tokenizer.ggml.*} and {@code tokenizer.chat_template}).
 * Absent optional keys stay empty, so {@link Vocab} can apply llama.cpp's per-model defaults.
 *
 * @param model          {@code tokenizer.ggml.model}: "llama" (SentencePiece) or "gpt2" (byte-level BPE)
 * @param pre            {@code tokenizer.ggml.pre}: the BPE pre-tokenizer name ("llama-bpe", "qwen2", "gpt-2", ...)
 * @param tokens         {@code tokenizer.ggml.tokens}, indexed by token id
 * @param scores         {@code tokenizer.ggml.scores}, same length as tokens, or empty when absent (all 0)
 * @param tokenTypes     {@code tokenizer.ggml.token_type} ({@link TokenType} ids), same length, or empty (all normal)
 * @param merges         {@code tokenizer.ggml.merges} ("left right", rank = index); empty for SentencePiece
 * @param bos            {@code tokenizer.ggml.bos_token_id}
 * @param eos            {@code tokenizer.ggml.eos_token_id}
 * @param unk            {@code tokenizer.ggml.unknown_token_id}
 * @param pad            {@code tokenizer.ggml.padding_token_id}
 * @param eot            {@code tokenizer.ggml.eot_token_id}
 * @param addBos         {@code tokenizer.ggml.add_bos_token}
 * @param addEos         {@code tokenizer.ggml.add_eos_token}
 * @param addSpacePrefix {@code tokenizer.ggml.add_space_prefix}
 * @param chatTemplate   {@code tokenizer.chat_template} (Jinja)
 */
public record TokenizerConfig(
        String model,
        Optional<String> pre,
        List<String> tokens,
        float[] scores,
        int[] tokenTypes,
        List<String> merges,
        OptionalInt bos,
        OptionalInt eos,
        OptionalInt unk,
        OptionalInt pad,
        OptionalInt eot,
        Optional<Boolean> addBos,
        Optional<Boolean> addEos,
        Optional<Boolean> addSpacePrefix,
        Optional<String> chatTemplate) {

    public static final String MODEL = "tokenizer.ggml.model";
    public static final String PRE = "tokenizer.ggml.pre";
    public static final String TOKENS = "tokenizer.ggml.tokens";
    public static final String SCORES = "tokenizer.ggml.scores";
    public static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String MERGES = "tokenizer.ggml.merges";
    public static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String EOS_ID = "tokenizer.ggml.eos_token_id";
    public static final String UNK_ID = "tokenizer.ggml.unknown_token_id";
    public static final String PAD_ID = "tokenizer.ggml.padding_token_id";
    public static final String EOT_ID = "tokenizer.ggml.eot_token_id";
    public static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String ADD_EOS = "tokenizer.ggml.add_eos_token";
    public static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";
    public static final String CHAT_TEMPLATE = "tokenizer.chat_template";

    public TokenizerConfig {
        Objects.requireNonNull(model, "model");
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        scores = scores.clone();
        tokenTypes = tokenTypes.clone();
        if (scores.length != 0 && scores.length < tokens.size()) {
            throw new TokenizerException(SCORES + " has " + scores.length + " entries, fewer than the " + tokens.size() + " tokens");
        }
        if (tokenTypes.length != 0 && tokenTypes.length < tokens.size()) {
            throw new TokenizerException(TOKEN_TYPE + " has " + tokenTypes.length + " entries, fewer than the " + tokens.size()
                    + " tokens");
        }
    }

    /**
     * Reads the tokenizer keys of {@code gguf}.
     *
     * @throws TokenizerException when {@code tokenizer.ggml.model} or {@code tokenizer.ggml.tokens} is missing or a key
     *                            has the wrong type
     */
    public static TokenizerConfig fromGguf(GgufFile gguf) {
        try {
            String model = gguf.string(MODEL).orElseThrow(() -> new TokenizerException(
                    "GGUF metadata has no '" + MODEL + "' key: the file carries no tokenizer"));
            List<String> tokens = gguf.strings(TOKENS).orElseThrow(() -> new TokenizerException(
                    "GGUF metadata has no '" + TOKENS + "' key: the file carries no vocabulary"));
            return new TokenizerConfig(model, gguf.string(PRE), tokens,
                    gguf.floats(SCORES).orElse(new float[0]), gguf.ints(TOKEN_TYPE).orElse(new int[0]),
                    gguf.strings(MERGES).orElse(List.of()),
                    id(gguf, BOS_ID), id(gguf, EOS_ID), id(gguf, UNK_ID), id(gguf, PAD_ID), id(gguf, EOT_ID),
                    gguf.bool(ADD_BOS), gguf.bool(ADD_EOS), gguf.bool(ADD_SPACE_PREFIX), gguf.string(CHAT_TEMPLATE));
        } catch (GgufFormatException e) {
            throw new TokenizerException("invalid tokenizer metadata: " + e.getMessage());
        }
    }

    private static OptionalInt id(GgufFile gguf, String key) {
        Optional<Long> v = gguf.integer(key);
        if (v.isEmpty() || v.get() < 0 || v.get() > Integer.MAX_VALUE) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) (long) v.get());
    }

    /**
     * Writes these keys with the exact GGUF types llama.cpp's loader checks (ids uint32, flags bool, scores float32
     * array, token types int32 array).
     */
    public GgufWriter writeTo(GgufWriter w) {
        w.putString(MODEL, model);
        pre.ifPresent(p -> w.putString(PRE, p));
        w.putStrings(TOKENS, tokens);
        if (scores.length > 0) {
            w.putFloats(SCORES, scores);
        }
        if (tokenTypes.length > 0) {
            w.putInts(TOKEN_TYPE, tokenTypes);
        }
        if (!merges.isEmpty()) {
            w.putStrings(MERGES, merges);
        }
        bos.ifPresent(id -> w.putUInt32(BOS_ID, id));
        eos.ifPresent(id -> w.putUInt32(EOS_ID, id));
        unk.ifPresent(id -> w.putUInt32(UNK_ID, id));
        pad.ifPresent(id -> w.putUInt32(PAD_ID, id));
        eot.ifPresent(id -> w.putUInt32(EOT_ID, id));
        addBos.ifPresent(b -> w.putBool(ADD_BOS, b));
        addEos.ifPresent(b -> w.putBool(ADD_EOS, b));
        addSpacePrefix.ifPresent(b -> w.putBool(ADD_SPACE_PREFIX, b));
        chatTemplate.ifPresent(t -> w.putString(CHAT_TEMPLATE, t));
        return w;
    }

    /** These keys as GGUF values in file order (the map {@link #writeTo} would write), e.g. for a model writer. */
    public java.util.Map<String, dev.hypha.ml.gguf.GgufValue> toMetadata() {
        return writeTo(new GgufWriter()).metadataView();
    }

    /** The scores (a copy; empty when the file has none). */
    @Override
    public float[] scores() {
        return scores.clone();
    }

    /** The token types as stored (a copy; empty when the file has none). */
    @Override
    public int[] tokenTypes() {
        return tokenTypes.clone();
    }

    /** Number of tokens. */
    public int size() {
        return tokens.size();
    }
}
