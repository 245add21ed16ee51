package dev.hypha.ml.tensor;

/**
 * The loop every row-interleaved kernel runs for tokens one and two at a time: for each group of rows, tokens in
 * pairs (each chunk of weights unpacked once for both), then the odd one alone; the results go from the thread's
 * {@link Scratch} into the output rows, as many as are real rows (the last group may be padded).
 */
final class RowGroupTiles {
    private RowGroupTiles() {}

    /** Groups of {@code VectorConfig.INT.length()} rows (one int lane per row) that {@code rows} rows fill. */
    static int groups(int rows) {
        int lanes = VectorConfig.INT.length();
        return (rows + lanes - 1) / lanes;
    }

    /** One kernel's group products; both leave their results in {@code scratch.results}. */
    interface GroupKernel {
        /** Group {@code g} times token {@code t}: {@code results[0..ROWS)}. */
        void one(int g, int t, Scratch scratch);

        /** Group {@code g} times tokens {@code t} and {@code t + 1}: {@code results[0..ROWS)} and {@code [ROWS..2 ROWS)}. */
        void two(int g, int t, Scratch scratch);
    }

    /** {@code out[t][r]} for the rows of groups {@code [g0, g1)} (of {@code rows} real rows) and tokens {@code t < tokens}. */
    static void run(int rows, int g0, int g1, int tokens, float[][] out, GroupKernel kernel) {
        int lanes = VectorConfig.INT.length();
        Scratch scratch = Scratch.get();
        for (int g = g0; g < g1; g++) {
            int row = g * lanes;
            int t = 0;
            for (; t + 2 <= tokens; t += 2) {
                kernel.two(g, t, scratch);
                scratch.store(0, out[t], row, rows);
                scratch.store(lanes, out[t + 1], row, rows);
            }
            for (; t < tokens; t++) {
                kernel.one(g, t, scratch);
                scratch.store(0, out[t], row, rows);
            }
        }
    }
}
