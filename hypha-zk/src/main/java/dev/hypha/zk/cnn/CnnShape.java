package dev.hypha.zk.cnn;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpShape;
import dev.hypha.zk.mlp.RequantByteArgument;
import dev.hypha.zk.pcs.LigeroParams;
import java.util.List;

/**
 * The public shape of a CNN statement and the circuit's two tables (docs/ZK.md, "CNN"):
 *
 * <ul>
 *   <li>the <b>model table</b>: per conv block l its kernel (2^cv rows of 2^ev, zero-padded, block 2l) and bias (block
 *       2l + 1), then per dense layer d its weights and bias (blocks 2L + 2d, 2L + 2d + 1), as the MLP's;
 *   <li>the <b>witness table</b>, per conv block l (blocks 7l..7l + 6): the requantization's value block (8 slots ×
 *       2^(cv+pv), neuron index c·2^pv + p for filter c and output position p) and byte block (16 slots per neuron,
 *       {@link dev.hypha.zk.mlp.RequantByteArgument}), the pooled output Z (flat [c, h, w], 2^zv), the pool differences
 *       D and the one-hot selectors S (2^jv windows × 2^zv, index j·2^zv + o), the multiplicities of D's values in
 *       [0, 256) for D's LogUp range lookup (2^8), and those of the byte block (2^8); then per hidden dense layer h its
 *       value block, byte block and byte multiplicities (7L + 3h .. 7L + 3h + 2).
 * </ul>
 */
public record CnnShape(int channels, int height, int width, List<ConvShape> convs, List<MlpShape.LayerShape> dense) {
    public static final int VALUE = 0, BYTES = 1, POOLED = 2, DIFF = 3, SELECT = 4, DIFF_COUNTS = 5, BYTE_COUNTS = 6,
            CONV_BLOCKS = 7;
    /** Blocks of a hidden dense layer: value, bytes, byte counts (offsets from {@link #denseWitnessBlock}). */
    public static final int DENSE_BLOCKS = 3;
    /** A pool difference d = z − y is looked up in [0, 2^8) (docs/ZK.md "CNN"; DIFF_COUNTS holds its multiplicities). */
    public static final int DIFF_TABLE_BITS = 8;
    /**
     * Largest positions × patch of one conv block: the verifier sums the public wiring (im2col) over every pair, so
     * this bounds the work a hostile proof file's shape can cause (the Fashion-MNIST CNN's largest is 196 × 144).
     */
    public static final long MAX_WIRING = 1L << 24;

    /** One conv block's geometry: input [in, inH, inW], output [out, outH, outW], pooled [out, poolH, poolW]. */
    public record ConvShape(int in, int out, int kernel, int padding, int pool, Int8Mlp.Requant requant, int inH, int inW) {
        public int outH() {
            return inH + 2 * padding - kernel + 1;
        }

        public int outW() {
            return inW + 2 * padding - kernel + 1;
        }

        public int poolH() {
            return outH() / pool;
        }

        public int poolW() {
            return outW() / pool;
        }

        public int patch() {
            return in * kernel * kernel;
        }

        public int positions() {
            return outH() * outW();
        }

        public int pooled() {
            return out * poolH() * poolW();
        }

        /** Variables of the filter, position, patch, pooled-output and window-element indices. */
        public int cv() {
            return MlpShape.log2Ceil(out);
        }

        public int pv() {
            return MlpShape.log2Ceil(positions());
        }

        public int ev() {
            return MlpShape.log2Ceil(patch());
        }

        public int zv() {
            return MlpShape.log2Ceil(pooled());
        }

        public int jv() {
            return MlpShape.log2Ceil(pool * pool);
        }

        /** The neuron variables of the conv output: cv + pv. */
        public int nv() {
            return cv() + pv();
        }

