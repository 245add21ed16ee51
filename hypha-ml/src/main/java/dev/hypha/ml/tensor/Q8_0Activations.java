package dev.hypha.ml.tensor;

/**
 * A float vector quantized to Q8_0 (blocks of 32 int8 values sharing one scale), the form llama.cpp gives
 * activations before multiplying them with Q8_0 and Q4_0 weights. Follows llama.cpp's x86 SIMD
 * {@code quantize_row_q8_0} (the path its CPU builds run): {@code q = rint(x * (127 / amax))} with ties to even,
 * and the scale {@code amax / 127} rounded through fp16 as stored in {@code block_q8_0}, so the integer dot
 * products see the same numbers as llama.cpp's.
 *
 * <p>A reusable buffer: {@link #quantize} overwrites it.
 */
public final class Q8_0Activations {
    public static final int BLOCK = 32;

    final byte[] qs;
    /** {@link #qs} widened to shorts once per quantization: the kernels multiply in 16-bit lanes, and every weight row reuses it. */
    final short[] wide;
    final float[] scales;
    /** Adjacent pairs of {@link #qs} packed into ints (low half even element): one broadcast feeds a row-interleaved kernel. */
    final int[] pairs;
    /** The sum of the 32 quantized values of each block. */
    final int[] blockSums;
    /**
     * Q8_1's {@code s} of each block: the unrounded scale {@code amax / 127} times the block's sum, rounded through fp16
     * as llama.cpp's x86 {@code quantize_row_q8_1} stores it (the activations Q4_1 and Q5_1 weights are multiplied with;
     * Q8_1's values and {@code d} are Q8_0's).
     */
    final float[] q81Sums;
    private final float[] unrounded;
    private final int capacity;

    /** A buffer for vectors of up to {@code capacity} elements (a multiple of 32). */
    public Q8_0Activations(int capacity) {
        if (capacity <= 0 || capacity % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 activations need a positive multiple of 32 elements, got " + capacity);
        }
        this.capacity = capacity;
        this.qs = new byte[capacity];
        this.wide = new short[capacity];
        this.scales = new float[capacity / BLOCK];
        this.pairs = new int[capacity / 2];
        this.blockSums = new int[capacity / BLOCK];
        this.q81Sums = new float[capacity / BLOCK];
        this.unrounded = new float[capacity / BLOCK];
    }

    /** Quantizes {@code x[off..off+n)}; {@code n} must be a multiple of 32 and fit the buffer. */
    public Q8_0Activations quantize(float[] x, int off, int n) {
        if (n % BLOCK != 0 || n > capacity) {
            throw new IllegalArgumentException("cannot quantize " + n + " elements to Q8_0 in a buffer of " + capacity);
        }
        for (int b = 0; b < n / BLOCK; b++) {
            int base = off + b * BLOCK;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float d = amax / 127.0f;
            float id = amax != 0 ? 127.0f / amax : 0.0f;
            scales[b] = Numbers.halfToFloat(Numbers.floatToHalf(d));
            unrounded[b] = d;
            for (int j = 0; j < BLOCK; j++) {
                qs[b * BLOCK + j] = (byte) (int) Math.rint(x[base + j] * id);
            }
        }
        for (int i = 0; i < n; i++) {
            wide[i] = qs[i];
        }
        QuantLayouts.pairUp(qs, n, pairs);
        for (int b = 0; b < n / BLOCK; b++) {
            int sum = 0;
            for (int j = 0; j < BLOCK; j++) {
                sum += qs[b * BLOCK + j];
            }
            blockSums[b] = sum;
            q81Sums[b] = Numbers.halfToFloat(Numbers.floatToHalf(unrounded[b] * sum));
        }
        return this;
    }

    /** The quantized value at element {@code i}. */
    public byte quant(int i) {
        return qs[i];
    }

    /** The scale of block {@code b}. */
    public float scale(int b) {
        return scales[b];
    }
}
