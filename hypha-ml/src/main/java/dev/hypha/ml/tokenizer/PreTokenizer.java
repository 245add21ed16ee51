package dev.hypha.ml.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before byte-level BPE, as chosen by {@code tokenizer.ggml.pre}. The regexes and flags are
 * those of llama.cpp's {@code llm_tokenizer_bpe} / {@code llama_vocab::impl::load} for each name; Java's regex engine
 * runs them directly (with {@link Pattern#UNICODE_CHARACTER_CLASS}, so {@code \s} is Unicode White_Space as in
 * llama.cpp). Several regexes apply in turn, each splitting the pieces left by the previous one; the text between
 * matches is kept as pieces too (llama.cpp {@code unicode_regex_split}).
 *
 * @param name            the pre-tokenizer name
 * @param patterns        regexes applied in order
 * @param addBosByDefault llama.cpp's add_bos default for this pre-tokenizer (true for llama3)
 * @param cleanSpaces     whether detokenizing removes spaces before punctuation (clean_up_tokenization_spaces)
 * @param ignoreMerges    whether a word that is itself a token skips merging (llama3)
 */
public record PreTokenizer(String name, List<Pattern> patterns, boolean addBosByDefault, boolean cleanSpaces, boolean ignoreMerges) {

    private static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    // The (?i:'s|...) of the original tokenizer.json regexes, spelled out as llama.cpp does.
    private static final String CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
    private static final String LLAMA3 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** The names this engine supports, for error messages. */
    static final List<String> SUPPORTED = List.of("default", "llama3", "llama-v3", "llama-bpe", "gpt-2", "gpt2", "phi-2",
            "mpt", "olmo", "qwen2", "deepseek-r1-qwen", "stablelm2", "dbrx", "smaug-bpe", "starcoder", "refact", "smollm");

    /** The pre-tokenizer called {@code name}. @throws TokenizerException for names we do not support */
    public static PreTokenizer named(String name) {
        return switch (name) {
            case "default" -> of(name, false, true, false,
                    "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
            case "llama3", "llama-v3", "llama-bpe" -> of(name, true, true, true, LLAMA3);
            case "dbrx", "smaug-bpe" -> of(name, false, true, false, LLAMA3);
            // "gpt2" is not a llama.cpp name (it writes "gpt-2"); accepted here as the obvious alias.
            case "gpt-2", "gpt2", "phi-2", "mpt", "olmo" -> of(name, false, true, false, GPT2);
            case "qwen2", "deepseek-r1-qwen" -> of(name, false, false, false, QWEN2);
            case "stablelm2" -> of(name, false, true, false, QWEN2);
            case "starcoder", "refact" -> of(name, false, true, false, "\\p{N}", GPT2);
            case "smollm" -> of(name, false, false, false, "\\p{N}", GPT2);
            default -> throw new TokenizerException("unknown pre-tokenizer '" + name + "' in tokenizer.ggml.pre; supported: "
                    + String.join(", ", SUPPORTED));
        };
    }

    private static PreTokenizer of(String name, boolean addBos, boolean clean, boolean ignoreMerges, String... regexes) {
        List<Pattern> ps = new ArrayList<>();
        for (String r : regexes) {
            ps.add(Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS));
        }
        return new PreTokenizer(name, List.copyOf(ps), addBos, clean, ignoreMerges);
    }

    /** The words of {@code text}, in order; their concatenation is {@code text}. */
    public List<String> split(String text) {
        List<int[]> pieces = new ArrayList<>();
        pieces.add(new int[] {0, text.length()});
        for (Pattern p : patterns) {
            List<int[]> next = new ArrayList<>();
            Matcher m = p.matcher(text);
            for (int[] piece : pieces) {
                int start = piece[0];
                int end = piece[1];
                // Matching is confined to the piece: lookaheads cannot see past it (opaque region bounds), as
                // llama.cpp runs each regex over each piece separately.
                m.region(start, end);
                int at = start;
                while (m.find()) {
                    if (m.end() == m.start()) {
                        continue; // an empty match splits nothing (none of our regexes can produce one)
                    }
                    if (m.start() > at) next.add(new int[] {at, m.start()});
                    next.add(new int[] {m.start(), m.end()});
                    at = m.end();
                }
                if (at < end) next.add(new int[] {at, end});
            }
            pieces = next;
        }
        List<String> words = new ArrayList<>(pieces.size());
        for (int[] p : pieces) {
            words.add(text.substring(p[0], p[1]));
        }
        return words;
    }
}
