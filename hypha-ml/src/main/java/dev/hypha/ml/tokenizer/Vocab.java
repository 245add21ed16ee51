package dev.hypha.ml.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The resolved vocabulary: token texts, scores and attributes, special ids and flags, with llama.cpp's defaults and
 * fix-ups applied (llama-vocab.cpp {@code llama_vocab::impl::load}), shared by both tokenizer kinds.
 */
final class Vocab {
    enum Kind { SPM, BPE, WPM }

    // llama.cpp token attribute bits (llama.h llama_token_attr)
    static final int ATTR_UNKNOWN = 1;
    static final int ATTR_UNUSED = 1 << 1;
    static final int ATTR_NORMAL = 1 << 2;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_BYTE = 1 << 5;

    /** Token texts that end generation (llama.cpp's EOG list, which it also forces to control type). */
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
            "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]",
            "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>");
    /** Texts llama.cpp recognises as the end-of-turn token when no eot id is given. */
    private static final Set<String> EOT_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<end_of_utterance>");

    private final Kind kind;
    private final PreTokenizer pre; // null for SPM
    private final String[] texts;
    private final float[] scores;
    private final int[] attrs;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    private final Map<String, Integer> mergeRanks; // "left" + ' ' + "right" -> rank, BPE only
    private final int bos;
    private final int eos;
    private final int eot;
    private final int unk;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final boolean cleanSpaces;
    private final boolean ignoreMerges;
    private final Set<Integer> eog;
    private final int[] specials; // control/user-defined/unknown ids, longest text first

    Vocab(TokenizerConfig c) {
        int n = c.size();
        if (n == 0) {
            throw new TokenizerException("tokenizer.ggml.tokens is empty");
        }
        int defBos;
        int defEos;
        int defUnk;
        boolean defAddBos;
        boolean defAddSpace;
        boolean clean;
        boolean ignore = false;
        switch (c.model()) {
            case "llama" -> {
                kind = Kind.SPM;
                pre = null;
                defBos = 1; defEos = 2; defUnk = 0;
                defAddBos = true; defAddSpace = true; clean = false;
            }
            case "gpt2" -> {
                kind = Kind.BPE;
                String preName = c.pre().orElse("default");
                pre = PreTokenizer.named(preName);
                defBos = 11; defEos = 11; defUnk = -1;
                defAddSpace = false;
                defAddBos = pre.addBosByDefault();
                clean = pre.cleanSpaces();
                ignore = pre.ignoreMerges();
            }
            case "bert" -> {
                // llama.cpp's WPM defaults: [CLS] 101 opens, [UNK] 100; the closing [SEP] is WordPieceTokenizer's
                kind = Kind.WPM;
                pre = null;
                defBos = 101; defEos = -1; defUnk = 100;
                defAddBos = true; defAddSpace = false; clean = true;
            }
            default -> throw new TokenizerException("unsupported tokenizer model '" + c.model()
                    + "' in tokenizer.ggml.model: supported are 'llama' (SentencePiece), 'gpt2' (byte-level BPE) and "
                    + "'bert' (WordPiece)");
        }
        texts = new String[n];
        scores = new float[n];
        attrs = new int[n];
        types = new TokenType[n];
        ids = new HashMap<>(n * 2);
        float[] configScores = c.scores();
        int[] configTypes = c.tokenTypes();
        for (int i = 0; i < n; i++) {
            String t = c.tokens().get(i);
            if (t.isEmpty()) {
                t = "[EMPTY_" + i + "]"; // as llama.cpp does, so every id has a distinct, non-empty text
            }
            Integer prev = ids.putIfAbsent(t, i);
            if (prev != null) {
                throw new TokenizerException("duplicate token in vocabulary: '" + t + "' has ids " + prev + " and " + i);
            }
            texts[i] = t;
            scores[i] = configScores.length > 0 ? configScores[i] : 0f;
            types[i] = configTypes.length > 0 ? TokenType.fromId(configTypes[i]) : TokenType.NORMAL;
            attrs[i] = switch (types[i]) {
                case UNKNOWN -> ATTR_UNKNOWN;
                case UNUSED -> ATTR_UNUSED;
                case NORMAL -> ATTR_NORMAL;
                case CONTROL -> ATTR_CONTROL;
                case USER_DEFINED -> ATTR_USER_DEFINED;
                case BYTE -> ATTR_BYTE;
                case UNDEFINED -> 0;
            };
        }
        if (kind == Kind.BPE) {
            if (c.merges().isEmpty()) {
                throw new TokenizerException("byte-level BPE tokenizer has no tokenizer.ggml.merges");
            }
            mergeRanks = new HashMap<>(c.merges().size() * 2);
            for (int r = 0; r < c.merges().size(); r++) {
                String m = c.merges().get(r);
                int sp = m.indexOf(' ', 1); // llama.cpp splits at the first space after position 0
                String key = sp < 0 ? "" : m.substring(0, sp) + ' ' + m.substring(sp + 1);
                mergeRanks.putIfAbsent(key, r);
            }
        } else {
            mergeRanks = Map.of();
        }
        bos = special(c.bos().orElse(defBos), n);
        eos = special(c.eos().orElse(defEos), n);
        unk = special(c.unk().orElse(defUnk), n);
        int eotId = special(c.eot().orElse(-1), n);
        addBos = c.addBos().orElse(defAddBos);
        addEos = c.addEos().orElse(false);
        if (addBos && bos < 0) {
            throw new TokenizerException("tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
        }
        if (addEos && eos < 0) {
            throw new TokenizerException("tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set");
        }
        addSpacePrefix = c.addSpacePrefix().orElse(defAddSpace);
        cleanSpaces = clean;
        ignoreMerges = ignore;

        // llama.cpp marks EOT/EOG-looking tokens as control and collects the end-of-generation set.
        // It scans a hash map, so with several EOT candidates its pick is unspecified; we take the lowest id.
        Set<Integer> eogIds = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            if (eotId < 0 && EOT_TEXTS.contains(texts[i])) {
                eotId = i;
                attrs[i] |= ATTR_CONTROL;
            }
            if (EOG_TEXTS.contains(texts[i])) {
                eogIds.add(i);
                attrs[i] |= ATTR_CONTROL;
            }
            if ((attrs[i] & ATTR_CONTROL) != 0 && texts[i].contains("unused")) {
                attrs[i] |= ATTR_UNUSED;
            }
        }
        eot = eotId;
        if (eos >= 0) eogIds.add(eos);
        if (eot >= 0) eogIds.add(eot);
        eog = Set.copyOf(eogIds);
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & ATTR_CONTROL) != 0) {
                types[i] = TokenType.CONTROL;
            }
        }

        List<Integer> sp = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0) {
                sp.add(i);
            }
        }
        // llama.cpp sorts by UTF-8 length, longest first (std::sort: ties unspecified); ties here go by id.
        sp.sort(Comparator.comparingInt((Integer i) -> -utf8Length(texts[i])).thenComparingInt(i -> i));
        specials = sp.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A configured special id, or -1 when outside the vocabulary (llama.cpp disables out-of-range ids). */
    private static int special(int id, int n) {
        return id >= 0 && id < n ? id : -1;
    }

    static int utf8Length(String s) {
        int len = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) len += 1;
            else if (ch < 0x800) len += 2;
            else if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                len += 4;
                i++;
            } else len += 3;
        }
        return len;
    }

    Kind kind() { return kind; }
    PreTokenizer pre() { return pre; }
    int size() { return texts.length; }
    String text(int id) { return texts[id]; }
    float score(int id) { return scores[id]; }
    int attr(int id) { return attrs[id]; }
    TokenType type(int id) { return types[id]; }
    int bos() { return bos; }
    int eos() { return eos; }
    int eot() { return eot; }
    int unk() { return unk; }
    boolean addBos() { return addBos; }
    boolean addEos() { return addEos; }
    boolean addSpacePrefix() { return addSpacePrefix; }
    boolean cleanSpaces() { return cleanSpaces; }
    boolean ignoreMerges() { return ignoreMerges; }
    boolean isEog(int id) { return eog.contains(id); }
    int[] specials() { return specials; }

    /** The id of a token text, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    /** The BPE merge rank of (left, right), or -1. */
    int mergeRank(String left, String right) {
        Integer r = mergeRanks.get(left + ' ' + right);
        return r == null ? -1 : r;
    }
}
