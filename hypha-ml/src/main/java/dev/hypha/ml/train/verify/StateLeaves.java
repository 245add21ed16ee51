package dev.hypha.ml.train.verify;

import dev.hypha.ml.train.run.RunState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical byte encoding of a training state as Merkle leaves (one byte string per state, so one root).
 *
 * <p>Leaf 0 is the header: the tag {@code "hypha.train-state.v1"}, the 32-byte digest of the job spec, the step count
 * (u64), the number of parameter and optimizer arrays (u32 each) and every array's length (u32), all big-endian. It
 * binds the root to one job and one step; since the data order, dropout masks and learning rate are functions of
 * (spec, step), it also fixes the data position and the random streams the next step uses. Then each parameter array
 * and each optimizer array, in order, is cut into chunks of {@link #CHUNK_FLOATS} floats; a chunk's leaf is kind (u8:
 * 0 parameter, 1 optimizer), array index (u32), chunk index (u32) and the floats' IEEE-754 bits (u32 big-endian, so
 * signed zeros count), every NaN written as the one canonical NaN {@code 0x7fc00000}: whether a step gives NaN is
 * fixed by IEEE-754, but which NaN (sign, payload) is up to the hardware and the JIT's operand order, and a verifier
 * replaying a diverging step must get the same root as the referees who re-execute it ({@code TrainingRun.replayStep}).
 * States without NaN encode exactly as their raw bits.
 */
public final class StateLeaves {
    /** Floats per leaf: 4 KiB of state per leaf keeps a referee's single-leaf answer small and the tree shallow. */
    public static final int CHUNK_FLOATS = 1024;
    static final byte[] TAG = "hypha.train-state.v1".getBytes(StandardCharsets.US_ASCII);

    private StateLeaves() {}

    /** The leaves of {@code state} for the job whose spec digest is {@code specDigest} (32 bytes). */
    public static List<byte[]> of(byte[] specDigest, RunState state) {
        if (specDigest.length != 32) {
            throw new IllegalArgumentException("a spec digest has 32 bytes, got " + specDigest.length);
        }
        List<float[]> params = state.parametersView();
        List<float[]> opt = state.optimizerStateView();
        ByteBuffer header = ByteBuffer.allocate(TAG.length + 32 + 8 + 8 + 4 * (params.size() + opt.size()));
        header.put(TAG).put(specDigest).putLong(state.step()).putInt(params.size()).putInt(opt.size());
        params.forEach(a -> header.putInt(a.length));
        opt.forEach(a -> header.putInt(a.length));
        List<byte[]> leaves = new ArrayList<>();
        leaves.add(header.array());
        addChunks(leaves, 0, params);
        addChunks(leaves, 1, opt);
        return leaves;
    }

    private static void addChunks(List<byte[]> leaves, int kind, List<float[]> arrays) {
        for (int a = 0; a < arrays.size(); a++) {
            float[] values = arrays.get(a);
            for (int c = 0, from = 0; from < values.length; c++, from += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, values.length - from);
                ByteBuffer leaf = ByteBuffer.allocate(9 + 4 * n);
                leaf.put((byte) kind).putInt(a).putInt(c);
                for (int i = 0; i < n; i++) {
                    leaf.putInt(Float.floatToIntBits(values[from + i])); // NaN -> 0x7fc00000 (see the class comment)
                }
                leaves.add(leaf.array());
            }
        }
    }

    /** The Merkle tree of a state. */
    public static MerkleTree tree(byte[] specDigest, RunState state) {
        return MerkleTree.of(of(specDigest, state));
    }
}
