package dev.hypha.zk.cnn;

import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpTrace;
import java.util.ArrayList;
import java.util.List;

/**
 * One inference of an {@link Int8Cnn} with everything the witness needs, in the circuit's padded layouts: per conv block
 * its accumulators (index c·2^pv + p; padded filters and positions hold 0), their requantization witness, the pooled
 * output z (flat [c, h, w], padded with 0), and per window element j and pooled output o the difference d = z − y and
 * the one-hot selector of the first maximum (padded outputs select j = 0, where d = 0); then the dense head's
 * accumulators and requantizations.
 */
public record CnnTrace(long[] input, List<Block> blocks, List<long[]> denseAccumulators, List<MlpTrace.Hidden> denseHidden) {
    /** One conv block's witness. */
    public record Block(long[] accumulators, MlpTrace.Hidden requant, long[] pooled, long[] differences, long[] selectors) {}

    public static CnnTrace of(Int8Cnn model, byte[] pixels) {
        CnnShape shape = CnnShape.of(model);
        if (pixels.length != model.inputSize()) {
            throw new IllegalArgumentException("the model takes " + model.inputSize() + " pixels, got " + pixels.length);
        }
        long[] x = Int8Mlp.quantizeInput(pixels);
        List<Block> blocks = new ArrayList<>();
        long[] h = x;
        for (int l = 0; l < model.convs().size(); l++) {
            Int8Cnn.Conv conv = model.convs().get(l);
            CnnShape.ConvShape s = shape.convs().get(l);
            long[] acc = new long[1 << s.nv()];
            for (int c = 0; c < s.out(); c++) {
                for (int p = 0; p < s.positions(); p++) {
                    long sum = conv.biasAt(c);
                    for (int e = 0; e < s.patch(); e++) {
                        int i = s.inputIndex(p, e);
                        if (i >= 0) {
                            sum += conv.weight(c, e) * h[i];
                        }
                    }
                    acc[(c << s.pv()) + p] = sum;
                }
            }
            Block block = pool(s, acc, MlpTrace.requantize(conv.requant(), acc));
            blocks.add(block);
            h = block.pooled();
        }
        List<long[]> accs = new ArrayList<>();
        List<MlpTrace.Hidden> hidden = new ArrayList<>();
        for (Int8Mlp.Layer layer : model.dense().layers()) {
            long[] acc = new long[1 << dev.hypha.zk.mlp.MlpShape.log2Ceil(layer.out())];
            for (int o = 0; o < layer.out(); o++) {
                long sum = layer.biasAt(o);
                for (int i = 0; i < layer.in(); i++) {
                    sum += layer.weight(o, i) * h[i];
                }
                acc[o] = sum;
            }
            if (layer.hidden()) {
                MlpTrace.Hidden w = MlpTrace.requantize(layer.requant(), acc);
                hidden.add(w);
                h = w.output();
            }
            accs.add(acc);
        }
        return new CnnTrace(x, blocks, accs, hidden);
    }

    /**
     * One conv block's witness from its accumulators and requantization: the max-pool of the int8 outputs with its
     * differences and first-maximum selectors (tests pass a forged requantization and prove what follows from it).
     */
    static Block pool(CnnShape.ConvShape s, long[] acc, MlpTrace.Hidden rq) {
        int windows = 1 << s.jv();
        int outputs = 1 << s.zv();
        long[] z = new long[outputs];
        long[] d = new long[windows * outputs];
        long[] sel = new long[windows * outputs];
        for (int o = 0; o < outputs; o++) {
            if (o >= s.pooled()) {
                sel[o] = 1; // j = 0 over the padding, where z = y-gathered = 0
                continue;
            }
            int best = 0;
            for (int j = 1; j < windows; j++) {
                if (rq.output()[s.windowSource(o, j)] > rq.output()[s.windowSource(o, best)]) {
                    best = j;
                }
            }
            z[o] = rq.output()[s.windowSource(o, best)];
            for (int j = 0; j < windows; j++) {
                d[j * outputs + o] = z[o] - rq.output()[s.windowSource(o, j)];
            }
            sel[best * outputs + o] = 1;
        }
        return new Block(acc, rq, z, d, sel);
    }

    /** The logits (the last dense layer's accumulators, without padding). */
    public long[] logits(int classes) {
        return java.util.Arrays.copyOf(denseAccumulators.getLast(), classes);
    }
}
