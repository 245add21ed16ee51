package dev.hypha.ml.train.int8;

import java.util.ArrayList;
import java.util.List;

/**
 * An int8 MLP classifier and its exact integer inference. The input is the image's pixel bytes (0..255), mapped to int8
 * at scale 1/127 by q = ⌊(254·p + 255) / 510⌋ = round-half-up(p·127/255); then each {@link QuantizedDense} in turn; the
 * predicted class is the index of the largest logit (the first one on a tie). Every step is integer arithmetic, so the
 * prediction is the same on every machine, and it is what the ZK circuit will prove.
 */
public record QuantizedMlp(List<QuantizedDense> layers) {
    public QuantizedMlp {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a quantized MLP needs at least one layer");
        }
        for (int l = 0; l < layers.size(); l++) {
            QuantizedDense layer = layers.get(l);
            boolean last = l == layers.size() - 1;
            if (layer.isLast() != last) {
                throw new IllegalArgumentException("layer " + l + (last ? " is the last and must give logits (no requantizer)"
                        : " is hidden and needs a requantizer"));
            }
            if (l > 0 && layers.get(l - 1).out() != layer.in()) {
                throw new IllegalArgumentException("layer " + l + " takes " + layer.in() + " inputs, layer " + (l - 1)
                        + " gives " + layers.get(l - 1).out());
            }
        }
    }

    public int inputSize() {
        return layers.getFirst().in();
    }

    public int classes() {
        return layers.getLast().out();
    }

    /** The int8 input for one image's pixel bytes. */
    public static int[] quantizeInput(byte[] pixels) {
        int[] x = new int[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            x[i] = ((pixels[i] & 0xff) * 254 + 255) / 510;
        }
        return x;
    }

    /**
     * Every intermediate vector of one inference: the int8 input, then per layer its accumulators and (hidden layers)
     * its int8 output. This is the witness a circuit proves.
     */
    public record Trace(int[] input, List<long[]> accumulators, List<int[]> activations) {}

    public Trace trace(byte[] pixels) {
        if (pixels.length != inputSize()) {
            throw new IllegalArgumentException("the model takes " + inputSize() + " pixels, got " + pixels.length);
        }
        int[] x = quantizeInput(pixels);
        List<long[]> accs = new ArrayList<>();
        List<int[]> acts = new ArrayList<>();
        int[] h = x;
        for (QuantizedDense layer : layers) {
            long[] acc = layer.accumulate(h);
            accs.add(acc);
            if (!layer.isLast()) {
                int[] next = new int[acc.length];
                for (int o = 0; o < acc.length; o++) {
                    next[o] = layer.requantizer().apply(acc[o]);
                }
                acts.add(next);
                h = next;
            }
        }
        return new Trace(x, accs, acts);
    }

    /** The logits (the last layer's accumulators) for one image's pixel bytes. */
    public long[] logits(byte[] pixels) {
        return trace(pixels).accumulators().getLast();
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
