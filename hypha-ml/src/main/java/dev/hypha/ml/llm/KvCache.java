package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.Numbers;
import java.util.Locale;

/**
 * Keys and values of every layer for positions 0..contextSize-1 ([position][kvDim] per layer), stored as F32, or as
 * F16 or Q8_0 to halve or nearly quarter the cache's memory (llama.cpp's {@code -ctk/-ctv f16|q8_0}; its default is
 * F16).
 *
 * <p>The reduced types compute attention as llama.cpp does with them, so both engines agree: F16 rounds each query to
 * fp16 before its dot products with the fp16 keys and rounds the normalized attention weights to fp16 before they
 * weight the fp16 values (its plain attention path multiplies an F16 cache with F16-converted operands); Q8_0 stores
 * blocks of 32 int8 values with an fp16 scale, quantized as ggml's x86 {@code quantize_row_q8_0}, and scores a query
 * quantized the same way with exact integer block sums times both scales (its flash-attention path, which a Q8_0 value
 * cache requires there), the values weighted unnormalized and divided by the sum at the end. Q8_0 blocks lie within
 * one head, so it needs a head length that is a multiple of 32.
 */
public final class KvCache {
    /** How keys and values are stored. */
    public enum Type {
        F32(4.0), F16(2.0), Q8_0(34.0 / 32);

        private final double bytesPerValue;

        Type(double bytesPerValue) {
            this.bytesPerValue = bytesPerValue;
        }

