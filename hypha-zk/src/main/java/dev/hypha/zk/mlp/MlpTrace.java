package dev.hypha.zk.mlp;

import java.util.ArrayList;
import java.util.List;

/**
 * One inference of an {@link Int8Mlp} with everything the circuit's witness needs: the int8 input, every layer's
 * accumulators, and for every hidden layer its int8 output y and the values that prove y is the requantization of acc:
 * the quotient q = ⌊(acc·M + 2^(k−1)) / 2^k⌋, the remainder rem (0 ≤ rem < 2^k) and the clamp excess e
 * (q − y when clamped at 127, y − q when clamped at lo, else 0).
 */
public record MlpTrace(long[] input, List<long[]> accumulators, List<Hidden> hidden) {
    /** A hidden layer's requantization witness, one entry per neuron. */
    public record Hidden(long[] output, long[] quotient, long[] remainder, long[] excess) {}

    public static MlpTrace of(Int8Mlp model, byte[] pixels) {
        if (pixels.length != model.inputSize()) {
            throw new IllegalArgumentException("the model takes " + model.inputSize() + " pixels, got " + pixels.length);
        }
        long[] x = Int8Mlp.quantizeInput(pixels);
        List<long[]> accs = new ArrayList<>();
        List<Hidden> hidden = new ArrayList<>();
        long[] h = x;
        for (Int8Mlp.Layer layer : model.layers()) {
            long[] acc = new long[layer.out()];
            for (int o = 0; o < layer.out(); o++) {
                long sum = layer.biasAt(o);
                for (int i = 0; i < layer.in(); i++) {
                    sum += layer.weight(o, i) * h[i];
                }
                acc[o] = sum;
            }
            accs.add(acc);
            if (layer.hidden()) {
                Hidden w = requantize(layer.requant(), acc);
                hidden.add(w);
                h = w.output();
            }
        }
        return new MlpTrace(x, accs, hidden);
    }

    /** Requantization with its witness; floorDiv/floorMod make the quotient and remainder exact for negative acc. */
    public static Hidden requantize(Int8Mlp.Requant rq, long[] acc) {
        int n = acc.length;
        long[] y = new long[n];
        long[] q = new long[n];
        long[] rem = new long[n];
        long[] e = new long[n];
        long pow = 1L << rq.shift();
        for (int o = 0; o < n; o++) {
            long t = acc[o] * rq.multiplier() + rq.rounding();
            q[o] = Math.floorDiv(t, pow);
            rem[o] = Math.floorMod(t, pow);
            y[o] = Math.max(rq.lo(), Math.min(rq.hi(), q[o]));
            e[o] = y[o] == rq.hi() ? q[o] - y[o] : y[o] == rq.lo() ? y[o] - q[o] : 0;
        }
        return new Hidden(y, q, rem, e);
    }

    public long[] logits() {
        return accumulators.getLast().clone();
    }

    public int predictedClass() {
        return Int8Mlp.argmax(accumulators.getLast());
    }
}
