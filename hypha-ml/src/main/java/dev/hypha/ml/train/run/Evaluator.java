package dev.hypha.ml.train.run;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.Forward;
import dev.hypha.ml.train.Losses;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.ImageSplit;

/** Mean cross-entropy and accuracy of a network on a split, in evaluation mode (no dropout, nothing recorded). */
public final class Evaluator {
    private Evaluator() {}

    public record Score(double loss, double accuracy, int samples) {}

    public static Score evaluate(Network network, ImageSplit split, FloatMatMul gemm) {
        int batch = 500;
        double lossSum = 0;
        int correct = 0;
        Forward f = Forward.evaluation(gemm);
        for (int from = 0; from < split.count(); from += batch) {
            int n = Math.min(batch, split.count() - from);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = from + i;
            }
            int[] labels = split.labels(idx);
            Tensor logits = network.forward(f, Tensor.constant(split.images(idx), n, 1, split.height(), split.width()));
            lossSum += Losses.crossEntropy(f, logits, labels).data()[0] * (double) n;
            int classes = logits.size() / n;
            float[] z = logits.data();
            for (int s = 0; s < n; s++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (z[s * classes + c] > z[s * classes + best]) {
                        best = c;
                    }
                }
                if (best == labels[s]) {
                    correct++;
                }
            }
        }
        return new Score(lossSum / split.count(), (double) correct / split.count(), split.count());
    }
}
