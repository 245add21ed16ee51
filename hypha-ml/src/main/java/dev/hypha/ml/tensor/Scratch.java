package dev.hypha.ml.tensor;

/**
 * Per-thread arrays for the interleaved kernels ({@link #get}: one set per thread, reused by every multiply):
 * results (and exact int partial sums) pass through them between loops because C2 boxes vectors kept live across
 * outer loops or handed to calls it does not inline.
 */
final class Scratch {
    final int[] sums;
    final int[] mins;
    final float[] results;

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(() -> new Scratch(2 * VectorConfig.INT.length()));

    /** This thread's scratch, room for two tokens' results (the widest tile). */
    static Scratch get() {
        return PER_THREAD.get();
    }

    private Scratch(int lanes) {
        sums = new int[lanes];
        mins = new int[lanes];
        results = new float[lanes];
    }

    /** Copies {@code results[from..]} to {@code out[row..]}, only as many as there are real rows below {@code rows}. */
    void store(int from, float[] out, int row, int rows) {
        System.arraycopy(results, from, out, row, Math.min(VectorConfig.INT.length(), rows - row));
    }

    private short[] shorts = new short[0];
    private int[] ints = new int[0];
    private int[] moreInts = new int[0];
    private float[] floats = new float[0];

    /** A short array of at least {@code n} elements for unpacked weights (contents undefined), reused by this thread. */
    short[] shorts(int n) {
        if (shorts.length < n) {
            shorts = new short[n];
        }
        return shorts;
    }

    /** An int array of at least {@code n} elements (contents undefined), reused by this thread. */
    int[] ints(int n) {
        if (ints.length < n) {
            ints = new int[n];
        }
        return ints;
    }

    /** A second int array of at least {@code n} elements (contents undefined), reused by this thread. */
    int[] moreInts(int n) {
        if (moreInts.length < n) {
            moreInts = new int[n];
        }
        return moreInts;
    }

    /** A float array of at least {@code n} elements (contents undefined), reused by this thread. */
    float[] floats(int n) {
        if (floats.length < n) {
            floats = new float[n];
        }
        return floats;
    }
}
