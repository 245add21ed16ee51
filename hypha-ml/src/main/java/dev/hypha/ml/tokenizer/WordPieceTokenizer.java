package dev.hypha.ml.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WordPiece tokenizer of BERT-family embedding models ({@code tokenizer.ggml.model = "bert"}), following llama.cpp's
 * {@code llm_tokenizer_wpm_session}: the text is NFD-normalized with its accents dropped and lower-cased (unless
 * {@code tokenizer.ggml.normalizer.lowercase} / {@code strip_accents} say otherwise), split on whitespace, and every
 * punctuation character, ASCII symbol and CJK ideograph becomes a word of its own (control characters, U+0000 and
 * U+FFFD are dropped); each word, prefixed with U+2581 ("▁", as converted vocabularies spell a word start), is cut
 * greedily into the longest vocabulary entries from the left (byte substrings, as llama.cpp compares them); a word
 * with a part that matches nothing becomes one {@code [UNK]}. With special tokens, {@code [CLS]} (the BOS id) opens the
 * sequence and {@code [SEP]} ({@code tokenizer.ggml.seperator_token_id}, default 102) closes it.
 *
 * <p>Hand-written rather than a library because the point is llama.cpp's exact splitting rules (HF's BasicTokenizer
 * cleans text and splits CJK differently in places), so that both engines embed the same ids.
 */
final class WordPieceTokenizer extends BaseTokenizer {
    /** llama.cpp's key for the separator (its spelling). */
    static final String SEP_ID = "tokenizer.ggml.seperator_token_id";
    static final long DEFAULT_SEP = 102;
    private static final String WORD_START = "\u2581";

    /** llama.cpp's keys for the normalizer options (lowercase defaults to true, strip_accents to lowercase). */
    static final String LOWERCASE = "tokenizer.ggml.normalizer.lowercase";
    static final String STRIP_ACCENTS = "tokenizer.ggml.normalizer.strip_accents";

    private final int sep;
    private final boolean lowercase;
    private final boolean stripAccents;
    /** Vocabulary texts keyed by their UTF-8 bytes read as Latin-1 (one char per byte), so byte substrings look up. */
    private final Map<String, Integer> byBytes;
    private final int maxTokenBytes;

    WordPieceTokenizer(Vocab vocab, long sep, boolean lowercase, boolean stripAccents) {
        super(vocab);
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        this.sep = sep >= 0 && sep < vocab.size() ? (int) sep : -1;
        this.byBytes = new HashMap<>(vocab.size() * 2);
        int max = 0;
        for (int i = 0; i < vocab.size(); i++) {
            byte[] b = vocab.text(i).getBytes(StandardCharsets.UTF_8);
            byBytes.putIfAbsent(new String(b, StandardCharsets.ISO_8859_1), i);
            max = Math.max(max, b.length);
        }
        this.maxTokenBytes = max;
    }

    /** The id that closes a sequence with special tokens, or -1 when the model has none. */
    int separator() {
        return sep;
    }

    @Override
    void encodeFragments(String text, List<Fragment> fragments, boolean addSpecial, IntList out) {
        if (addSpecial && vocab.addBos() && vocab.bos() >= 0) {
            out.add(vocab.bos());
        }
        for (Fragment f : fragments) {
            if (f.isText()) {
                for (String word : words(text.substring(f.start(), f.end()), lowercase, stripAccents)) {
                    tokenizeWord(word, out);
                }
            } else {
                out.add(f.token());
            }
        }
        if (addSpecial && sep >= 0) {
            out.add(sep);
        }
    }

    /**
     * llama.cpp's {@code preprocess}: with {@code stripAccents} NFD and every combining mark (category M) dropped, with
     * {@code lowercase} lower case, words split at whitespace and around punctuation.
     */
    static List<String> words(String text, boolean lowercase, boolean stripAccents) {
        String nfd = stripAccents ? Normalizer.normalize(text, Normalizer.Form.NFD) : text;
        List<String> words = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < nfd.length(); ) {
            int cpt = nfd.codePointAt(i);
            i += Character.charCount(cpt);
            if (isWhitespace(cpt)) {
                flush(current, words);
                continue;
            }
            if (cpt == 0 || cpt == 0xFFFD || isControl(cpt)) {
                continue;
            }
            if (stripAccents && isMark(cpt)) {
                continue;
            }
            int lower = lowercase ? Character.toLowerCase(cpt) : cpt;
            if (isPunctuation(cpt) || (cpt < 0x7F && isSymbol(cpt)) || isChinese(cpt)) {
                flush(current, words);
                words.add(new String(Character.toChars(lower)));
            } else {
                current.appendCodePoint(lower);
            }
        }
        flush(current, words);
        return words;
    }

    private static void flush(StringBuilder current, List<String> words) {
        if (!current.isEmpty()) {
            words.add(current.toString());
            current.setLength(0);
        }
    }

    private void tokenizeWord(String word, IntList out) {
        byte[] bytes = (WORD_START + word).getBytes(StandardCharsets.UTF_8);
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        int n = bytes.length;
        int before = out.size();
        for (int i = 0; i < n; i++) {
            boolean match = false;
            for (int j = Math.min(n, i + maxTokenBytes + 1); j > i; j--) {
                Integer id = byBytes.get(latin.substring(i, j));
                if (id != null) {
                    out.add(id);
                    match = true;
                    i = j - 1;
                    break;
                }
            }
            if (!match) { // a part matches nothing: the whole word is unknown
                out.truncate(before);
                break;
            }
        }
        if (out.size() == before && vocab.unk() >= 0) {
            out.add(vocab.unk());
        }
    }

    @Override
    byte[] normalPiece(String text) {
        return text.replace(WORD_START, " ").getBytes(StandardCharsets.UTF_8);
    }

    /** llama.cpp's whitespace flag: ASCII and Unicode spaces, line and paragraph separators. */
    private static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** Unicode category C (control, format, private use, surrogate, unassigned), as llama.cpp's control flag. */
    private static boolean isControl(int c) {
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE
                || t == Character.SURROGATE || t == Character.UNASSIGNED;
    }

    /** Unicode category M (accents and other combining marks). */
    private static boolean isMark(int c) {
        int t = Character.getType(c);
        return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK || t == Character.ENCLOSING_MARK;
    }

    /** Unicode category P. */
    private static boolean isPunctuation(int c) {
        int t = Character.getType(c);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    /** Unicode category S. */
    private static boolean isSymbol(int c) {
        int t = Character.getType(c);
        return t == Character.MATH_SYMBOL || t == Character.CURRENCY_SYMBOL || t == Character.MODIFIER_SYMBOL
                || t == Character.OTHER_SYMBOL;
    }

    /** llama.cpp's {@code is_chinese_char}: the CJK ideograph blocks. */
    private static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
