package dev.hypha.ml.tokenizer;

import dev.hypha.ml.gguf.GgufFile;
import java.util.OptionalInt;

/**
 * Text to token ids and back, built from a model's GGUF tokenizer metadata and following llama.cpp's
 * {@code llama-vocab.cpp} so the same text gives the same ids as llama.cpp for the same file.
 *
 * <p>Input strings with lone (unpaired) UTF-16 surrogates cannot be UTF-8 encoded; each lone surrogate is treated as
 * U+FFFD (the Unicode replacement character). Implementations are immutable and thread-safe.
 */
public interface Tokenizer {

    /**
     * The tokenizer described by {@code gguf}'s {@code tokenizer.ggml.*} keys: SentencePiece-style for
     * {@code tokenizer.ggml.model = "llama"}, byte-level BPE for {@code "gpt2"}, WordPiece for {@code "bert"}.
     *
     * @throws TokenizerException naming the missing or invalid key, or the unsupported model / pre-tokenizer
     */
    static Tokenizer fromGguf(GgufFile gguf) {
        TokenizerConfig config = TokenizerConfig.fromGguf(gguf);
        if (config.model().equals("bert")) {
            // the closing [SEP] has a key of its own (spelled as llama.cpp spells it); llama.cpp's default is 102
            try {
                long sep = gguf.integer(WordPieceTokenizer.SEP_ID).orElse(WordPieceTokenizer.DEFAULT_SEP);
                boolean lowercase = gguf.bool(WordPieceTokenizer.LOWERCASE).orElse(true);
                boolean strip = gguf.bool(WordPieceTokenizer.STRIP_ACCENTS).orElse(lowercase);
                return new WordPieceTokenizer(new Vocab(config), sep, lowercase, strip);
            } catch (dev.hypha.ml.gguf.GgufFormatException e) {
                throw new TokenizerException("invalid tokenizer metadata: " + e.getMessage());
            }
        }
        return create(config);
    }

    /** The tokenizer for already-extracted metadata (e.g. a test vocabulary before it is written to a file). */
    static Tokenizer create(TokenizerConfig config) {
        Vocab vocab = new Vocab(config);
        return switch (vocab.kind()) {
            case SPM -> new SentencePieceTokenizer(vocab);
            case BPE -> new BytePairTokenizer(vocab);
            case WPM -> new WordPieceTokenizer(vocab, WordPieceTokenizer.DEFAULT_SEP, true, true);
        };
    }

    /**
     * Token ids for {@code text}.
     *
     * @param addSpecial   add BOS/EOS as the model's add_bos/add_eos flags say
     * @param parseSpecial recognise control-token texts (e.g. {@code <|im_start|>}) in the text as those tokens;
     *                     when false they are tokenized as plain text (user-defined tokens are always recognised, as in
     *                     llama.cpp)
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The text of {@code tokens}, as llama.cpp's {@code llama_detokenize(remove_special = true, unparse_special = false)}:
     * a leading BOS (and trailing EOS when the model adds one) is dropped, control tokens render as nothing, and the
     * SentencePiece prefix space is removed from the first token, except right after a dropped BOS (llama.cpp's
     * rule, kept for agreement). Invalid UTF-8 becomes U+FFFD. Streams of generated tokens should be rendered with
     * {@link #decodeBytes} instead.
     */
    String decode(int[] tokens);

    /**
     * llama.cpp's {@code llama_detokenize(tokens, removeSpecial, unparseSpecial)} exactly: {@code removeSpecial} drops a
     * leading BOS / trailing EOS as the model adds them, {@code unparseSpecial} renders control tokens as their text.
     */
    String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial);

    /**
     * The raw bytes of one token's text ({@code special} = true renders control tokens too). Streaming callers
     * concatenate these and decode UTF-8 themselves, since a character may be split across tokens.
     */
    byte[] decodeBytes(int token);

    /** Number of tokens in the vocabulary. */
    int vocabSize();

    /** Beginning-of-sequence token id, or -1 when the model has none. */
    int bos();

    /** End-of-sequence token id, or -1 when the model has none. */
    int eos();

    /** End-of-turn token id (e.g. {@code <|eot_id|>}, {@code <|im_end|>}), if the model has one. */
    OptionalInt eot();

    /** True for every token that ends generation (EOS, EOT, EOM and llama.cpp's end-of-generation token texts). */
    boolean isEndOfGeneration(int token);

    /** The token's vocabulary entry, as stored in the file (e.g. "▁the", "Ġthe", "<0x0A>", "<|im_end|>"). */
    String tokenText(int id);

    /** The token's type as stored in {@code tokenizer.ggml.token_type} (after llama.cpp's EOG/control fix-ups). */
    TokenType tokenType(int id);
}
