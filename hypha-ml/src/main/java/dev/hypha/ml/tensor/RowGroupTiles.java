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

    /** A kernel whose batch path unpacks each block of a row group once into L1 and streams every token over it. */
    interface UnpackedKernel {
        /** Unpacks the block record at {@code rec} into the kernel's own scratch. */
        void unpack(long rec);

        /** Adds block {@code b} (record {@code rec}, unpacked) times token {@code t} to {@code acc[off..off+ROWS)}. */
        void one(long rec, int b, int t, float[] acc, int off);

        /** {@link #one} for tokens {@code t} and {@code t + 1}, at {@code off} and {@code off + ROWS}. */
        void two(long rec, int b, int t, float[] acc, int off);
    }

    /**
     * {@code out[t][r]} for the rows of groups {@code [g0, g1)} and tokens {@code t < tokens}: each of a group's
     * {@code blocks} records ({@code recordBytes} apiece) unpacked once, then the tokens in pairs and the odd one alone.
     */
    static void runUnpacked(int rows, int g0, int g1, int blocks, long recordBytes, int tokens, float[][] out, UnpackedKernel kernel) {
        int lanes = VectorConfig.INT.length();
        float[] acc = Scratch.get().floats(tokens * lanes);
        for (int g = g0; g < g1; g++) {
            long base = g * blocks * recordBytes;
            java.util.Arrays.fill(acc, 0f);
            for (int b = 0; b < blocks; b++) {
                long rec = base + b * recordBytes;
                kernel.unpack(rec);
                int t = 0;
                for (; t + 2 <= tokens; t += 2) {
                    kernel.two(rec, b, t, acc, t * lanes);
                }
                for (; t < tokens; t++) {
                    kernel.one(rec, b, t, acc, t * lanes);
                }
            }
            int row = g * lanes;
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(acc, t * lanes, out[t], row, Math.min(lanes, rows - row));
            }
        }
    }
}
