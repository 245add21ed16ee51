package dev.hypha.ml.opml;

import dev.hypha.ml.train.verify.MerkleTree;
import java.util.List;

/**
 * The trace of one generation of {@link IntLm}: the output of every operation, committed as a Merkle tree with one leaf
 * per (position, slot, operation) at index (position · 4 + slot) · 8 + operation, leaf hash keccak256(0x00 ‖ output),
 * the zero hash for padding operations and for positions past the generation (padded to a power of two). So the tree's
 * top levels split positions (tokens), the next two split slots (input, block 0, block 1, head: the layers), the last
 * three split operations, and descending it is bisecting token, then layer, then operation.
 */
public final class Trace {
    private final byte[] prompt;
    private final byte[] output;
    private final long seed;
    private final byte[] modelRoot;
    private final byte[][] outputs;
    private final HashTree tree;

    Trace(byte[] prompt, byte[] output, long seed, byte[] modelRoot, byte[][] outputs) {
        this.prompt = prompt.clone();
        this.output = output.clone();
        this.seed = seed;
        this.modelRoot = modelRoot.clone();
        this.outputs = outputs;
        byte[][] hashes = new byte[outputs.length][];
        for (int i = 0; i < outputs.length; i++) {
            hashes[i] = outputs[i] == null ? MerkleTree.EMPTY : MerkleTree.leafHash(outputs[i]);
        }
        this.tree = new HashTree(hashes);
    }

    /** Positions padded to a power of two. */
    static int paddedPositions(int positions) {
        int p = 1;
        while (p < positions) {
            p <<= 1;
        }
        return p;
    }

    /** A trace with one operation's output replaced (null = padding): what a provider that lies about it commits. */
    public Trace withOutput(long index, byte[] replacement) {
        byte[][] copy = outputs.clone();
        copy[Math.toIntExact(index)] = replacement == null ? null : replacement.clone();
        return new Trace(prompt, output, seed, modelRoot, copy);
    }

    public byte[] prompt() {
        return prompt.clone();
    }

    public byte[] output() {
        return output.clone();
    }

    public long seed() {
        return seed;
    }

    public byte[] modelRoot() {
        return modelRoot.clone();
    }

    public int positions() {
        return prompt.length + output.length - 1;
    }

    public byte[] root() {
        return tree.root();
    }

    public int depth() {
        return tree.depth();
    }

    public byte[] node(int level, long index) {
        return tree.node(level, index);
    }

    /** The output of operation {@code index} (null for padding). */
    public byte[] outputAt(long index) {
        byte[] o = outputs[Math.toIntExact(index)];
        return o == null ? null : o.clone();
    }

    public List<byte[]> proof(long index) {
        return tree.proof(index);
    }

    /** Leaf index of the SAMPLE operation at {@code position}. */
    public static long sampleLeaf(int position) {
        return (long) position * IntLm.LEAVES_PER_POSITION + IntLm.SAMPLE_LEAF;
    }

    /**
     * The first position whose SAMPLE leaf contradicts the output this trace claims (so the trace proves its own
     * output wrong), or -1.
     */
    public int firstOutputMismatch() {
        for (int pos = prompt.length - 1; pos < positions(); pos++) {
            byte[] sampled = outputs[Math.toIntExact(sampleLeaf(pos))];
            if (sampled == null || sampled.length != 1 || sampled[0] != output[pos + 1 - prompt.length]) {
                return pos;
            }
        }
        return -1;
    }
}
