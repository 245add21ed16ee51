package dev.hypha.ml.train.run;

import dev.hypha.ml.train.Seeds;
import java.util.SplittableRandom;

/**
 * Which samples form the batch of each step: epoch {@code e} is a Fisher-Yates shuffle drawn from (seed, e), and
 * step {@code s} takes the {@code s mod (count / batch)}-th slice of its epoch (the last partial batch is dropped).
 * A function of the step alone, so a resumed run picks exactly the batches an uninterrupted one would.
 */
final class BatchOrder {
    private final long seed;
    private final int count;
    private final int batch;
    private final int batchesPerEpoch;
    private long cachedEpoch = -1;
    private int[] order;

    BatchOrder(long seed, int count, int batch) {
        if (batch > count) {
            throw new IllegalArgumentException("batch of " + batch + " is larger than the " + count + " samples of the split");
        }
        this.seed = seed;
        this.count = count;
        this.batch = batch;
        this.batchesPerEpoch = count / batch;
    }

    int[] indices(long step) {
        long epoch = step / batchesPerEpoch;
        if (epoch != cachedEpoch) {
            order = new int[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            SplittableRandom r = Seeds.stream(seed, Seeds.SHUFFLE, epoch);
            for (int i = count - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            cachedEpoch = epoch;
        }
        int start = (int) (step % batchesPerEpoch) * batch;
        return java.util.Arrays.copyOfRange(order, start, start + batch);
    }
}
