package dev.hypha.ml.train.data;

import dev.hypha.ml.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tokenized text corpus for next-token training: each document encoded (with the tokenizer's BOS) and followed by
 * {@code eos}, documents end to end; every {@code heldOutEvery}-th document (index 0, n, 2n, ...) goes to the held-out
 * stream instead of the training stream, so held-out text is whole documents the model never sees.
 */
public record TokenCorpus(int[] train, int[] heldOut) {

    public static TokenCorpus of(List<String> documents, Tokenizer tokenizer, int eos, int heldOutEvery) {
        if (heldOutEvery < 2) {
            throw new IllegalArgumentException("hold out every n-th document with n >= 2, got " + heldOutEvery);
        }
        IntBuffer train = new IntBuffer();
        IntBuffer heldOut = new IntBuffer();
        for (int i = 0; i < documents.size(); i++) {
            IntBuffer target = i % heldOutEvery == 0 ? heldOut : train;
            target.add(tokenizer.encode(documents.get(i), true, false));
            target.add(new int[] {eos});
        }
        return new TokenCorpus(train.toArray(), heldOut.toArray());
    }

    /**
     * {@code count} windows of {@code window} consecutive tokens of {@code stream}, at offsets drawn from {@code random},
     * laid end to end.
     */
    public static int[] windows(int[] stream, int window, int count, SplittableRandom random) {
        if (stream.length < window) {
            throw new IllegalArgumentException("a stream of " + stream.length + " tokens has no window of " + window);
        }
        int[] out = new int[window * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(stream, random.nextInt(stream.length - window + 1), out, i * window, window);
        }
        return out;
    }

    /** Consecutive, non-overlapping windows from the start of {@code stream} (a fixed evaluation set), at most {@code max}. */
    public static int[] consecutiveWindows(int[] stream, int window, int max) {
        int count = Math.min(max, stream.length / window);
        return Arrays.copyOf(stream, count * window);
    }

    private static final class IntBuffer {
        private int[] data = new int[1 << 16];
        private int size;

        void add(int[] values) {
            if (size + values.length > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, size + values.length));
            }
            System.arraycopy(values, 0, data, size, values.length);
            size += values.length;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
