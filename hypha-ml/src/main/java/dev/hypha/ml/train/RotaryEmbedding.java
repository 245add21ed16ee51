package dev.hypha.ml.train;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Rope;

/**
 * Rotary position embedding as an operation: the inference engine's {@link Rope} (same angles, same pairs: adjacent
 * for {@link Architecture.RopeStyle#NORMAL}, halves for NEOX) applied to [tokens, heads·headDim] where token {@code i}
 * sits at position {@code i % sequenceLength}. Its backward step is the inverse rotation (the transpose).
 */
public final class RotaryEmbedding {
    private final Rope rope;
    private final Architecture.RopeStyle style;
    private final int ropeDim;
    private final float[] cos;
    private final float[] sin;
    private final int sequenceLength;

    /** Angles for positions 0..sequenceLength-1, computed once. */
    public RotaryEmbedding(Rope rope, Architecture.RopeStyle style, int ropeDim, int sequenceLength) {
        this.rope = rope;
        this.style = style;
        this.ropeDim = ropeDim;
        this.sequenceLength = sequenceLength;
        int half = ropeDim / 2;
        this.cos = new float[sequenceLength * half];
        this.sin = new float[sequenceLength * half];
        float[] c = new float[half];
        float[] s = new float[half];
        for (int p = 0; p < sequenceLength; p++) {
            rope.angles(p, c, s);
            System.arraycopy(c, 0, cos, p * half, half);
            System.arraycopy(s, 0, sin, p * half, half);
        }
    }

    /** Rotates every head of {@code x} [tokens, heads·headDim]. */
    public Tensor apply(Forward f, Tensor x, int heads, int headDim) {
        int width = heads * headDim;
        if (x.size() % width != 0 || (x.size() / width) % sequenceLength != 0) {
            throw new IllegalArgumentException("RoPE over sequences of " + sequenceLength + " tokens of " + width
                    + " features got " + x.size() + " elements");
        }
        int tokens = x.size() / width;
        float[] out = f.floats(x.size());
        System.arraycopy(x.data(), 0, out, 0, out.length);
        int half = ropeDim / 2;
        float[] c = new float[half];
        float[] s = new float[half];
        for (int t = 0; t < tokens; t++) {
            int p = t % sequenceLength;
            System.arraycopy(cos, p * half, c, 0, half);
            System.arraycopy(sin, p * half, s, 0, half);
            rope.apply(out, t * width, heads, headDim, c, s);
        }
        boolean tracked = f.records(x);
        Tensor y = f.output(tracked, out, x.shape());
        if (tracked) {
            f.tape().record(() -> backward(x, y, tokens, heads, headDim));
        }
        return y;
    }

    private void backward(Tensor x, Tensor y, int tokens, int heads, int headDim) {
        float[] dy = y.grad();
        float[] dx = x.grad();
        int width = heads * headDim;
        int half = ropeDim / 2;
        for (int t = 0; t < tokens; t++) {
            int p = t % sequenceLength;
            for (int h = 0; h < heads; h++) {
                int base = t * width + h * headDim;
                for (int i = ropeDim; i < headDim; i++) {
                    dx[base + i] += dy[base + i]; // past ropeDim: not rotated
                }
                for (int i = 0; i < half; i++) {
                    int a = style == Architecture.RopeStyle.NORMAL ? base + 2 * i : base + i;
                    int b = style == Architecture.RopeStyle.NORMAL ? a + 1 : base + i + half;
                    float c = cos[p * half + i];
                    float s = sin[p * half + i];
                    // forward: ya = xa·c − xb·s, yb = xa·s + xb·c; backward is the transpose
                    dx[a] += dy[a] * c + dy[b] * s;
                    dx[b] += dy[b] * c - dy[a] * s;
                }
            }
        }
    }
}
