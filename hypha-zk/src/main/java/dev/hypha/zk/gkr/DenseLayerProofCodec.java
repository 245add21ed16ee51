package dev.hypha.zk.gkr;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.pcs.EvaluationProof;
import dev.hypha.zk.pcs.ProofCodec;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.sumcheck.SumcheckProofCodec;
import java.nio.ByteBuffer;

/**
 * The canonical bytes of a {@link DenseLayerProof}: the sumcheck rounds, the weight evaluation (16 bytes), then the
 * weight opening; every length follows from the layer's shape, and decoding rejects any other total length.
 */
public final class DenseLayerProofCodec {
    private DenseLayerProofCodec() {}

    public static long size(DenseLayer layer) {
        return SumcheckProofCodec.size(layer.inVars(), 2) + 16L + layer.weightParams().proofBytes();
    }

    public static byte[] encode(DenseLayer layer, DenseLayerProof proof) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size(layer)));
        SumcheckProofCodec.write(proof.sumcheck(), out);
        out.putLong(proof.weightEvaluation().c0()).putLong(proof.weightEvaluation().c1());
        ProofCodec.write(proof.weightOpening(), layer.weightParams(), out);
        return out.array();
    }

    /**
     * @throws IllegalArgumentException naming a wrong length or the offset of a non-canonical element
     */
    public static DenseLayerProof decode(DenseLayer layer, byte[] bytes) {
        if (bytes.length != size(layer)) {
            throw new IllegalArgumentException("a proof for a " + layer.in() + " -> " + layer.out() + " layer has "
                    + size(layer) + " bytes, got " + bytes.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        SumcheckProof sumcheck = SumcheckProofCodec.read(in, layer.inVars(), 2);
        Ext2 weightEvaluation = SumcheckProofCodec.readExt(in);
        EvaluationProof opening = ProofCodec.read(in, layer.weightParams());
        return new DenseLayerProof(sumcheck, weightEvaluation, opening);
    }
}
