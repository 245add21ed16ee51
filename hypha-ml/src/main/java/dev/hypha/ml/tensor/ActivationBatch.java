package dev.hypha.ml.tensor;

/**
 * A batch of activation vectors (one per token) that feeds matrix multiplications, with its Q8_0 / Q8_K
 * quantized forms computed once and shared by every matrix that reads the same input (Q, K and V; gate and up).
 *
 * <p>Call {@link #updated(int)} after writing new values so stale quantized forms are not reused.
 */
public final class ActivationBatch {
    private final float[][] values;
    private final int dim;
    private int count;
    private Q8_0Activations[] q80;
    private Q8_KActivations[] q8k;
    private boolean q80Fresh;
    private boolean q8kFresh;

    /** Room for {@code maxCount} vectors of {@code dim} floats. */
    public ActivationBatch(int maxCount, int dim) {
        if (maxCount <= 0 || dim <= 0) {
            throw new IllegalArgumentException("activation batch needs positive sizes, got " + maxCount + " x " + dim);
        }
        this.values = new float[maxCount][dim];
        this.dim = dim;
    }

    /** The float vector of token {@code t} (write into it, then call {@link #updated}). */
    public float[] row(int t) {
        return values[t];
    }

    /** Vector length. */
    public int dim() {
        return dim;
    }

    /** Number of valid vectors. */
    public int count() {
        return count;
    }

    /** Capacity in vectors. */
    public int capacity() {
        return values.length;
    }

    /** Declares that the first {@code count} vectors hold new values. */
    public void updated(int count) {
        if (count < 0 || count > values.length) {
            throw new IllegalArgumentException("batch holds at most " + values.length + " vectors, not " + count);
        }
        this.count = count;
        this.q80Fresh = false;
        this.q8kFresh = false;
    }

    Q8_0Activations q80(int t) {
        if (!q80Fresh) {
            if (q80 == null) {
                q80 = new Q8_0Activations[values.length];
                for (int i = 0; i < values.length; i++) {
                    q80[i] = new Q8_0Activations(dim);
                }
            }
            for (int i = 0; i < count; i++) {
                q80[i].quantize(values[i], 0, dim);
            }
            q80Fresh = true;
        }
        return q80[t];
    }

    Q8_KActivations q8k(int t) {
        if (!q8kFresh) {
            if (q8k == null) {
                q8k = new Q8_KActivations[values.length];
                for (int i = 0; i < values.length; i++) {
                    q8k[i] = new Q8_KActivations(dim);
                }
            }
            for (int i = 0; i < count; i++) {
                q8k[i].quantize(values[i], 0, dim);
            }
            q8kFresh = true;
        }
        return q8k[t];
    }

    /** Makes sure the quantized form needed by {@code type} exists before threads read it concurrently. */
    void prepareFor(GgmlType type) {
        if (count == 0) {
            return;
        }
        switch (type) {
            case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, MXFP4 -> q80(0);
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS -> q8k(0);
            default -> { }
        }
    }
}
