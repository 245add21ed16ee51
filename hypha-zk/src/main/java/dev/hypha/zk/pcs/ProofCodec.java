package dev.hypha.zk.pcs;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import java.nio.ByteBuffer;

/**
 * The canonical bytes of an {@link EvaluationProof}: combined row and evaluation row (16 bytes per extension element,
 * c0 then c1, big-endian), the 8-byte proof-of-work nonce, the Merkle cap (32 bytes per node), then per query the
 * column (8 bytes per entry) and its Merkle path up to the cap (32 bytes per node). Every
 * length follows from the {@link LigeroParams}, so nothing is length-prefixed and there is exactly one encoding per
 * proof: decoding rejects a wrong total length and any value not below p.
 */
public final class ProofCodec {
    private ProofCodec() {}

    public static byte[] encode(EvaluationProof proof, LigeroParams p) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(p.proofBytes()));
        write(proof, p, out);
        return out.array();
    }

    /** Writes the proof's {@link LigeroParams#proofBytes} bytes at the buffer's position. */
    public static void write(EvaluationProof proof, LigeroParams p, ByteBuffer out) {
        for (Ext2 v : proof.combinedRow()) {
            out.putLong(v.c0()).putLong(v.c1());
        }
        for (Ext2 v : proof.evaluationRow()) {
            out.putLong(v.c0()).putLong(v.c1());
        }
        out.putLong(proof.nonce());
        for (byte[] node : proof.cap()) {
            out.put(node);
        }
        for (int q = 0; q < p.queries(); q++) {
            for (long v : proof.columns()[q]) {
                out.putLong(v);
            }
            for (byte[] node : proof.paths()[q]) {
                out.put(node);
            }
        }
    }

    /**
     * Reads a proof for these parameters.
     *
     * @throws IllegalArgumentException naming the wrong length or the offset of a non-canonical element
     */
    public static EvaluationProof decode(byte[] bytes, LigeroParams p) {
        if (bytes.length != p.proofBytes()) {
            throw new IllegalArgumentException("an opening proof for " + p + " has " + p.proofBytes() + " bytes, got "
                    + bytes.length);
        }
        return read(ByteBuffer.wrap(bytes), p);
    }

    /**
     * Reads {@link LigeroParams#proofBytes} bytes from the buffer's position.
     *
     * @throws IllegalArgumentException when too few bytes remain or an element is not below p
     */
    public static EvaluationProof read(ByteBuffer in, LigeroParams p) {
        if (in.remaining() < p.proofBytes()) {
            throw new IllegalArgumentException("an opening proof for " + p + " needs " + p.proofBytes() + " bytes, "
                    + in.remaining() + " remain");
        }
        Ext2[] combined = readExts(in, p.columns());
        Ext2[] evaluation = readExts(in, p.columns());
        long nonce = in.getLong();
        byte[][] cap = new byte[1 << p.capLevel()][32];
        for (byte[] node : cap) {
            in.get(node);
        }
        long[][] columns = new long[p.queries()][];
        byte[][][] paths = new byte[p.queries()][][];
        for (int q = 0; q < p.queries(); q++) {
            columns[q] = new long[p.committedRows()];
            for (int i = 0; i < p.committedRows(); i++) {
                columns[q][i] = readField(in);
            }
            paths[q] = new byte[p.pathLength()][32];
            for (byte[] node : paths[q]) {
                in.get(node);
            }
        }
        return new EvaluationProof(combined, evaluation, nonce, cap, columns, paths);
    }

    private static Ext2[] readExts(ByteBuffer in, int count) {
        Ext2[] out = new Ext2[count];
        for (int i = 0; i < count; i++) {
            long c0 = readField(in);
            long c1 = readField(in);
            out[i] = new Ext2(c0, c1);
        }
        return out;
    }

    private static long readField(ByteBuffer in) {
        int at = in.position();
        long v = in.getLong();
        if (!Goldilocks.isCanonical(v)) {
            throw new IllegalArgumentException("the field element at byte " + at + " is not below p");
        }
        return v;
    }
}
