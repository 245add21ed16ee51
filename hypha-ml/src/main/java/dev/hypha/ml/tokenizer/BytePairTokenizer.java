package dev.hypha.ml.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Byte-level BPE tokenizer ({@code tokenizer.ggml.model = "gpt2"}), following llama.cpp's {@code llm_tokenizer_bpe}:
 * the pre-tokenizer splits text into words, each word's UTF-8 bytes are mapped to printable characters (GPT-2's
 * byte-to-unicode table), then adjacent symbols are merged by lowest merge rank (ties: leftmost) until no listed
 * merge applies.
 */
final class BytePairTokenizer extends BaseTokenizer {

    /**
     * Per-word results: natural text repeats words heavily, so caching them makes long inputs several times faster.
     * Bounded so hostile input cannot grow it without limit; the result does not depend on the cache.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, int[]> cache = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 50_000;
    private static final int CACHEABLE_WORD = 64;

    BytePairTokenizer(Vocab vocab) {
        super(vocab);
    }

    @Override
    void encodeFragments(String text, List<Fragment> fragments, boolean addSpecial, IntList out) {
        if (addSpecial && vocab.addBos()) {
            out.add(vocab.bos());
        }
        for (Fragment f : fragments) {
            if (f.isText()) {
                for (String word : vocab.pre().split(text.substring(f.start(), f.end()))) {
                    String encoded = ByteUnicode.encode(word.getBytes(StandardCharsets.UTF_8));
                    int[] ids = encoded.length() <= CACHEABLE_WORD ? cache.get(encoded) : null;
                    if (ids == null) {
                        IntList one = new IntList(8);
                        tokenizeWord(encoded, one);
                        ids = one.toArray();
                        if (encoded.length() <= CACHEABLE_WORD && cache.size() < CACHE_LIMIT) {
                            cache.putIfAbsent(encoded, ids);
                        }
                    }
                    for (int id : ids) {
                        out.add(id);
                    }
                }
            } else {
                out.add(f.token());
            }
        }
        if (addSpecial && vocab.addEos()) {
            out.add(vocab.eos());
        }
    }

    private record Bigram(int left, int right, String text, int rank) {}

    private void tokenizeWord(String word, IntList out) {
        if (vocab.ignoreMerges()) {
            int whole = vocab.id(word);
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        // every mapped byte is one BMP char, so symbols are single chars to start with
        int n = word.length();
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = i;
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 == n ? -1 : i + 1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank
                ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            addBigram(word, start, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0) {
                continue;
            }
            if (len[b.left] + len[b.right] != b.text.length()
                    || !word.startsWith(b.text, start[b.left]) || start[b.right] != start[b.left] + len[b.left]) {
                continue; // outdated entry
            }
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) {
                prev[next[b.right]] = b.left;
            }
            addBigram(word, start, len, prev[b.left], b.left, queue);
            addBigram(word, start, len, b.left, next[b.left], queue);
        }
        for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
            String sym = word.substring(start[i], start[i] + len[i]);
            int id = vocab.id(sym);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            // llama.cpp's fallback looks each byte of the symbol up as a one-byte token (only ASCII can match)
            for (int k = 0; k < sym.length(); k++) {
                char c = sym.charAt(k);
                if (c < 0x80) {
                    int t = vocab.id(String.valueOf(c));
                    if (t >= 0) out.add(t);
                }
            }
        }
    }

    private void addBigram(String word, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left == -1 || right == -1) {
            return;
        }
        String l = word.substring(start[left], start[left] + len[left]);
        String r = word.substring(start[right], start[right] + len[right]);
        int rank = vocab.mergeRank(l, r);
        if (rank >= 0) {
            queue.add(new Bigram(left, right, l + r, rank));
        }
    }

    @Override
    byte[] normalPiece(String text) {
        return ByteUnicode.decode(text);
    }
}
