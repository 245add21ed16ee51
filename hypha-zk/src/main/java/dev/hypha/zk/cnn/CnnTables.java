package dev.hypha.zk.cnn;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpShape;
import dev.hypha.zk.mlp.MlpTables;
import dev.hypha.zk.mlp.RequantByteArgument;
import dev.hypha.zk.pcs.Commitment;
import dev.hypha.zk.pcs.CommittedPolynomial;

/** The model and witness tables of {@link CnnShape} filled from a model and one inference's trace. */
public final class CnnTables {
    private CnnTables() {}

    /** The model table: kernels and biases of the conv blocks, then the dense layers' weights and biases. */
    public static long[] model(Int8Cnn model) {
        CnnShape shape = CnnShape.of(model);
        BlockLayout layout = shape.modelLayout();
        long[] table = new long[Math.toIntExact(layout.size())];
        for (int l = 0; l < model.convs().size(); l++) {
            Int8Cnn.Conv conv = model.convs().get(l);
            CnnShape.ConvShape s = shape.convs().get(l);
            int cols = 1 << s.ev();
            long[] k = new long[(1 << s.cv()) * cols];
            for (int c = 0; c < conv.out(); c++) {
                for (int e = 0; e < conv.patch(); e++) {
                    k[c * cols + e] = Goldilocks.fromSigned(conv.weight(c, e));
                }
            }
            layout.place(table, 2 * l, k);
            layout.place(table, 2 * l + 1, MlpTables.padded(conv.bias(), s.cv()));
        }
        for (int d = 0; d < model.dense().layers().size(); d++) {
            Int8Mlp.Layer layer = model.dense().layers().get(d);
            MlpShape.LayerShape s = shape.dense().get(d);
            int cols = 1 << s.inVars();
            long[] w = new long[(1 << s.outVars()) * cols];
            for (int o = 0; o < layer.out(); o++) {
                for (int i = 0; i < layer.in(); i++) {
                    w[o * cols + i] = Goldilocks.fromSigned(layer.weight(o, i));
                }
            }
            layout.place(table, shape.denseModelBlock(d), w);
            layout.place(table, shape.denseModelBlock(d) + 1, MlpTables.padded(layer.bias(), s.outVars()));
        }
        return table;
    }

    /** The model's commitment: what a verifier recomputes from the model to check a proof's model root. */
    public static Commitment modelCommitment(Int8Cnn model) {
        return CommittedPolynomial.commit(model(model), CnnShape.of(model).modelParams()).commitment();
    }

    /** The witness table of one inference. */
    public static long[] witness(CnnShape shape, CnnTrace trace) {
        BlockLayout layout = shape.witnessLayout();
        long[] table = new long[Math.toIntExact(layout.size())];
        for (int l = 0; l < shape.convs().size(); l++) {
            CnnShape.ConvShape s = shape.convs().get(l);
            CnnTrace.Block b = trace.blocks().get(l);
            long[] values = MlpTables.requantBlocks(s.requant(), s.nv(), b.accumulators(), b.requant())[0];
            long[] bytes = RequantByteArgument.byteBlock(s.requant(), s.nv(), values);
            layout.place(table, shape.convBlock(l, CnnShape.VALUE), values);
            layout.place(table, shape.convBlock(l, CnnShape.BYTES), bytes);
            layout.place(table, shape.convBlock(l, CnnShape.BYTE_COUNTS), RequantByteArgument.counts(bytes));
            layout.place(table, shape.convBlock(l, CnnShape.POOLED), field(b.pooled()));
            layout.place(table, shape.convBlock(l, CnnShape.DIFF), field(b.differences()));
            layout.place(table, shape.convBlock(l, CnnShape.SELECT), field(b.selectors()));
            // each difference counted at its low 8 bits: an honest trace's are all in [0, 256); a cheating trace's
            // out-of-range difference is then counted where it is not, and the lookup fails (CnnProofTest)
            long[] counts = new long[1 << CnnShape.DIFF_TABLE_BITS];
            for (long d : b.differences()) {
                counts[(int) (d & ((1 << CnnShape.DIFF_TABLE_BITS) - 1))]++;
            }
            layout.place(table, shape.convBlock(l, CnnShape.DIFF_COUNTS), counts);
        }
        for (int h = 0; h < shape.dense().size() - 1; h++) {
            MlpShape.LayerShape s = shape.dense().get(h);
            long[] values = MlpTables.requantBlocks(s.requant(), s.outVars(), trace.denseAccumulators().get(h),
                    trace.denseHidden().get(h))[0];
            long[] bytes = RequantByteArgument.byteBlock(s.requant(), s.outVars(), values);
            layout.place(table, shape.denseWitnessBlock(h), values);
            layout.place(table, shape.denseWitnessBlock(h) + 1, bytes);
            layout.place(table, shape.denseWitnessBlock(h) + 2, RequantByteArgument.counts(bytes));
        }
        return table;
    }

    static long[] field(long[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Goldilocks.fromSigned(values[i]);
        }
        return out;
    }
}
