package dev.hypha.zk.mlp;

import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.sumcheck.SumcheckProof;
import java.util.List;

/**
 * A whole-MLP proof (the prover's messages; the statement travels beside it). Every length follows from the statement's
 * shape, which is what lets {@link MlpProofCodec} read it without length prefixes.
 *
 * @param witnessRoot the witness table's commitment
 * @param layers      one per layer, the last layer first (the GKR order, output to input)
 * @param requants    one per hidden layer, the first first
 * @param model       the model table's claims batched and opened once
 * @param witness     the witness table's claims batched and opened once
 */
public record MlpProof(byte[] witnessRoot, List<Layer> layers, List<Requant> requants, ClaimBatch.Proof model,
        ClaimBatch.Proof witness) {
    public MlpProof {
        witnessRoot = witnessRoot.clone();
        layers = List.copyOf(layers);
        requants = List.copyOf(requants);
    }

    @Override
    public byte[] witnessRoot() {
        return witnessRoot.clone();
    }

    /**
     * One matrix product: b̃(r), the accumulator ã(r) (hidden layers; null for the logits, which are public), the
     * sumcheck over the input index, W̃(r, s), and the input x̃(s) (null for the first layer, whose input is public).
     */
    public record Layer(Ext2 bias, Ext2 accumulator, SumcheckProof matmul, Ext2 weight, Ext2 input) {}

    /**
     * One requantization: the zero-check of its three constraints and the five values it leaves (acc, y, rem, q, e at
     * ρ); the range values (rem, y, e at τ) with the bit recomposition sumcheck and the bit it leaves; the booleanity
     * zero-check and the bit it leaves.
     */
    public record Requant(SumcheckProof zerocheck, Ext2[] values, Ext2[] rangeValues, SumcheckProof recomposition,
            Ext2 recomposedBit, SumcheckProof booleanity, Ext2 booleanBit) {
        public Requant {
            values = values.clone();
            rangeValues = rangeValues.clone();
        }

        @Override
        public Ext2[] values() {
            return values.clone();
        }

        @Override
        public Ext2[] rangeValues() {
            return rangeValues.clone();
        }
    }
}
