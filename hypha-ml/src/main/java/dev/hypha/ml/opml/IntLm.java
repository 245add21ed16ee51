package dev.hypha.ml.opml;

import dev.hypha.core.crypto.Hashes;
import java.nio.ByteBuffer;

/**
 * An integer-only decoder built so that a contract can recompute any one of its operations exactly: byte tokens,
 * int8 weights and activations, int32 sums, truncating division and flooring shifts, no floating point anywhere, so
 * every run on every machine gives the same bits. Its twin is {@code contracts/src/opml/IntLm.sol}; the operations,
 * in trace order per position, are documented there and in {@link Trace}.
 *
 * <p>Shapes: V = 256 byte tokens, width D = 32, hidden F = 64, L = 2 blocks. Each block: NORM, MIX (running sum over
 * positions, the causal token mixing), AVG, MM1, RELU, MM2, ADD (residual). The head: NORM, LOGITS, SAMPLE (argmax with
 * seeded tie-breaking noise). It is a small model made for verification, not the engine's float LLM: the float engine's
 * deterministic mode is reproducible but not something a contract can recompute.
 */
public final class IntLm {
    public static final int V = 256;
    public static final int D = 32;
    public static final int F = 64;
    public static final int L = 2;
    public static final int SLOTS = 4;
    public static final int OPS = 8;
    /** Leaves per position. */
    public static final int LEAVES_PER_POSITION = SLOTS * OPS;
    public static final int SHIFT = 6;
    public static final int NORM_SCALE = 32;
    /** Most positions (prompt length + output length - 1) a verifiable generation may run. */
    public static final int MAX_POSITIONS = 32;

    private final IntLmWeights weights;
    private final int fullBlocks;

    /** The model with these weights. */
    public IntLm(IntLmWeights weights) {
        this(weights, L);
    }

    private IntLm(IntLmWeights weights, int fullBlocks) {
        this.weights = weights;
        this.fullBlocks = fullBlocks;
    }

    /**
     * A model that computes blocks from {@code fullBlocks} on with no feed-forward contribution (MM1, RELU and MM2
     * outputs zero): what a provider that truncates the computation to save work would commit. Exists to test that
     * such a provider loses its disputes.
     */
    public static IntLm truncated(IntLmWeights weights, int fullBlocks) {
        if (fullBlocks < 0 || fullBlocks >= L) {
            throw new IllegalArgumentException("fullBlocks must be in 0.." + (L - 1) + ", was " + fullBlocks);
        }
        return new IntLm(weights, fullBlocks);
    }

    public IntLmWeights weights() {
        return weights;
    }

    /** Generates {@code outputLength} tokens after {@code prompt} (teacher forcing never applies: tokens are sampled). */
    public byte[] generate(byte[] prompt, int outputLength, long seed) {
        checkLengths(prompt.length, outputLength);
        byte[] tokens = new byte[prompt.length + outputLength];
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        int[][] sums = new int[SLOTS][D];
        int positions = prompt.length + outputLength - 1;
        for (int pos = 0; pos < positions; pos++) {
            byte[][] leaves = position(pos, tokens[pos] & 0xFF, seed, sums);
            if (pos + 1 >= prompt.length) {
                tokens[pos + 1] = leaves[SAMPLE_LEAF][0];
            }
        }
        byte[] out = new byte[outputLength];
        System.arraycopy(tokens, prompt.length, out, 0, outputLength);
        return out;
    }

    /**
     * The trace of this model run over {@code prompt} then {@code output} (teacher-forced: each position reads the
     * claimed token, and the SAMPLE operations show what the model would have produced).
     */
    public Trace trace(byte[] prompt, byte[] output, long seed) {
        checkLengths(prompt.length, output.length);
        int positions = prompt.length + output.length - 1;
        byte[][] leaves = new byte[Trace.paddedPositions(positions) * LEAVES_PER_POSITION][];
        int[][] sums = new int[SLOTS][D];
        for (int pos = 0; pos < positions; pos++) {
            int token = (pos < prompt.length ? prompt[pos] : output[pos - prompt.length]) & 0xFF;
            byte[][] one = position(pos, token, seed, sums);
            System.arraycopy(one, 0, leaves, pos * LEAVES_PER_POSITION, LEAVES_PER_POSITION);
        }
        return new Trace(prompt, output, seed, weights.root(), leaves);
    }

