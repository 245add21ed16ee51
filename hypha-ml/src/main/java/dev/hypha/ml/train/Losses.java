package dev.hypha.ml.train;

/**
 * Scalar losses, averaged over the batch. Sums run in index order and exp/log go through {@link StrictMath}, so a loss
 * and its gradient are the same bits on every machine.
 */
public final class Losses {
    private Losses() {}

    /** Softmax cross-entropy of {@code logits} [batch, classes] against class indices, mean over the batch. */
    public static Tensor crossEntropy(Forward f, Tensor logits, int[] labels) {
        int batch = logits.dim(0);
        int classes = logits.size() / batch;
        if (labels.length != batch) {
            throw new IllegalArgumentException("cross-entropy got " + labels.length + " labels for a batch of " + batch);
        }
        float[] z = logits.data();
        float[] probabilities = new float[z.length];
        double total = 0;
        for (int s = 0; s < batch; s++) {
            int label = labels[s];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " of sample " + s + " is not a class of 0.." + (classes - 1));
            }
            int base = s * classes;
            float max = z[base];
            for (int c = 1; c < classes; c++) {
                max = Math.max(max, z[base + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double e = StrictMath.exp(z[base + c] - max);
                probabilities[base + c] = (float) e;
                sum += e;
            }
            for (int c = 0; c < classes; c++) {
                probabilities[base + c] = (float) (probabilities[base + c] / sum);
            }
            total += StrictMath.log(sum) + max - z[base + label];
        }
        boolean tracked = f.records(logits);
        Tensor loss = f.output(tracked, new float[] {(float) (total / batch)}, 1);
        if (tracked) {
            f.tape().record(() -> {
                float scale = loss.grad()[0] / batch;
                float[] dz = logits.grad();
                for (int s = 0; s < batch; s++) {
                    for (int c = 0; c < classes; c++) {
                        float target = c == labels[s] ? 1f : 0f;
                        dz[s * classes + c] += (probabilities[s * classes + c] - target) * scale;
                    }
                }
            });
        }
        return loss;
    }

    /** Mean squared error of {@code prediction} against {@code target} (same size), mean over all elements. */
    public static Tensor meanSquaredError(Forward f, Tensor prediction, float[] target) {
        float[] p = prediction.data();
        if (target.length != p.length) {
            throw new IllegalArgumentException("MSE target has " + target.length + " elements, prediction " + p.length);
        }
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] - target[i];
            total += d * d;
        }
        boolean tracked = f.records(prediction);
        Tensor loss = f.output(tracked, new float[] {(float) (total / p.length)}, 1);
        if (tracked) {
            f.tape().record(() -> {
                float scale = 2f * loss.grad()[0] / p.length;
                float[] dp = prediction.grad();
                for (int i = 0; i < p.length; i++) {
                    dp[i] += (p[i] - target[i]) * scale;
                }
            });
        }
        return loss;
    }
}
