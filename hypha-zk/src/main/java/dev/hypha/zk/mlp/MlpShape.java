package dev.hypha.zk.mlp;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.pcs.LigeroParams;
import java.util.List;

/**
 * The public shape of an MLP statement (what a proof file declares before any weights are known) and the circuit's
 * two tables derived from it:
 *
 * <ul>
 *   <li>the <b>model table</b>: per layer its weight matrix (2^outVars rows of 2^inVars, zero-padded, row-major) and
 *       its bias vector, packed by {@link BlockLayout} (block 2l = W_l, 2l + 1 = b_l); one commitment, the model root;
 *   <li>the <b>witness table</b>: per hidden layer h a value block (8 slots × 2^outVars: acc, y, rem, q, e, three
 *       unused zero slots) and a bit block (2^outVars × 64 bits: per neuron one 64-bit word packing rem in bits
 *       [0, k), y − lo in the next 7 or 8 and e in the next 56 − k, see {@link Constraints#segments}), block 2h and
 *       2h + 1.
 * </ul>
 */
public record MlpShape(List<LayerShape> layers) {
    /** Value slots of a hidden layer's value block. */
    public static final int ACC = 0, OUT = 1, REM = 2, QUOT = 3, EXCESS = 4;
    public static final int VALUE_SLOT_VARS = 3;
    /**
     * Bits per neuron in a hidden layer's bit block: one 64-bit word holds all three range-checked values (rem, y − lo,
     * e: k + w + (56 − k) ≤ 64 bits), so the bit block has no slot variables (proof format 3; format 2 had 4 slots of
     * 64 bits per neuron, 4x the witness).
     */
    public static final int BIT_VARS = 6;
    /** Largest committed table the verifier accepts (2^24 entries, 128 MiB to commit): bounds a hostile file's work. */
    public static final int MAX_TABLE_VARS = 24;
    /** Rate 1/4, as the rest of hypha-zk. */
    public static final int LOG_INV_RATE = 2;

    public record LayerShape(int in, int out, Int8Mlp.Requant requant) {
        public LayerShape {
            if (in < 1 || out < 1 || in > Int8Mlp.MAX_SIDE || out > Int8Mlp.MAX_SIDE || (long) in * out > Int8Mlp.MAX_WEIGHTS) {
                throw new IllegalArgumentException("a layer has 1.." + Int8Mlp.MAX_SIDE + " inputs and outputs and at most "
                        + Int8Mlp.MAX_WEIGHTS + " weights, got " + in + " -> " + out);
            }
        }

        public int inVars() {
            return log2Ceil(in);
        }

        public int outVars() {
            return log2Ceil(out);
        }

        public boolean hidden() {
            return requant != null;
        }
    }

    public MlpShape {
        layers = List.copyOf(layers);
        if (layers.isEmpty() || layers.size() > Int8Mlp.MAX_LAYERS) {
            throw new IllegalArgumentException("an MLP has 1.." + Int8Mlp.MAX_LAYERS + " layers, got " + layers.size());
        }
        for (int l = 0; l < layers.size(); l++) {
            boolean last = l == layers.size() - 1;
            if (layers.get(l).hidden() == last) {
                throw new IllegalArgumentException("layer " + l + (last ? " is the last and gives logits (no requantization)"
                        : " is hidden and needs a requantization"));
            }
            if (l > 0 && layers.get(l - 1).out() != layers.get(l).in()) {
                throw new IllegalArgumentException("layer " + l + " takes " + layers.get(l).in() + " inputs, layer "
                        + (l - 1) + " gives " + layers.get(l - 1).out());
            }
        }
        if (modelLayoutOf(layers).numVars() > MAX_TABLE_VARS || witnessLayoutOf(layers).numVars() > MAX_TABLE_VARS) {
            throw new IllegalArgumentException("the model is too large to prove: its tables exceed 2^" + MAX_TABLE_VARS
                    + " entries");
        }
    }

    public static MlpShape of(Int8Mlp model) {
        return new MlpShape(model.layers().stream().map(l -> new LayerShape(l.in(), l.out(), l.requant())).toList());
    }

    public int inputSize() {
        return layers.getFirst().in();
    }

    public int classes() {
        return layers.getLast().out();
    }

    public int hiddenCount() {
        return layers.size() - 1;
    }

    public BlockLayout modelLayout() {
        return modelLayoutOf(layers);
    }

    public BlockLayout witnessLayout() {
        return witnessLayoutOf(layers);
    }

    public LigeroParams modelParams() {
        BlockLayout layout = modelLayout();
        return LigeroParams.forTable(layout.numVars(), layout.used(), LOG_INV_RATE);
    }

    public LigeroParams witnessParams() {
        BlockLayout layout = witnessLayout();
        return LigeroParams.forTable(layout.numVars(), layout.used(), LOG_INV_RATE);
    }

    private static BlockLayout modelLayoutOf(List<LayerShape> layers) {
        int[] blocks = new int[2 * layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            blocks[2 * l] = layers.get(l).outVars() + layers.get(l).inVars();
            blocks[2 * l + 1] = layers.get(l).outVars();
        }
        return new BlockLayout(blocks);
    }

    private static BlockLayout witnessLayoutOf(List<LayerShape> layers) {
        int hidden = layers.size() - 1;
        if (hidden == 0) {
            return new BlockLayout(0); // a one-layer model has no witness; one zero entry keeps the protocol uniform
        }
        int[] blocks = new int[2 * hidden];
        for (int h = 0; h < hidden; h++) {
            int n = layers.get(h).outVars();
            blocks[2 * h] = VALUE_SLOT_VARS + n;
            blocks[2 * h + 1] = n + BIT_VARS;
        }
        return new BlockLayout(blocks);
    }

    public static int log2Ceil(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }
}