    static void checkLengths(int promptLength, int outputLength) {
        if (promptLength < 1 || outputLength < 1 || promptLength + outputLength - 1 > MAX_POSITIONS) {
            throw new IllegalArgumentException("a verifiable generation needs a prompt and an output of at least one token"
                    + " and at most " + MAX_POSITIONS + " positions (prompt + output - 1); got prompt " + promptLength
                    + ", output " + outputLength);
        }
    }

    static final int SAMPLE_LEAF = (L + 1) * OPS + 2;

    /** The 32 leaf outputs of one position (null = padding); {@code sums} carries each block's MIX state. */
    private byte[][] position(int pos, int token, long seed, int[][] sums) {
        byte[][] out = new byte[LEAVES_PER_POSITION][];
        byte[] x = weights.rowView(IntLmWeights.embRow(token)).clone();
        out[0] = x;
        for (int l = 0; l < L; l++) {
            int base = (1 + l) * OPS;
            byte[] y = norm(x);
            int[] s = sums[1 + l];
            for (int i = 0; i < D; i++) {
                s[i] += y[i];
            }
            byte[] a = new byte[D];
            for (int i = 0; i < D; i++) {
                a[i] = clamp(s[i] / (pos + 1));
            }
            byte[] h = new byte[F];
            byte[] g = new byte[F];
            byte[] o = new byte[D];
            if (l < fullBlocks) {
                for (int r = 0; r < F; r++) {
                    h[r] = dotRow(weights.rowView(IntLmWeights.w1Row(l, r)), a);
                    g[r] = h[r] > 0 ? h[r] : 0;
                }
                for (int i = 0; i < D; i++) {
                    o[i] = dotRow(weights.rowView(IntLmWeights.w2Row(l, i)), g);
                }
            }
            byte[] z = new byte[D];
            for (int i = 0; i < D; i++) {
                z[i] = clamp(x[i] + o[i]);
            }
            out[base] = y;
            out[base + 1] = int32s(s);
            out[base + 2] = a;
            out[base + 3] = h;
            out[base + 4] = g;
            out[base + 5] = o;
            out[base + 6] = z;
            x = z;
        }
        int head = (L + 1) * OPS;
        byte[] y = norm(x);
        byte[] logits = new byte[V];
        for (int v = 0; v < V; v++) {
            logits[v] = dotRow(weights.rowView(IntLmWeights.headRow(v)), y);
        }
        out[head] = y;
        out[head + 1] = logits;
        out[head + 2] = new byte[] {(byte) sample(logits, seed, pos)};
        return out;
    }

    static byte[] norm(byte[] x) {
        long ss = 0;
        for (byte b : x) {
            ss += b * b;
        }
        long rms = isqrt(ss / D) + 1;
        byte[] y = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = clamp((int) (x[i] * NORM_SCALE / rms));
        }
        return y;
    }

    /** Floor of the square root, exact (Math.sqrt alone may round up near perfect squares). */
    static long isqrt(long n) {
        long r = (long) Math.sqrt((double) n);
        while (r * r > n) {
            r--;
        }
        while ((r + 1) * (r + 1) <= n) {
            r++;
        }
        return r;
    }

    static byte dotRow(byte[] row, byte[] a) {
        int acc = 0;
        for (int j = 0; j < a.length; j++) {
            acc += row[j] * a[j];
        }
        return clamp(acc >> SHIFT);
    }

    /** argmax over v of logit·256 + noise(seed, pos, v), the lowest v on ties; noise as {@code IntLm.sol}'s sample. */
    static int sample(byte[] logits, long seed, int pos) {
        int best = 0;
        int bestScore = Integer.MIN_VALUE;
        byte[] noise = null;
        for (int v = 0; v < V; v++) {
            if (v % 32 == 0) {
                noise = Hashes.keccak256(ByteBuffer.allocate(16).putLong(seed).putInt(pos).putInt(v / 32).array());
            }
            int score = logits[v] * 256 + (noise[v % 32] & 0xFF);
            if (score > bestScore) {
                best = v;
                bestScore = score;
            }
        }
        return best;
    }

    static byte clamp(int v) {
        return (byte) Math.max(-128, Math.min(127, v));
    }

    private static byte[] int32s(int[] s) {
        ByteBuffer b = ByteBuffer.allocate(4 * s.length);
        for (int v : s) {
            b.putInt(v);
        }
        return b.array();
    }
}
