package dev.hypha.ml.tensor;

/**
 * Per-thread arrays for the interleaved kernels, made once per matrix multiply instead of once per group of rows:
 * results (and exact int partial sums) pass through them between loops because C2 boxes vectors kept live across
 * outer loops or handed to calls it does not inline.
 */
final class Scratch {
    final int[] sums;
    final int[] mins;
    final float[] results;

    Scratch(int lanes) {
        sums = new int[lanes];
        mins = new int[lanes];
        results = new float[lanes];
    }

    /** Copies {@code results[from..]} to {@code out[row..]}, only as many as there are real rows below {@code rows}. */
    void store(int from, float[] out, int row, int rows) {
        System.arraycopy(results, from, out, row, Math.min(VectorConfig.INT.length(), rows - row));
    }
}
