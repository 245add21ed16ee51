package dev.hypha.ml.train;

import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter): Adam's update plus decoupled weight decay {@code p -= lr·λ·p} on matrices and
 * kernels (not biases). Bias corrections use {@link StrictMath#pow}, fixed by specification.
 */
public final class AdamW implements Optimizer {
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final List<float[]> first = new ArrayList<>();
    private final List<float[]> second = new ArrayList<>();

    public AdamW(List<Tensor> parameters, float beta1, float beta2, float epsilon, float weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        for (Tensor p : parameters) {
            first.add(new float[p.size()]);
            second.add(new float[p.size()]);
        }
    }

    @Override
    public void update(List<Tensor> parameters, float lr, long step) {
        float correction1 = (float) (1 - StrictMath.pow(beta1, step + 1));
        float correction2 = (float) (1 - StrictMath.pow(beta2, step + 1));
        for (int k = 0; k < parameters.size(); k++) {
            Tensor t = parameters.get(k);
            float[] p = t.data();
            float[] g = t.grad();
            float[] m = first.get(k);
            float[] v = second.get(k);
            float decay = t.rank() > 1 ? weightDecay : 0f;
            for (int i = 0; i < p.length; i++) {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                float mHat = m[i] / correction1;
                float vHat = v[i] / correction2;
                p[i] -= lr * (mHat / ((float) Math.sqrt(vHat) + epsilon) + decay * p[i]);
            }
        }
    }

    @Override
    public List<float[]> state() {
        List<float[]> all = new ArrayList<>();
        for (int k = 0; k < first.size(); k++) {
            all.add(first.get(k));
            all.add(second.get(k));
        }
        return all;
    }

    @Override
    public List<String> stateNames() {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < first.size(); k++) {
            names.add("adamw.m." + k);
            names.add("adamw.v." + k);
        }
        return names;
    }
}
