package dev.hypha.ml.train;

import java.util.ArrayList;
import java.util.List;

/**
 * SGD with (heavy-ball) momentum and decoupled weight decay, as PyTorch's {@code SGD}: {@code v = μ·v + g},
 * {@code p -= lr·(v + λ·p)}. Weight decay applies to matrices and kernels only, not biases.
 */
public final class Sgd implements Optimizer {
    private final float momentum;
    private final float weightDecay;
    private final List<float[]> velocity = new ArrayList<>();

    public Sgd(List<Tensor> parameters, float momentum, float weightDecay) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        for (Tensor p : parameters) {
            velocity.add(new float[p.size()]);
        }
    }

    @Override
    public void update(List<Tensor> parameters, float lr, long step) {
        for (int k = 0; k < parameters.size(); k++) {
            Tensor t = parameters.get(k);
            float[] p = t.data();
            float[] g = t.grad();
            float[] v = velocity.get(k);
            float decay = t.rank() > 1 ? weightDecay : 0f;
            for (int i = 0; i < p.length; i++) {
                v[i] = momentum * v[i] + g[i];
                p[i] -= lr * (v[i] + decay * p[i]);
            }
        }
    }

    @Override
    public List<float[]> state() {
        return velocity;
    }

    @Override
    public List<String> stateNames() {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < velocity.size(); k++) {
            names.add("sgd.velocity." + k);
        }
        return names;
    }
}