        /** The type named {@code name} (f32, f16, q8_0, any case), or an error listing the choices. */
        public static Type parse(String name) {
            for (Type t : values()) {
                if (t.name().equalsIgnoreCase(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown KV cache type '" + name + "'; choose f32, f16 or q8_0");
        }

        public String lowerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final int BLOCK = 32;

    final float[][] keys;
    final float[][] values;
    private final short[][] keys16;
    private final short[][] values16;
    private final byte[][] keys8;
    private final byte[][] values8;
    private final short[][] keyScales;
    private final short[][] valueScales;
    private final int contextSize;
    private final int kvDim;
    private final int headDim;
    private final Type type;

    public KvCache(ModelConfig c, int contextSize) {
        this(c, contextSize, Type.F32);
    }

    public KvCache(ModelConfig c, int contextSize, Type type) {
        if (contextSize <= 0 || contextSize > c.contextLength()) {
            throw new IllegalArgumentException("context size must be between 1 and the model's context length "
                    + c.contextLength() + ", got " + contextSize);
        }
        if (type == Type.Q8_0 && c.headDim() % BLOCK != 0) {
            throw new IllegalArgumentException("a Q8_0 KV cache needs a head length that is a multiple of 32 (its blocks "
                    + "must not cross heads); this model's is " + c.headDim() + ": use f16");
        }
        long perLayer = (long) contextSize * c.kvDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV cache of " + contextSize + " positions x " + c.kvDim()
                    + " values per layer is too large; choose a smaller context size");
        }
        long bytes = (long) Math.ceil(2.0 * c.layers() * perLayer * type.bytesPerValue);
        long available = Runtime.getRuntime().maxMemory() - (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        if (bytes > available) {
            throw new IllegalArgumentException("a KV cache of " + contextSize + " positions needs " + (bytes >> 20) + " MiB but only about "
                    + (available >> 20) + " MiB of heap are free; choose a smaller context size, a smaller cache type "
                    + "(f16, q8_0) or raise -Xmx");
        }
        this.contextSize = contextSize;
        this.kvDim = c.kvDim();
        this.headDim = c.headDim();
        this.type = type;
        int layers = c.layers();
        int n = (int) perLayer;
        this.keys = type == Type.F32 ? new float[layers][n] : null;
        this.values = type == Type.F32 ? new float[layers][n] : null;
        this.keys16 = type == Type.F16 ? new short[layers][n] : null;
        this.values16 = type == Type.F16 ? new short[layers][n] : null;
        this.keys8 = type == Type.Q8_0 ? new byte[layers][n] : null;
        this.values8 = type == Type.Q8_0 ? new byte[layers][n] : null;
        this.keyScales = type == Type.Q8_0 ? new short[layers][n / BLOCK] : null;
        this.valueScales = type == Type.Q8_0 ? new short[layers][n / BLOCK] : null;
    }

    public int contextSize() {
        return contextSize;
    }

    public int kvDim() {
        return kvDim;
    }

    public Type type() {
        return type;
    }

    /** Bytes held by the cache (Q8_0: 32 int8 values and a 2-byte scale per block, as ggml stores it). */
    public long byteSize() {
        return (long) Math.ceil(2.0 * (type == Type.F32 ? keys.length : type == Type.F16 ? keys16.length : keys8.length)
                * contextSize * kvDim * type.bytesPerValue);
    }

    /** Stores position {@code pos}'s key and value rows of {@code layer}. */
    void store(int layer, int pos, float[] k, float[] v) {
        int off = pos * kvDim;
        switch (type) {
            case F32 -> {
                System.arraycopy(k, 0, keys[layer], off, kvDim);
                System.arraycopy(v, 0, values[layer], off, kvDim);
            }
            case F16 -> {
                for (int i = 0; i < kvDim; i++) {
                    keys16[layer][off + i] = Numbers.floatToHalf(k[i]);
                    values16[layer][off + i] = Numbers.floatToHalf(v[i]);
                }
            }
            case Q8_0 -> {
                quantize(k, 0, kvDim, keys8[layer], off, keyScales[layer], off / BLOCK);
                quantize(v, 0, kvDim, values8[layer], off, valueScales[layer], off / BLOCK);
            }
        }
    }

    /**
     * ggml's x86 {@code quantize_row_q8_0}: per block of 32, {@code q = rint(x * 127 / amax)} (ties to even) and the
     * scale {@code amax / 127} stored as fp16.
     */
    static void quantize(float[] x, int xOff, int n, byte[] q, int qOff, short[] scales, int sOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int base = xOff + b * BLOCK;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float id = amax != 0 ? 127.0f / amax : 0.0f;
            scales[sOff + b] = Numbers.floatToHalf(amax / 127.0f);
            for (int j = 0; j < BLOCK; j++) {
                q[qOff + b * BLOCK + j] = (byte) (int) Math.rint(x[base + j] * id);
            }
        }
    }

    /**
     * Attention of one query head over positions {@code first..first+len)} of {@code layer}, for the reduced types
     * (F32 runs {@link Session}'s own loop): {@code out[outOff..outOff+headDim)} receives the weighted values.
     *
     * @param kvOff  the head's offset within a key/value row
     * @param scores scratch of at least {@code len} floats
     * @param sink   gpt-oss's attention sink score for this head (counted in the softmax, carries no value), or NaN
     */
    void attend(int layer, float[] q, int qOff, int kvOff, int first, int len, float scale, float cap, MathMode math,
                float sink, float[] scores, float[] out, int outOff) {
        float invCap = cap == 0f ? 0f : 1.0f / cap;
        float max = Float.NEGATIVE_INFINITY;
        if (type == Type.F16) {
            float[] qh = new float[headDim];
            for (int d = 0; d < headDim; d++) {
                qh[d] = Numbers.halfToFloat(Numbers.floatToHalf(q[qOff + d]));
            }
            short[] ks = keys16[layer];
            for (int s = 0; s < len; s++) {
                int row = (first + s) * kvDim + kvOff;
                float dot = 0;
                for (int d = 0; d < headDim; d++) {
                    dot += qh[d] * Numbers.halfToFloat(ks[row + d]);
                }
                scores[s] = capped(dot * scale, cap, invCap, math);
                max = Math.max(max, scores[s]);
            }
        } else {
            byte[] qq = new byte[headDim];
            short[] qs = new short[headDim / BLOCK];
            quantize(q, qOff, headDim, qq, 0, qs, 0);
            byte[] ks = keys8[layer];
            short[] kscale = keyScales[layer];
            for (int s = 0; s < len; s++) {
                int row = (first + s) * kvDim + kvOff;
                float dot = 0;
                for (int b = 0; b < headDim / BLOCK; b++) {
                    int isum = 0;
                    for (int j = 0; j < BLOCK; j++) {
                        isum += qq[b * BLOCK + j] * ks[row + b * BLOCK + j];
                    }
                    dot += isum * (Numbers.halfToFloat(kscale[(row / BLOCK) + b]) * Numbers.halfToFloat(qs[b]));
                }
                scores[s] = capped(dot * scale, cap, invCap, math);
                max = Math.max(max, scores[s]);
            }
        }
        if (!Float.isNaN(sink)) {
            max = Math.max(max, sink);
        }
        double sum = 0;
        for (int s = 0; s < len; s++) {
            float e = (float) math.exp(scores[s] - max);
            scores[s] = e;
            sum += e;
        }
        if (!Float.isNaN(sink)) {
            sum += (float) math.exp(sink - max);
        }
        float inv = (float) (1.0 / sum);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        if (type == Type.F16) {
            short[] vs = values16[layer];
            for (int s = 0; s < len; s++) {
                float w = Numbers.halfToFloat(Numbers.floatToHalf(scores[s] * inv));
                int row = (first + s) * kvDim + kvOff;
                for (int d = 0; d < headDim; d++) {
                    out[outOff + d] += w * Numbers.halfToFloat(vs[row + d]);
                }
            }
        } else {
            byte[] vs = values8[layer];
            short[] vscale = valueScales[layer];
            for (int s = 0; s < len; s++) {
                float w = scores[s];
                int row = (first + s) * kvDim + kvOff;
                for (int b = 0; b < headDim / BLOCK; b++) {
                    float d8 = Numbers.halfToFloat(vscale[(row / BLOCK) + b]);
                    for (int j = 0; j < BLOCK; j++) {
                        out[outOff + b * BLOCK + j] += w * (vs[row + b * BLOCK + j] * d8);
                    }
                }
            }
            for (int d = 0; d < headDim; d++) {
                out[outOff + d] *= inv;
            }
        }
    }

    private static float capped(float sc, float cap, float invCap, MathMode math) {
        return cap == 0f ? sc : (float) math.tanh(sc * invCap) * cap;
    }
}
