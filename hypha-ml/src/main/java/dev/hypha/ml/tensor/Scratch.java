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
}
