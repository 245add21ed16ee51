package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.WeightMatrix;
import java.lang.foreign.SegmentAllocator;

/**
 * One block's routed experts: the router ({@code ffn_gate_inp}, one row per expert) and each expert's gate, up and
 * down matrices (llama.cpp's {@code ffn_gate_exps}, {@code ffn_up_exps}, {@code ffn_down_exps}).
 */
record ExpertWeights(ModelConfig.Experts config, WeightMatrix router, ExpertMatrices gate, ExpertMatrices up,
                     ExpertMatrices down) {

    /** Reads block {@code b}'s experts (prefix {@code blk.N.}), checking every shape against {@code c}. */
    static ExpertWeights load(ModelSource src, String b, ModelConfig c) {
        ModelConfig.Experts x = c.experts();
        WeightTensor router = src.requireTensor(b + "ffn_gate_inp.weight");
        long[] rs = router.shape();
        if (rs.length != 2 || rs[0] != c.dim() || rs[1] != x.count()) {
            throw new IllegalArgumentException("tensor '" + router.name() + "' must have shape [" + c.dim() + ", "
                    + x.count() + "], got " + router);
        }
        if (src.tensor(b + "ffn_gate_exps.weight").isEmpty()) {
            // llama.cpp would then gate with up's own output; no published model does, so it is not implemented
            throw new IllegalArgumentException("model has no tensor '" + b + "ffn_gate_exps.weight'; experts without "
                    + "a gate are not supported");
        }
        for (String shared : new String[] {"ffn_gate_shexp.weight", "ffn_gate_inp_shexp.weight", "exp_probs_b.bias"}) {
            if (src.tensor(b + shared).isPresent()) {
                throw new IllegalArgumentException("tensor '" + b + shared + "': shared experts and expert biases "
                        + "are not supported");
            }
        }
        return new ExpertWeights(x,
                new WeightMatrix(router.name(), router.type(), x.count(), c.dim(), router.data()),
                ExpertMatrices.of(src.requireTensor(b + "ffn_gate_exps.weight"), c.dim(), x.ffnDim(), x.count()),
                ExpertMatrices.of(src.requireTensor(b + "ffn_up_exps.weight"), c.dim(), x.ffnDim(), x.count()),
                ExpertMatrices.of(src.requireTensor(b + "ffn_down_exps.weight"), x.ffnDim(), c.dim(), x.count()));
    }

    /** The router packed now (it multiplies every token); the experts packed when first selected. */
    ExpertWeights interleave(SegmentAllocator memory) {
        return new ExpertWeights(config, router.interleave(memory), gate.packedLazilyInto(memory),
                up.packedLazilyInto(memory), down.packedLazilyInto(memory));
    }
}