        /**
         * The input index under patch entry e (channel-major, then ky, kx) at output position p, or −1 over the zero
         * padding: the engine's im2col order.
         */
        public int inputIndex(int p, int e) {
            int y = p / outW();
            int x = p % outW();
            int ci = e / (kernel * kernel);
            int iy = y + (e / kernel) % kernel - padding;
            int ix = x + e % kernel - padding;
            return iy < 0 || iy >= inH || ix < 0 || ix >= inW ? -1 : (ci * inH + iy) * inW + ix;
        }

        /** The conv-output neuron (c·2^pv + position) that window element j of pooled output o reads. */
        public int windowSource(int o, int j) {
            int c = o / (poolH() * poolW());
            int a = (o / poolW()) % poolH();
            int b = o % poolW();
            int y = a * pool + j / pool;
            int x = b * pool + j % pool;
            return (c << pv()) + y * outW() + x;
        }
    }

    public CnnShape {
        convs = List.copyOf(convs);
        dense = List.copyOf(dense);
        if (convs.isEmpty() || convs.size() > Int8Cnn.MAX_CONVS) {
            throw new IllegalArgumentException("a CNN has 1.." + Int8Cnn.MAX_CONVS + " conv blocks, got " + convs.size());
        }
        if (channels < 1 || height < 1 || width < 1 || height > Int8Cnn.MAX_SIDE || width > Int8Cnn.MAX_SIDE
                || channels > Int8Cnn.MAX_CHANNELS || channels * height * width > 1 << 16) {
            throw new IllegalArgumentException("a CNN input is at most " + Int8Cnn.MAX_SIDE + " on a side and 2^16 values, got "
                    + channels + "x" + height + "x" + width);
        }
        int c = channels;
        int h = height;
        int w = width;
        for (int l = 0; l < convs.size(); l++) {
            ConvShape s = convs.get(l);
            if (s.in() != c || s.inH() != h || s.inW() != w) {
                throw new IllegalArgumentException("conv block " + l + " takes " + s.in() + "x" + s.inH() + "x" + s.inW()
                        + ", the block before gives " + c + "x" + h + "x" + w);
            }
            if (s.outH() < s.pool() || s.outW() < s.pool()) {
                throw new IllegalArgumentException("conv block " + l + " (kernel " + s.kernel() + ", pool " + s.pool()
                        + ") does not fit its " + h + "x" + w + " input");
            }
            if ((long) s.positions() * s.patch() > MAX_WIRING) {
                throw new IllegalArgumentException("conv block " + l + " has " + s.positions() + " positions of "
                        + s.patch() + " inputs; at most 2^24 pairs are proved");
            }
            c = s.out();
            h = s.poolH();
            w = s.poolW();
        }
        new MlpShape(dense); // the dense head: chaining, logits layer, sizes
        if (dense.getFirst().in() != c * h * w) {
            throw new IllegalArgumentException("the first dense layer takes " + dense.getFirst().in() + " inputs, the conv blocks give "
                    + c + "x" + h + "x" + w + " = " + c * h * w);
        }
        if (modelLayoutOf(convs, dense).numVars() > MlpShape.MAX_TABLE_VARS
                || witnessLayoutOf(convs, dense).numVars() > MlpShape.MAX_TABLE_VARS) {
            throw new IllegalArgumentException("the model is too large to prove: its tables exceed 2^" + MlpShape.MAX_TABLE_VARS
                    + " entries");
        }
    }

    static CnnShape of(int channels, int height, int width, List<Int8Cnn.Conv> convs, Int8Mlp dense) {
        List<ConvShape> shapes = new java.util.ArrayList<>();
        int h = height;
        int w = width;
        for (Int8Cnn.Conv c : convs) {
            ConvShape s = new ConvShape(c.in(), c.out(), c.kernel(), c.padding(), c.pool(), c.requant(), h, w);
            shapes.add(s);
            h = Math.max(0, s.poolH());
            w = Math.max(0, s.poolW());
        }
        return new CnnShape(channels, height, width, shapes,
                dense.layers().stream().map(l -> new MlpShape.LayerShape(l.in(), l.out(), l.requant())).toList());
    }

