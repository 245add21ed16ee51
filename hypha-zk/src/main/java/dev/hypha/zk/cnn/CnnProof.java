package dev.hypha.zk.cnn;

import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.lookup.LogUpProof;
import dev.hypha.zk.mlp.MlpProof;
import dev.hypha.zk.mlp.RequantByteArgument;
import dev.hypha.zk.sumcheck.SumcheckProof;
import java.util.List;

/**
 * A whole-CNN proof (the prover's messages; the statement travels beside it), in transcript order: the dense head as
 * an MLP's layers (last first) and its requantizations, then per conv block (last first) its convolution, its
 * requantization and its pooling, then one batched opening of each table.
 */
public record CnnProof(byte[] witnessRoot, List<MlpProof.Layer> dense, List<RequantByteArgument.Proof> denseRequants,
        List<Conv> convs, ClaimBatch.Proof model, ClaimBatch.Proof witness) {
    public CnnProof {
        witnessRoot = witnessRoot.clone();
        dense = List.copyOf(dense);
        denseRequants = List.copyOf(denseRequants);
        convs = List.copyOf(convs);
    }

    @Override
    public byte[] witnessRoot() {
        return witnessRoot.clone();
    }

    /**
     * One conv block: ã(r) and b̃(r_c); the sumcheck over the patch index ending at s with K̃(r_c, s) and the im2col
     * value X̃(r_p, s); for a block after the first, the wiring sumcheck that reduces X̃(r_p, s) to the previous pooled
     * output z̃(u) (null, null for the first block, whose input is public); the requantization; the pooling.
     */
    public record Conv(Ext2 accumulator, Ext2 bias, SumcheckProof conv, Ext2 kernel, Ext2 patch, SumcheckProof wiring,
            Ext2 input, RequantByteArgument.Proof requant, Pool pool) {}

    /**
     * One max-pool: z̃(ρ) and d̃_j(ρ) per window element j, the gather sumcheck to ỹ(u); the selectors' booleanity
     * zero-check and its value, their sums Σ_j S̃(j, ρ') (one value per j), the zero-check of Σ_j S·D ending with S̃ and
     * D̃ at its point; the LogUp range lookup of D in [0, 256) (its claims, D̃ and the multiplicities at its
     * points, follow from the lookup proof and go to the witness batch).
     */
    public record Pool(Ext2 pooled, Ext2[] differences, SumcheckProof gather, Ext2 gathered, SumcheckProof selectorBits,
            Ext2 selectorBit, Ext2[] selectorSums, SumcheckProof selected, Ext2 selectedS, Ext2 selectedD,
            LogUpProof differenceLookup) {
        public Pool {
            differences = differences.clone();
            selectorSums = selectorSums.clone();
        }

        @Override
        public Ext2[] differences() {
            return differences.clone();
        }

        @Override
        public Ext2[] selectorSums() {
            return selectorSums.clone();
        }
    }
}
