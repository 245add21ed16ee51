package dev.hypha.zk.sumcheck;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical bytes of a {@link SumcheckProof} whose shape (variables, degree) the verifier knows: the rounds' values
 * in order, each extension element as c0 then c1 (8 bytes big-endian each). No length prefixes; decoding rejects a
 * value not below p, so there is one encoding per proof.
 */
public final class SumcheckProofCodec {
    private SumcheckProofCodec() {}

    public static int size(int numVars, int degree) {
        return numVars * (degree + 1) * 16;
    }

    public static void write(SumcheckProof proof, ByteBuffer out) {
        for (Ext2[] round : proof.rounds()) {
            for (Ext2 v : round) {
                out.putLong(v.c0()).putLong(v.c1());
            }
        }
    }

    /**
     * Reads numVars rounds of degree + 1 values.
     *
     * @throws IllegalArgumentException naming the byte offset of a value that is not below p, or too few bytes
     */
    public static SumcheckProof read(ByteBuffer in, int numVars, int degree) {
        if (in.remaining() < size(numVars, degree)) {
            throw new IllegalArgumentException("a sumcheck proof of " + numVars + " rounds needs " + size(numVars, degree)
                    + " bytes, " + in.remaining() + " remain");
        }
        List<Ext2[]> rounds = new ArrayList<>(numVars);
        for (int i = 0; i < numVars; i++) {
            Ext2[] round = new Ext2[degree + 1];
            for (int t = 0; t <= degree; t++) {
                round[t] = readExt(in);
            }
            rounds.add(round);
        }
        return new SumcheckProof(rounds);
    }

    /** One extension element, checked canonical. */
    public static Ext2 readExt(ByteBuffer in) {
        int at = in.position();
        long c0 = in.getLong();
        long c1 = in.getLong();
        if (!Goldilocks.isCanonical(c0) || !Goldilocks.isCanonical(c1)) {
            throw new IllegalArgumentException("the field element at byte " + at + " is not below p");
        }
        return new Ext2(c0, c1);
    }
}
