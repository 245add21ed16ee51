package dev.hypha.ml.opml;

import dev.hypha.ml.train.verify.MerkleTree;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The int8 weights of {@link IntLm} and their commitment: one Merkle leaf per matrix row, in the order EMB (V rows of
 * D), then per block W1 (F rows of D) and W2 (D rows of F), then HEAD (V rows of D), padded with zero hashes to
 * 2^{@link #DEPTH} leaves. The root is the model's identity in receipts and disputes; {@code OpmlVerifier.sol}
 * checks rows against it.
 */
public final class IntLmWeights {
    /** Depth of the weight tree (704 rows padded to 1024). */
    public static final int DEPTH = 10;
    /** Weights are drawn from [-BOUND, BOUND]: wide enough to carry signal, narrow enough to rarely saturate. */
    private static final int BOUND = 31;

    private final byte[][] rows;
    private final HashTree tree;

    private IntLmWeights(byte[][] rows) {
        if (rows.length != rowCount()) {
            throw new IllegalArgumentException("IntLm has " + rowCount() + " weight rows, not " + rows.length);
        }
        for (int i = 0; i < rows.length; i++) {
            int want = isW2(i) ? IntLm.F : IntLm.D;
            if (rows[i].length != want) {
                throw new IllegalArgumentException("weight row " + i + " has " + rows[i].length + " bytes, not " + want);
            }
        }
        this.rows = rows;
        byte[][] leaves = new byte[1 << DEPTH][];
        for (int i = 0; i < leaves.length; i++) {
            leaves[i] = i < rows.length ? MerkleTree.leafHash(rows[i]) : MerkleTree.EMPTY;
        }
        this.tree = new HashTree(leaves);
    }

    /** Weights drawn from {@code seed} (SplittableRandom: the same values on every JVM). */
    public static IntLmWeights random(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] rows = new byte[rowCount()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new byte[isW2(i) ? IntLm.F : IntLm.D];
            for (int j = 0; j < rows[i].length; j++) {
                rows[i][j] = (byte) random.nextInt(-BOUND, BOUND + 1);
            }
        }
        return new IntLmWeights(rows);
    }

    /** Weights given row by row in tree order (copied). */
    public static IntLmWeights of(List<byte[]> rows) {
        return new IntLmWeights(rows.stream().map(byte[]::clone).toArray(byte[][]::new));
    }

    public static int rowCount() {
        return IntLm.V + IntLm.L * (IntLm.F + IntLm.D) + IntLm.V;
    }

    public static int embRow(int token) {
        return token;
    }

    public static int w1Row(int block, int r) {
        return IntLm.V + block * (IntLm.F + IntLm.D) + r;
    }

    public static int w2Row(int block, int i) {
        return IntLm.V + block * (IntLm.F + IntLm.D) + IntLm.F + i;
    }

    public static int headRow(int v) {
        return IntLm.V + IntLm.L * (IntLm.F + IntLm.D) + v;
    }

    private static boolean isW2(int row) {
        int inBlocks = row - IntLm.V;
        return inBlocks >= 0 && inBlocks < IntLm.L * (IntLm.F + IntLm.D) && inBlocks % (IntLm.F + IntLm.D) >= IntLm.F;
    }

    /** Row {@code index} in tree order (not copied: callers only read it). */
    byte[] rowView(int index) {
        return rows[index];
    }

    public byte[] row(int index) {
        return rows[index].clone();
    }

    public List<byte[]> rows() {
        List<byte[]> out = new ArrayList<>(rows.length);
        for (byte[] r : rows) {
            out.add(r.clone());
        }
        return out;
    }

    public byte[] root() {
        return tree.root();
    }

    /** Sibling hashes of row {@code index} up to the root, bottom first. */
    public List<byte[]> proof(int index) {
        return tree.proof(index);
    }
}
