package dev.hypha.ml.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece-style tokenizer ({@code tokenizer.ggml.model = "llama"}), following llama.cpp's
 * {@code llm_tokenizer_spm}: spaces become U+2581 ("▁"), a space is prefixed to text at the start and after each
 * special token (when add_space_prefix), then adjacent symbols are merged greedily, always the pair whose merged text
 * is the vocabulary token with the highest score (ties: leftmost). Symbols that never form a token fall back to
 * {@code <0xXX>} byte tokens.
 */
final class SentencePieceTokenizer extends BaseTokenizer {
    static final char SPACE = '\u2581';

    SentencePieceTokenizer(Vocab vocab) {
        super(vocab);
    }

    @Override
    void encodeFragments(String text, List<Fragment> fragments, boolean addSpecial, IntList out) {
        boolean prevSpecial = true; // the first text fragment gets the space prefix
        if (addSpecial && vocab.addBos()) {
            out.add(vocab.bos());
        }
        for (Fragment f : fragments) {
            if (f.isText()) {
                String raw = text.substring(f.start(), f.end());
                String s = (vocab.addSpacePrefix() && prevSpecial ? " " : "") + raw;
                tokenize(s.replace(' ', SPACE), out);
                prevSpecial = false;
            } else {
                out.add(f.token());
                prevSpecial = true;
            }
        }
        if (addSpecial && vocab.addEos()) {
            out.add(vocab.eos());
        }
    }

    /** One work-queue entry: merging symbols left and right would give a token with this score. */
    private record Bigram(int left, int right, float score, int size) {}

    private void tokenize(String text, IntList out) {
        // symbols: one per code point, as a doubly linked list over the text
        int cap = text.length();
        int[] start = new int[cap];
        int[] len = new int[cap];
        int[] prev = new int[cap];
        int[] next = new int[cap];
        int count = 0;
        for (int off = 0; off < text.length(); ) {
            int n = Character.charCount(text.codePointAt(off));
            start[count] = off;
            len[count] = n;
            prev[count] = count - 1;
            off += n;
            next[count] = off == text.length() ? -1 : count + 1;
            count++;
        }
        // highest score first; ties: lower left index (llama.cpp llm_bigram_spm::comparator)
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        Map<String, int[]> revMerge = new HashMap<>();
        Session s = new Session(text, start, len, queue, revMerge);
        for (int i = 1; i < count; i++) {
            s.tryAddBigram(i - 1, i);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0 || len[b.left] + len[b.right] != b.size) {
                continue; // one side was merged away since this entry was queued
            }
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) {
                prev[next[b.right]] = b.left;
            }
            s.tryAddBigram(prev[b.left], b.left);
            s.tryAddBigram(b.left, next[b.left]);
        }
        for (int i = count == 0 ? -1 : 0; i != -1; i = next[i]) {
            resegment(text, start[i], len[i], revMerge, out, 0);
        }
    }

    private final class Session {
        final String text;
        final int[] start;
        final int[] len;
        final PriorityQueue<Bigram> queue;
        final Map<String, int[]> revMerge;

        Session(String text, int[] start, int[] len, PriorityQueue<Bigram> queue, Map<String, int[]> revMerge) {
            this.text = text;
            this.start = start;
            this.len = len;
            this.queue = queue;
            this.revMerge = revMerge;
        }

        void tryAddBigram(int left, int right) {
            if (left == -1 || right == -1) {
                return;
            }
            String merged = text.substring(start[left], start[left] + len[left] + len[right]);
            int id = vocab.id(merged);
            if (id < 0) {
                return;
            }
            queue.add(new Bigram(left, right, vocab.score(id), merged.length()));
            // remember how the text was built, with the sides' extents at this moment
            revMerge.put(merged, new int[] {start[left], len[left], start[right], len[right]});
        }
    }

    /** Emits the token for a final symbol, splitting it back along recorded merges, or as bytes. */
    private void resegment(String text, int from, int length, Map<String, int[]> revMerge, IntList out, int depth) {
        String piece = text.substring(from, from + length);
        int id = vocab.id(piece);
        if (id >= 0) {
            out.add(id);
            return;
        }
        int[] m = revMerge.get(piece);
        if (m == null || depth > 64) {
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                int t = byteToken(b & 0xFF);
                if (t >= 0) out.add(t);
            }
            return;
        }
        resegment(text, m[0], m[1], revMerge, out, depth + 1);
        resegment(text, m[2], m[3], revMerge, out, depth + 1);
    }

    /** llama.cpp byte_to_token: the {@code <0xXX>} token, else the one-character token, else unknown. */
    private int byteToken(int b) {
        int id = vocab.id(String.format("<0x%02X>", b));
        if (id < 0 && b < 0x80) {
            id = vocab.id(String.valueOf((char) b));
        }
        return id >= 0 ? id : vocab.unk();
    }

    @Override
    byte[] normalPiece(String text) {
        return text.replace(SPACE, ' ').getBytes(StandardCharsets.UTF_8);
    }
}
