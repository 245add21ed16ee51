package dev.hypha.ml.train;

import dev.hypha.ml.tensor.FloatKernels;
import java.util.List;

/** Scales all gradients together so their global L2 norm is at most a limit (as PyTorch's clip_grad_norm_). */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Returns the norm before clipping. Each parameter's sum of squares is one {@link FloatKernels#dot} (fixed order),
     * and they are added in parameter order, so the norm is the same bits everywhere.
     */
    public static float clip(List<Tensor> parameters, float maxNorm) {
        double squares = 0;
        for (Tensor t : parameters) {
            squares += FloatKernels.dot(t.grad(), 0, t.grad(), 0, t.size());
        }
        float norm = (float) Math.sqrt(squares);
        if (norm > maxNorm) {
            float scale = maxNorm / (norm + 1e-6f);
            for (Tensor t : parameters) {
                float[] g = t.grad();
                for (int i = 0; i < g.length; i++) {
                    g[i] *= scale;
                }
            }
        }
        return norm;
    }
}
