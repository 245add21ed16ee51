package dev.hypha.ml.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * What both tokenizer kinds share: splitting out special tokens before tokenizing (llama.cpp
 * {@code tokenizer_st_partition}), detokenizing ({@code llama_detokenize}) and token pieces ({@code token_to_piece}).
 */
abstract sealed class BaseTokenizer implements Tokenizer permits SentencePieceTokenizer, BytePairTokenizer, WordPieceTokenizer {
    final Vocab vocab;

    /** A piece of the input: raw text [start, end) when {@code token < 0}, else an already-recognised special token. */
    record Fragment(int token, int start, int end) {
        boolean isText() {
            return token < 0;
        }
    }

    BaseTokenizer(Vocab vocab) {
        this.vocab = vocab;
    }

    @Override
    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        String clean = replaceLoneSurrogates(text);
        List<Fragment> fragments = partition(clean, parseSpecial);
        IntList out = new IntList(Math.max(16, clean.length() / 3));
        encodeFragments(clean, fragments, addSpecial, out);
        return out.toArray();
    }

    /** Tokenizes the fragments into {@code out}, adding BOS/EOS per the model when {@code addSpecial}. */
    abstract void encodeFragments(String text, List<Fragment> fragments, boolean addSpecial, IntList out);

    /**
     * Splits the text on special-token texts, longest token first, each token over every remaining text fragment
     * (llama.cpp's order, so overlapping specials resolve the same way). Control and unknown tokens are only
     * recognised when {@code parseSpecial}; user-defined tokens always.
     */
    List<Fragment> partition(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment(-1, 0, text.length()));
        for (int id : vocab.specials()) {
            int attr = vocab.attr(id);
            if (!parseSpecial && (attr & (Vocab.ATTR_CONTROL | Vocab.ATTR_UNKNOWN)) != 0) {
                continue;
            }
            String special = vocab.text(id);
            List<Fragment> next = null;
            for (int f = 0; f < fragments.size(); f++) {
                Fragment frag = fragments.get(f);
                int at = frag.isText() ? indexIn(text, special, frag.start, frag.end) : -1;
                if (at < 0) {
                    if (next != null) next.add(frag);
                    continue;
                }
                if (next == null) {
                    next = new ArrayList<>(fragments.subList(0, f));
                }
                int from = frag.start;
                while (at >= 0) {
                    if (at > from) next.add(new Fragment(-1, from, at));
                    next.add(new Fragment(id, at, at + special.length()));
                    from = at + special.length();
                    at = indexIn(text, special, from, frag.end);
                }
                if (from < frag.end) next.add(new Fragment(-1, from, frag.end));
            }
            if (next != null) fragments = next;
        }
        return fragments;
    }

    private static int indexIn(String text, String needle, int from, int end) {
        int at = text.indexOf(needle, from);
        return at >= 0 && at + needle.length() <= end ? at : -1;
    }

    @Override
    public final String decode(int[] tokens) {
        return decode(tokens, true, false);
    }

    @Override
    public final String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        int start = 0;
        int end = tokens.length;
        boolean removeSpace = vocab.addSpacePrefix();
        if (removeSpecial && vocab.addBos() && end > 0 && tokens[0] == vocab.bos()) {
            removeSpace = false;
            start = 1;
        }
        if (removeSpecial && vocab.addEos() && end > start && tokens[end - 1] == vocab.eos()) {
            end--;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = start; i < end; i++) {
            byte[] piece = piece(check(tokens[i]), unparseSpecial);
            int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
            removeSpace = false;
        }
        byte[] bytes = out.toByteArray();
        if (vocab.cleanSpaces()) {
            bytes = cleanSpaces(bytes);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public final byte[] decodeBytes(int token) {
        return piece(check(token), true).clone();
    }

    /**
     * The bytes of a token (llama.cpp {@code token_to_piece}): nothing for control/unknown tokens unless
     * {@code special}, the raw text for special and user-defined ones, the byte of a byte token, else the decoded text.
     */
    final byte[] piece(int id, boolean special) {
        int attr = vocab.attr(id);
        if (!special && (attr & (Vocab.ATTR_UNKNOWN | Vocab.ATTR_CONTROL)) != 0) {
            return EMPTY;
        }
        if ((attr & (Vocab.ATTR_UNKNOWN | Vocab.ATTR_CONTROL | Vocab.ATTR_USER_DEFINED)) != 0) {
            return vocab.text(id).getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & Vocab.ATTR_NORMAL) != 0) {
            return normalPiece(vocab.text(id));
        }
        if ((attr & Vocab.ATTR_BYTE) != 0) {
            int b = byteValue(vocab.text(id));
            // a byte-type token not spelled <0xXX> (a broken vocabulary) renders as its text rather than failing
            return b >= 0 ? new byte[] {(byte) b} : vocab.text(id).getBytes(StandardCharsets.UTF_8);
        }
        return EMPTY; // unused / undefined tokens render as nothing, as in llama.cpp
    }

    /** The bytes a normal token stands for. */
    abstract byte[] normalPiece(String text);

    private static final byte[] EMPTY = new byte[0];

    /** The byte of a {@code <0xXX>} token, or -1 when the text is not of that form. */
    static int byteValue(String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")
                && Character.digit(text.charAt(3), 16) >= 0 && Character.digit(text.charAt(4), 16) >= 0) {
            return Character.digit(text.charAt(3), 16) * 16 + Character.digit(text.charAt(4), 16);
        }
        return -1;
    }

    /** llama.cpp's clean_up_tokenization_spaces passes, ported byte for byte (in place, as there). */
    static byte[] cleanSpaces(byte[] text) {
        int total = text.length;
        // first pass: " ?", " !", " .", " ," lose the space
        int total1 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total1; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                total--;
            }
            text[total++] = x;
        }
        // second pass: a single apostrophe between spaces loses both spaces
        int total2 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < total2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
                total--;
                text[++i] = 0;
            }
            text[total++] = x;
        }
        // third pass: " 's", " 'm", " 're", " 've" lose the space
        int total3 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (i + 2 < total3) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        total--;
                    }
                }
            }
            text[total++] = x;
        }
        return Arrays.copyOf(text, total);
    }

    private int check(int token) {
        if (token < 0 || token >= vocab.size()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary (0.." + (vocab.size() - 1) + ")");
        }
        return token;
    }

    /** Lone UTF-16 surrogates cannot be UTF-8 encoded; they become U+FFFD (documented on {@link Tokenizer}). */
    static String replaceLoneSurrogates(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone;
            if (Character.isHighSurrogate(c)) {
                lone = i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
                if (!lone) {
                    if (sb != null) sb.append(c).append(s.charAt(i + 1));
                    i++;
                    continue;
                }
            } else {
                lone = Character.isLowSurrogate(c);
            }
            if (lone && sb == null) {
                sb = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (sb != null) sb.append(lone ? '\uFFFD' : c);
        }
        return sb == null ? s : sb.toString();
    }

    @Override public int vocabSize() { return vocab.size(); }
    @Override public int bos() { return vocab.bos(); }
    @Override public int eos() { return vocab.eos(); }
    @Override public OptionalInt eot() { return vocab.eot() >= 0 ? OptionalInt.of(vocab.eot()) : OptionalInt.empty(); }
    @Override public boolean isEndOfGeneration(int token) { return vocab.isEog(token); }
    @Override public String tokenText(int id) { return vocab.text(check(id)); }
    @Override public TokenType tokenType(int id) { return vocab.type(check(id)); }

    /** Whether the model adds BOS / EOS when asked to add special tokens. */
    public boolean addsBos() { return vocab.addBos(); }
    public boolean addsEos() { return vocab.addEos(); }

    /** A growable int array (token output without boxing). */
    static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[capacity];
        }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, Math.max(16, a.length * 2));
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }

        int size() {
            return n;
        }

        /** Drops every element from index {@code size} on. */
        void truncate(int size) {
            n = size;
        }
    }
}
