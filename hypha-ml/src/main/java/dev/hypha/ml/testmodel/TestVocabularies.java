package dev.hypha.ml.testmodel;

import dev.hypha.ml.tokenizer.PreTokenizer;
import dev.hypha.ml.tokenizer.TokenType;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deterministic tokenizer vocabularies trained on the fortunes corpus, for the random-weight test models: the result
 * is GGUF tokenizer metadata ({@link TokenizerConfig}) that {@code writeTo(GgufWriter)} stores with the key types
 * llama.cpp requires, so llama.cpp tokenizes our test models with the same vocabulary.
 *
 * <p>Both kinds learn BPE merges by pair frequency ({@link BpeTrainer}); the same size always gives the same
 * vocabulary. Results are cached in memory per (kind, size).
 */
public final class TestVocabularies {
    /** Byte-level BPE flavours: the pre-tokenizer, special tokens and chat template of a model family. */
    public enum BpeStyle {
        /** Qwen2-style: pre "qwen2", ChatML template, {@code <|endoftext|>}, {@code <|im_start|>}, {@code <|im_end|>}. */
        QWEN2("qwen2", List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), "chatml.jinja"),
        /** Llama-3-style: pre "llama-bpe", header tokens, BOS added. */
        LLAMA3("llama-bpe", List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                "<|eot_id|>"), "llama3.jinja"),
        /** GPT-2-style: pre "gpt-2", {@code <|endoftext|>} only, ChatML template as plain text. */
        GPT2("gpt-2", List.of("<|endoftext|>"), "chatml.jinja");

        final String pre;
        final List<String> specials;
        final String template;

        BpeStyle(String pre, List<String> specials, String template) {
            this.pre = pre;
            this.specials = specials;
            this.template = template;
        }
    }

    /** Ids fixed by the SentencePiece layout (as in Llama 2 / TinyLlama vocabularies). */
    public static final int SPM_UNK = 0;
    public static final int SPM_BOS = 1;
    public static final int SPM_EOS = 2;
    private static final int SPM_FIXED = 3 + 256;

    private static final Map<String, TokenizerConfig> CACHE = new ConcurrentHashMap<>();

    private TestVocabularies() {}

    /**
     * A SentencePiece-style ("llama") vocabulary of exactly {@code size} tokens: {@code <unk>}, {@code <s>},
     * {@code </s>}, the 256 byte tokens {@code <0x00>..<0xFF>}, then learned pieces (score = -merge order) and the
     * corpus's characters. Chat template: TinyLlama/Zephyr style.
     *
     * @throws IllegalArgumentException when {@code size} cannot hold the fixed tokens and the corpus's characters
     */
    public static TokenizerConfig sentencePiece(int size) {
        return CACHE.computeIfAbsent("spm:" + size, k -> buildSentencePiece(size));
    }

    /**
     * A Gemma-style SentencePiece vocabulary of exactly {@code size} tokens: {@link #sentencePiece} of {@code size - 2}
     * tokens, then {@code <start_of_turn>} and {@code <end_of_turn>} (control tokens; the latter is the end-of-turn
     * token, as llama.cpp finds it by its text), no space prefix (as Gemma's converter writes) and Gemma 3's chat
     * template.
     */
    public static TokenizerConfig gemma(int size) {
        return CACHE.computeIfAbsent("gemma:" + size, k -> {
            TokenizerConfig spm = sentencePiece(size - 2);
            List<String> tokens = new ArrayList<>(spm.tokens());
            tokens.add("<start_of_turn>");
            tokens.add("<end_of_turn>");
            float[] scores = java.util.Arrays.copyOf(spm.scores(), size);
            int[] types = java.util.Arrays.copyOf(spm.tokenTypes(), size);
            types[size - 2] = TokenType.CONTROL.id();
            types[size - 1] = TokenType.CONTROL.id();
            return new TokenizerConfig(spm.model(), spm.pre(), tokens, scores, types, spm.merges(), spm.bos(), spm.eos(),
                    spm.unk(), spm.pad(), OptionalInt.of(size - 1), spm.addBos(), spm.addEos(), Optional.of(false),
                    Optional.of(dev.hypha.ml.chat.BuiltinTemplates.load("gemma3.jinja")));
        });
    }

    /** A Qwen2-style byte-level BPE vocabulary of exactly {@code size} tokens. */
    public static TokenizerConfig byteLevelBpe(int size) {
        return byteLevelBpe(size, BpeStyle.QWEN2);
    }

    /**
     * A byte-level BPE ("gpt2") vocabulary of exactly {@code size} tokens: the 256 byte characters, learned merges
     * (words split by the style's pre-tokenizer), then the style's special tokens (control type).
     */
    public static TokenizerConfig byteLevelBpe(int size, BpeStyle style) {
        return CACHE.computeIfAbsent("bpe:" + style + ":" + size, k -> buildBpe(size, style));
    }

    private static TokenizerConfig buildSentencePiece(int size) {
        String text = FortunesCorpus.text();
        // SentencePiece treats a space as the start of the next word: each whitespace-separated word gets a "▁" prefix.
        Map<String, Long> wordCounts = new HashMap<>();
        for (String w : text.split("\\s+")) {
            if (!w.isEmpty()) {
                wordCounts.merge("\u2581" + w, 1L, Long::sum);
            }
        }
        Map<Integer, Long> charCounts = new TreeMap<>();
        for (var e : wordCounts.entrySet()) {
            e.getKey().codePoints().forEach(cp -> charCounts.merge(cp, e.getValue(), Long::sum));
        }
        List<Integer> chars = new ArrayList<>(charCounts.keySet());
        chars.removeIf(cp -> charCounts.get(cp) < 2);
        chars.sort((a, b) -> charCounts.get(a).equals(charCounts.get(b)) ? Integer.compare(a, b)
                : Long.compare(charCounts.get(b), charCounts.get(a)));
        int pieces = size - SPM_FIXED - chars.size();
        if (pieces < 0) {
            throw new IllegalArgumentException("a SentencePiece test vocabulary needs at least " + (SPM_FIXED + chars.size())
                    + " tokens (3 specials, 256 bytes, " + chars.size() + " corpus characters); asked for " + size);
        }
        List<Map.Entry<List<String>, Long>> words = sortedWords(wordCounts, w -> codePoints(w));
        Set<String> existing = new LinkedHashSet<>();
        for (int cp : chars) existing.add(Character.toString(cp));
        List<String> learned = new ArrayList<>();
        for (BpeTrainer.Merge m : new BpeTrainer(words).train(Integer.MAX_VALUE, pieces, existing)) {
            if (existing.add(m.result())) learned.add(m.result());
        }
        List<String> tokens = new ArrayList<>(size);
        List<Float> scores = new ArrayList<>(size);
        List<Integer> types = new ArrayList<>(size);
        add(tokens, scores, types, "<unk>", 0f, TokenType.UNKNOWN);
        add(tokens, scores, types, "<s>", 0f, TokenType.CONTROL);
        add(tokens, scores, types, "</s>", 0f, TokenType.CONTROL);
        for (int b = 0; b < 256; b++) {
            add(tokens, scores, types, String.format("<0x%02X>", b), 0f, TokenType.BYTE);
        }
        for (int i = 0; i < learned.size(); i++) {
            add(tokens, scores, types, learned.get(i), -i, TokenType.NORMAL);
        }
        for (int i = 0; i < chars.size(); i++) {
            add(tokens, scores, types, Character.toString(chars.get(i)), -(learned.size() + i), TokenType.NORMAL);
        }
        if (tokens.size() != size) {
            // the corpus ran out of pairs seen twice: pad with unused tokens so the size is exact
            for (int i = tokens.size(); i < size; i++) {
                add(tokens, scores, types, "<unused" + i + ">", -1e9f, TokenType.UNUSED);
            }
        }
        return new TokenizerConfig("llama", Optional.empty(), tokens, floats(scores), ints(types), List.of(),
                OptionalInt.of(SPM_BOS), OptionalInt.of(SPM_EOS), OptionalInt.of(SPM_UNK), OptionalInt.of(SPM_UNK),
                OptionalInt.empty(), Optional.of(true), Optional.of(false), Optional.empty(),
                Optional.of(dev.hypha.ml.chat.BuiltinTemplates.load("zephyr.jinja")));
    }

    private static TokenizerConfig buildBpe(int size, BpeStyle style) {
        int merges = size - 256 - style.specials.size();
        if (merges < 0) {
            throw new IllegalArgumentException("a byte-level BPE test vocabulary needs at least "
                    + (256 + style.specials.size()) + " tokens; asked for " + size);
        }
        PreTokenizer pre = PreTokenizer.named(style.pre);
        Map<String, Long> wordCounts = new HashMap<>();
        for (String w : pre.split(FortunesCorpus.text())) {
            wordCounts.merge(byteEncode(w), 1L, Long::sum);
        }
        List<Map.Entry<List<String>, Long>> words = sortedWords(wordCounts, TestVocabularies::chars);
        Set<String> existing = new LinkedHashSet<>();
        List<String> tokens = new ArrayList<>(size);
        for (int b = 0; b < 256; b++) {
            String c = byteEncode(new byte[] {(byte) b});
            existing.add(c);
            tokens.add(c);
        }
        List<String> mergeList = new ArrayList<>();
        for (BpeTrainer.Merge m : new BpeTrainer(words).train(Integer.MAX_VALUE, merges, existing)) {
            mergeList.add(m.left() + " " + m.right());
            if (existing.add(m.result())) tokens.add(m.result());
        }
        for (int i = tokens.size(); i < 256 + merges; i++) {
            tokens.add("<|unused_" + i + "|>"); // corpus exhausted: keep the size exact
        }
        int first = tokens.size();
        tokens.addAll(style.specials);
        int[] types = new int[tokens.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = i >= first ? TokenType.CONTROL.id()
                    : tokens.get(i).startsWith("<|unused_") ? TokenType.UNUSED.id() : TokenType.NORMAL.id();
        }
        int bos;
        int eos;
        OptionalInt eot = OptionalInt.empty();
        boolean addBos;
        switch (style) {
            case LLAMA3 -> {
                bos = first;
                eos = first + 1;
                eot = OptionalInt.of(first + 4);
                addBos = true;
            }
            case QWEN2 -> {
                bos = first;
                eos = first + 2; // <|im_end|> as in Qwen2.5 instruct models
                addBos = false;
            }
            default -> {
                bos = first;
                eos = first;
                addBos = false;
            }
        }
        return new TokenizerConfig("gpt2", Optional.of(style.pre), tokens, new float[0], types, mergeList,
                OptionalInt.of(bos), OptionalInt.of(eos), OptionalInt.empty(), OptionalInt.of(first), eot,
                Optional.of(addBos), Optional.of(false), Optional.empty(), Optional.of(dev.hypha.ml.chat.BuiltinTemplates.load(style.template)));
    }

    private static List<Map.Entry<List<String>, Long>> sortedWords(Map<String, Long> counts,
                                                                   java.util.function.Function<String, List<String>> split) {
        TreeMap<String, Long> sorted = new TreeMap<>(counts);
        List<Map.Entry<List<String>, Long>> out = new ArrayList<>(sorted.size());
        for (var e : sorted.entrySet()) {
            out.add(Map.entry(split.apply(e.getKey()), e.getValue()));
        }
        return out;
    }

    private static List<String> codePoints(String s) {
        return s.codePoints().mapToObj(Character::toString).toList();
    }

    private static List<String> chars(String s) {
        List<String> out = new ArrayList<>(s.length());
        for (int i = 0; i < s.length(); i++) out.add(String.valueOf(s.charAt(i)));
        return out;
    }

    /** GPT-2 byte-to-unicode mapping of a word's UTF-8 bytes. */
    private static String byteEncode(String word) {
        return byteEncode(word.getBytes(StandardCharsets.UTF_8));
    }

    private static String byteEncode(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte x : bytes) {
            int b = x & 0xFF;
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            sb.append(printable ? (char) b : (char) (256 + nonPrintableIndex(b)));
        }
        return sb.toString();
    }

    private static int nonPrintableIndex(int b) {
        int n = 0;
        for (int i = 0; i < b; i++) {
            boolean printable = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF);
            if (!printable) n++;
        }
        return n;
    }

    private static void add(List<String> tokens, List<Float> scores, List<Integer> types, String t, float s, TokenType type) {
        tokens.add(t);
        scores.add(s);
        types.add(type.id());
    }

    private static float[] floats(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    private static int[] ints(List<Integer> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

}