    public static CnnShape of(Int8Cnn model) {
        return of(model.channels(), model.height(), model.width(), model.convs(), model.dense());
    }

    public int inputSize() {
        return channels * height * width;
    }

    public int classes() {
        return dense.getLast().out();
    }

    /** Model-table block of conv l's kernel (its bias is the next), or of dense layer d's weights: 2L + 2d. */
    public int denseModelBlock(int d) {
        return 2 * convs.size() + 2 * d;
    }

    /** Witness-table block {@code kind} (VALUE..DIFF_COUNTS) of conv block l. */
    public int convBlock(int l, int kind) {
        return CONV_BLOCKS * l + kind;
    }

    /** Witness-table value block of hidden dense layer h (its byte block and byte counts are the next two). */
    public int denseWitnessBlock(int h) {
        return CONV_BLOCKS * convs.size() + DENSE_BLOCKS * h;
    }

    public BlockLayout modelLayout() {
        return modelLayoutOf(convs, dense);
    }

    public BlockLayout witnessLayout() {
        return witnessLayoutOf(convs, dense);
    }

    public LigeroParams modelParams() {
        BlockLayout layout = modelLayout();
        return LigeroParams.forTable(layout.numVars(), layout.used(), MlpShape.LOG_INV_RATE);
    }

    /**
     * The smallest-proof split (no contract verifies CNN proofs yet; the EVM model's split, which the MLP's verifier
     * needs, chose 1024 rows for this witness once the pool bits went: +62% opening bytes for 0.6% less modelled gas).
     */
    public LigeroParams witnessParams() {
        BlockLayout layout = witnessLayout();
        return LigeroParams.forTable(layout.numVars(), layout.used(), MlpShape.LOG_INV_RATE, LigeroParams::proofBytes);
    }

    private static BlockLayout modelLayoutOf(List<ConvShape> convs, List<MlpShape.LayerShape> dense) {
        int[] blocks = new int[2 * convs.size() + 2 * dense.size()];
        for (int l = 0; l < convs.size(); l++) {
            blocks[2 * l] = convs.get(l).cv() + convs.get(l).ev();
            blocks[2 * l + 1] = convs.get(l).cv();
        }
        for (int d = 0; d < dense.size(); d++) {
            blocks[2 * convs.size() + 2 * d] = dense.get(d).outVars() + dense.get(d).inVars();
            blocks[2 * convs.size() + 2 * d + 1] = dense.get(d).outVars();
        }
        return new BlockLayout(blocks);
    }

    private static BlockLayout witnessLayoutOf(List<ConvShape> convs, List<MlpShape.LayerShape> dense) {
        int hidden = dense.size() - 1;
        int[] blocks = new int[CONV_BLOCKS * convs.size() + DENSE_BLOCKS * hidden];
        for (int l = 0; l < convs.size(); l++) {
            ConvShape s = convs.get(l);
            int b = CONV_BLOCKS * l;
            blocks[b + VALUE] = MlpShape.VALUE_SLOT_VARS + s.nv();
            blocks[b + BYTES] = s.nv() + RequantByteArgument.BYTE_VARS;
            blocks[b + POOLED] = s.zv();
            blocks[b + DIFF] = s.jv() + s.zv();
            blocks[b + SELECT] = s.jv() + s.zv();
            blocks[b + DIFF_COUNTS] = DIFF_TABLE_BITS;
            blocks[b + BYTE_COUNTS] = RequantByteArgument.TABLE_BITS;
        }
        for (int h = 0; h < hidden; h++) {
            int n = dense.get(h).outVars();
            int b = CONV_BLOCKS * convs.size() + DENSE_BLOCKS * h;
            blocks[b] = MlpShape.VALUE_SLOT_VARS + n;
            blocks[b + 1] = n + RequantByteArgument.BYTE_VARS;
            blocks[b + 2] = RequantByteArgument.TABLE_BITS;
        }
        return new BlockLayout(blocks);
    }
}
