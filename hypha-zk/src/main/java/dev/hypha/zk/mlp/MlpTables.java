package dev.hypha.zk.mlp;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.pcs.CommittedPolynomial;
import dev.hypha.zk.pcs.Commitment;

/** The model and witness tables of {@link MlpShape} filled from a model and one inference's trace. */
public final class MlpTables {
    private MlpTables() {}

    /** The model table: every layer's zero-padded weights and biases as field elements. */
    public static long[] model(Int8Mlp model) {
        MlpShape shape = MlpShape.of(model);
        BlockLayout layout = shape.modelLayout();
        long[] table = new long[Math.toIntExact(layout.size())];
        for (int l = 0; l < model.layers().size(); l++) {
            Int8Mlp.Layer layer = model.layers().get(l);
            MlpShape.LayerShape s = shape.layers().get(l);
            int cols = 1 << s.inVars();
            long[] w = new long[(1 << s.outVars()) * cols];
            for (int o = 0; o < layer.out(); o++) {
                for (int i = 0; i < layer.in(); i++) {
                    w[o * cols + i] = Goldilocks.fromSigned(layer.weight(o, i));
                }
            }
            layout.place(table, 2 * l, w);
            layout.place(table, 2 * l + 1, padded(layer.bias(), s.outVars()));
        }
        return table;
    }

    /** The model's commitment: what a verifier recomputes from the model to check a proof's model root. */
    public static Commitment modelCommitment(Int8Mlp model) {
        return CommittedPolynomial.commit(model(model), MlpShape.of(model).modelParams()).commitment();
    }

    /**
     * The witness table: per hidden layer, the value block (acc, y, rem, q, e) and the bit block (per neuron the 64
     * little-endian bits of one word packing rem, y − lo and e, {@link Constraints#pack}; bits above the three segments
     * are zero for an honest prover and ignored by the circuit).
     * Padded neurons hold the requantization of a zero accumulator, which is what the constraints demand of them.
     */
    public static long[] witness(MlpShape shape, MlpTrace trace) {
        java.util.List<long[]> accs = new java.util.ArrayList<>();
        java.util.List<MlpTrace.Hidden> hidden = new java.util.ArrayList<>();
        for (int h = 0; h < shape.hiddenCount(); h++) {
            MlpShape.LayerShape s = shape.layers().get(h);
            long[] acc = java.util.Arrays.copyOf(trace.accumulators().get(h), 1 << s.outVars());
            accs.add(acc);
            hidden.add(MlpTrace.requantize(s.requant(), acc));
        }
        return witness(shape, accs, hidden);
    }

    /** The witness table from padded accumulators and requantization witnesses (tests forge these to cheat). */
    static long[] witness(MlpShape shape, java.util.List<long[]> accs, java.util.List<MlpTrace.Hidden> hidden) {
        BlockLayout layout = shape.witnessLayout();
        long[] table = new long[Math.toIntExact(layout.size())];
        for (int h = 0; h < shape.hiddenCount(); h++) {
            MlpShape.LayerShape s = shape.layers().get(h);
            long[][] blocks = requantBlocks(s.requant(), s.outVars(), accs.get(h), hidden.get(h));
            long[] values = blocks[0];
            long[] bits = blocks[1];
            layout.place(table, 2 * h, values);
            layout.place(table, 2 * h + 1, bits);
        }
        return table;
    }

    /**
     * One requantized layer's value block (8 slots × 2^vars: acc, y, rem, q, e) and bit block (2^vars packed 64-bit
     * words), as {@link RequantArgument} reads them, from its padded accumulators and requantization witness.
     */
    public static long[][] requantBlocks(Int8Mlp.Requant rq, int vars, long[] acc, MlpTrace.Hidden w) {
        int n = 1 << vars;
        long[] values = new long[n << MlpShape.VALUE_SLOT_VARS];
        long[] bits = new long[n << MlpShape.BIT_VARS];
        for (int o = 0; o < n; o++) {
            values[MlpShape.ACC * n + o] = Goldilocks.fromSigned(acc[o]);
            values[MlpShape.OUT * n + o] = Goldilocks.fromSigned(w.output()[o]);
            values[MlpShape.REM * n + o] = Goldilocks.fromSigned(w.remainder()[o]);
            values[MlpShape.QUOT * n + o] = Goldilocks.fromSigned(w.quotient()[o]);
            values[MlpShape.EXCESS * n + o] = Goldilocks.fromSigned(w.excess()[o]);
            setBits(bits, o, Constraints.pack(rq, w.remainder()[o], w.output()[o] - rq.lo(), w.excess()[o]));
        }
        return new long[][] {values, bits};
    }

    private static void setBits(long[] bits, int o, long value) {
        int base = o << MlpShape.BIT_VARS;
        for (int j = 0; j < 64; j++) {
            bits[base + j] = (value >>> j) & 1;
        }
    }

    public static long[] padded(long[] values, int vars) {
        long[] out = new long[1 << vars];
        for (int i = 0; i < values.length; i++) {
            out[i] = Goldilocks.fromSigned(values[i]);
        }
        return out;
    }
}
