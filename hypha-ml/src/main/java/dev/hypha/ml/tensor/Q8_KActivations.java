package dev.hypha.ml.tensor;

/**
 * A float vector quantized to Q8_K (super-blocks of 256 int8 values with a float scale and the sums of each
 * group of 16), the form llama.cpp gives activations before multiplying them with Q4_K and Q6_K weights.
 * Follows {@code quantize_row_q8_K_ref}. A reusable buffer: {@link #quantize} overwrites it.
 */
public final class Q8_KActivations {
    public static final int BLOCK = 256;

    final byte[] qs;
    /** {@link #qs} widened to shorts once per quantization: the kernels multiply in 16-bit lanes, and every weight row reuses it. */
    final short[] wide;
    final float[] scales;
    final int[] bsums;
    /** Adjacent pairs of {@link #qs} packed into ints (low half even element): one broadcast feeds a row-interleaved kernel. */
    final int[] pairs;
    /** The sum of each sub-block of 32 quantized values (two {@link #bsums} entries). */
    final int[] sums32;
    private final int capacity;

    /** A buffer for vectors of up to {@code capacity} elements (a multiple of 256). */
    public Q8_KActivations(int capacity) {
        if (capacity <= 0 || capacity % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_K activations need a positive multiple of 256 elements, got " + capacity);
        }
        this.capacity = capacity;
        this.qs = new byte[capacity];
        this.wide = new short[capacity];
        this.scales = new float[capacity / BLOCK];
        this.bsums = new int[capacity / 16];
        this.pairs = new int[capacity / 2];
        this.sums32 = new int[capacity / 32];
    }

    /** Quantizes {@code x[off..off+n)}; {@code n} must be a multiple of 256 and fit the buffer. */
    public Q8_KActivations quantize(float[] x, int off, int n) {
        if (n % BLOCK != 0 || n > capacity) {
            throw new IllegalArgumentException("cannot quantize " + n + " elements to Q8_K in a buffer of " + capacity);
        }
        for (int b = 0; b < n / BLOCK; b++) {
            int base = off + b * BLOCK;
            float max = 0;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                float ax = Math.abs(x[base + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[base + j];
                }
            }
            if (amax == 0) {
                scales[b] = 0;
                java.util.Arrays.fill(qs, b * BLOCK, (b + 1) * BLOCK, (byte) 0);
                java.util.Arrays.fill(bsums, b * 16, (b + 1) * 16, 0);
                continue;
            }
            float iscale = -127.0f / max;
            for (int j = 0; j < BLOCK; j++) {
                qs[b * BLOCK + j] = (byte) Math.min(127, Numbers.nearestInt(iscale * x[base + j]));
            }
            for (int g = 0; g < 16; g++) {
                int sum = 0;
                for (int j = 0; j < 16; j++) {
                    sum += qs[b * BLOCK + g * 16 + j];
                }
                bsums[b * 16 + g] = sum;
            }
            scales[b] = 1 / iscale;
        }
        for (int i = 0; i < n; i++) {
            wide[i] = qs[i];
        }
        QuantLayouts.pairUp(qs, n, pairs);
        for (int j = 0; j < n / 32; j++) {
            sums32[j] = bsums[2 * j] + bsums[2 * j + 1];
        }
        return this;
    }
}
