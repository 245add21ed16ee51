package dev.hypha.ml.testmodel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns BPE merges from word counts: repeatedly merge the most frequent adjacent symbol pair (ties: the pair whose
 * left, then right, text sorts first), updating pair counts incrementally so only words containing the merged pair are
 * revisited. Deterministic: the result depends only on the word counts, not on hash or iteration order.
 *
 * <p>Written by hand because no maintained Java library trains BPE vocabularies (HF tokenizers is Rust/Python).
 */
final class BpeTrainer {
    /** One learned merge: {@code left + right} became a symbol. */
    record Merge(String left, String right) {
        String result() {
            return left + right;
        }
    }

    private final List<String> symbols = new ArrayList<>();
    private final Map<String, Integer> symbolIds = new HashMap<>();
    private final List<int[]> words = new ArrayList<>();
    private final List<Long> counts = new ArrayList<>();
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, Set<Integer>> pairWords = new HashMap<>();

    private record Candidate(long pair, long count, String left, String right) {}

    private final PriorityQueue<Candidate> queue = new PriorityQueue<>((a, b) -> {
        if (a.count != b.count) return Long.compare(b.count, a.count);
        int c = a.left.compareTo(b.left);
        return c != 0 ? c : a.right.compareTo(b.right);
    });

    /**
     * @param wordCounts each word as its initial symbols (e.g. code points or mapped bytes) with its frequency; the
     *                   caller passes them in a deterministic order
     */
    BpeTrainer(List<Map.Entry<List<String>, Long>> wordCounts) {
        for (var e : wordCounts) {
            List<String> syms = e.getKey();
            int[] w = new int[syms.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = symbol(syms.get(i));
            }
            int idx = words.size();
            words.add(w);
            counts.add(e.getValue());
            addPairs(idx, w, e.getValue());
        }
        for (var e : pairCounts.entrySet()) {
            push(e.getKey(), e.getValue());
        }
    }

    /**
     * Learns merges until {@code maxMerges} merges or {@code maxNew} distinct new symbols (results not in
     * {@code known} nor made before) exist, stopping early when no pair occurs at least twice.
     */
    List<Merge> train(int maxMerges, int maxNew, Set<String> known) {
        List<Merge> merges = new ArrayList<>();
        Set<String> seen = new HashSet<>(known);
        int fresh = 0;
        while (merges.size() < maxMerges && fresh < maxNew && !queue.isEmpty()) {
            Candidate c = queue.poll();
            Long current = pairCounts.get(c.pair);
            if (current == null || current != c.count) {
                continue; // stale entry; the current count was queued when it changed
            }
            if (c.count < 2) {
                break;
            }
            merges.add(new Merge(c.left, c.right));
            if (seen.add(c.left + c.right)) {
                fresh++;
            }
            apply(c.pair, symbol(c.left + c.right));
        }
        return merges;
    }

    private void apply(long pair, int merged) {
        int a = (int) (pair >>> 32);
        int b = (int) pair;
        // Net count change per pair over all affected words: only pairs next to a merge site change, so only those
        // are re-queued (re-queuing every pair of every touched word would flood the queue with stale entries).
        Map<Long, Long> delta = new HashMap<>();
        Set<Integer> where = pairWords.remove(pair);
        if (where == null) {
            return;
        }
        List<Integer> affected = new ArrayList<>(where);
        affected.sort(null);
        for (int idx : affected) {
            int[] w = words.get(idx);
            long count = counts.get(idx);
            int[] out = new int[w.length];
            boolean[] oldSite = new boolean[w.length];
            boolean[] newSite = new boolean[w.length];
            int n = 0;
            boolean changed = false;
            for (int i = 0; i < w.length; i++) {
                if (i + 1 < w.length && w[i] == a && w[i + 1] == b) {
                    oldSite[i] = true;
                    oldSite[i + 1] = true;
                    newSite[n] = true;
                    out[n++] = merged;
                    i++;
                    changed = true;
                } else {
                    out[n++] = w[i];
                }
            }
            if (!changed) {
                continue; // stale membership: the pair no longer occurs in this word
            }
            // only pairs touching a merge site change
            for (int i = 0; i + 1 < w.length; i++) {
                if (oldSite[i] || oldSite[i + 1]) {
                    delta.merge(key(w[i], w[i + 1]), -count, Long::sum);
                }
            }
            int[] nw = java.util.Arrays.copyOf(out, n);
            words.set(idx, nw);
            for (int i = 0; i + 1 < n; i++) {
                if (newSite[i] || newSite[i + 1]) {
                    long k = key(nw[i], nw[i + 1]);
                    delta.merge(k, count, Long::sum);
                    pairWords.computeIfAbsent(k, x -> new HashSet<>()).add(idx);
                }
            }
        }
        List<Long> keys = new ArrayList<>(delta.keySet());
        keys.sort(null);
        for (long k : keys) {
            long d = delta.get(k);
            if (d == 0) {
                continue;
            }
            long c = pairCounts.merge(k, d, Long::sum);
            if (c <= 0) {
                pairCounts.remove(k);
            } else {
                push(k, c);
            }
        }
    }

    private void addPairs(int idx, int[] w, long count) {
        for (int i = 0; i + 1 < w.length; i++) {
            long k = key(w[i], w[i + 1]);
            pairCounts.merge(k, count, Long::sum);
            pairWords.computeIfAbsent(k, x -> new HashSet<>()).add(idx);
        }
    }

    private void push(long pair, long count) {
        queue.add(new Candidate(pair, count, symbols.get((int) (pair >>> 32)), symbols.get((int) pair)));
    }

    private int symbol(String s) {
        Integer id = symbolIds.get(s);
        if (id == null) {
            id = symbols.size();
            symbols.add(s);
            symbolIds.put(s, id);
        }
        return id;
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFF_FFFFL);
    }
}
