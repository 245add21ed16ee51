package dev.hypha.ml.train.int8;

import java.util.ArrayList;
import java.util.List;

/**
 * An int8 CNN classifier and its exact integer inference: the image's pixel bytes mapped to int8 as
 * {@link QuantizedMlp#quantizeInput} does, then each {@link QuantizedConv} block (conv, requantize with optional ReLU,
 * max-pool), then the flattened [channels, h, w] vector through the {@link QuantizedDense} layers; the class is the
 * first argmax of the last layer's accumulators. Integers only, so the prediction is the same on every machine.
 */
public record QuantizedCnn(int channels, int height, int width, List<QuantizedConv> convs, List<QuantizedDense> dense) {
    public QuantizedCnn {
        convs = List.copyOf(convs);
        dense = List.copyOf(dense);
        if (convs.isEmpty() || dense.isEmpty()) {
            throw new IllegalArgumentException("a quantized CNN needs at least one conv block and one linear layer");
        }
        if (channels < 1 || height < 1 || width < 1 || (long) channels * height * width > 1 << 20) {
            throw new IllegalArgumentException("input must be 1..2^20 values, got " + channels + "x" + height + "x" + width);
        }
        int c = channels;
        int h = height;
        int w = width;
        for (int l = 0; l < convs.size(); l++) {
            QuantizedConv conv = convs.get(l);
            if (conv.in() != c) {
                throw new IllegalArgumentException("conv " + l + " takes " + conv.in() + " channels, the layer before gives " + c);
            }
            if (conv.outHeight(h) < conv.pool() || conv.outWidth(w) < conv.pool()) {
                throw new IllegalArgumentException("conv " + l + " (kernel " + conv.kernel() + ", padding " + conv.padding()
                        + ", pool " + conv.pool() + ") does not fit its " + h + "x" + w + " input");
            }
            h = conv.outHeight(h);
            w = conv.outWidth(w);
            h /= conv.pool();
            w /= conv.pool();
            c = conv.out();
        }
        long flat = (long) c * h * w;
        // the dense stack is an MLP over the flattened features: QuantizedMlp checks the chaining and the logits layer
        new QuantizedMlp(dense);
        if (dense.getFirst().in() != flat) {
            throw new IllegalArgumentException("the first linear layer takes " + dense.getFirst().in() + " inputs, the conv blocks give "
                    + c + "x" + h + "x" + w + " = " + flat);
        }
    }

    public int inputSize() {
        return channels * height * width;
    }

    public int classes() {
        return dense.getLast().out();
    }

    /**
     * Every intermediate vector of one inference, the witness a circuit proves: the int8 input; per conv block its
     * accumulators, its requantized activations and its pooled output (the same array when pool = 1); per linear layer
     * its accumulators and (hidden layers) its int8 output.
     */
    public record Trace(int[] input, List<long[]> convAccumulators, List<int[]> convActivations, List<int[]> pooled,
            List<long[]> denseAccumulators, List<int[]> denseActivations) {
        public long[] logits() {
            return denseAccumulators.getLast();
        }
    }

    public Trace trace(byte[] pixels) {
        if (pixels.length != inputSize()) {
            throw new IllegalArgumentException("the model takes " + inputSize() + " pixels, got " + pixels.length);
        }
        int[] x = QuantizedMlp.quantizeInput(pixels);
        List<long[]> convAccs = new ArrayList<>();
        List<int[]> convActs = new ArrayList<>();
        List<int[]> pooled = new ArrayList<>();
        int[] h = x;
        int rows = height;
        int cols = width;
        for (QuantizedConv conv : convs) {
            long[] acc = conv.accumulate(h, rows, cols);
            rows = conv.outHeight(rows);
            cols = conv.outWidth(cols);
            int[] act = new int[acc.length];
            for (int i = 0; i < acc.length; i++) {
                act[i] = conv.requantizer().apply(acc[i]);
            }
            convAccs.add(acc);
            convActs.add(act);
            h = conv.pool() == 1 ? act : QuantizedConv.maxPool(act, conv.out(), rows, cols, conv.pool());
            rows /= conv.pool();
            cols /= conv.pool();
            pooled.add(h);
        }
        List<long[]> denseAccs = new ArrayList<>();
        List<int[]> denseActs = new ArrayList<>();
        for (QuantizedDense layer : dense) {
            long[] acc = layer.accumulate(h);
            denseAccs.add(acc);
            if (!layer.isLast()) {
                int[] next = new int[acc.length];
                for (int o = 0; o < acc.length; o++) {
                    next[o] = layer.requantizer().apply(acc[o]);
                }
                denseActs.add(next);
                h = next;
            }
        }
        return new Trace(x, convAccs, convActs, pooled, denseAccs, denseActs);
    }

    /** The logits for one image's pixel bytes. */
    public long[] logits(byte[] pixels) {
        return trace(pixels).logits();
    }

    /** The predicted class: the first index of the largest logit. */
    public int predict(byte[] pixels) {
        long[] logits = logits(pixels);
        int best = 0;
        for (int c = 1; c < logits.length; c++) {
            if (logits[c] > logits[best]) {
                best = c;
            }
        }
        return best;
    }
}
