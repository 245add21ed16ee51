package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.WeightMatrix;
import java.lang.foreign.SegmentAllocator;

/**
 * One block's routed experts: the router ({@code ffn_gate_inp}, one row per expert) and each expert's gate, up and
 * down matrices (llama.cpp's {@code ffn_gate_exps}, {@code ffn_up_exps}, {@code ffn_down_exps}); gpt-oss adds a
 * bias to each ({@code routerBias} [count], {@code gateBias}/{@code upBias} [count x ffn], {@code downBias}
 * [count x dim], expert-major), null otherwise.
 */
record ExpertWeights(ModelConfig.Experts config, WeightMatrix router, ExpertMatrices gate, ExpertMatrices up,
                     ExpertMatrices down, float[] routerBias, float[] gateBias, float[] upBias, float[] downBias) {

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
        boolean biased = x.style() == ModelConfig.Experts.Style.GPT_OSS;
        return new ExpertWeights(x,
                new WeightMatrix(router.name(), router.type(), x.count(), c.dim(), router.data()),
                ExpertMatrices.of(src.requireTensor(b + "ffn_gate_exps.weight"), c.dim(), x.ffnDim(), x.count()),
                ExpertMatrices.of(src.requireTensor(b + "ffn_up_exps.weight"), c.dim(), x.ffnDim(), x.count()),
                ExpertMatrices.of(src.requireTensor(b + "ffn_down_exps.weight"), x.ffnDim(), c.dim(), x.count()),
                biased ? bias(src, b + "ffn_gate_inp.bias", x.count(), 1) : null,
                biased ? bias(src, b + "ffn_gate_exps.bias", x.ffnDim(), x.count()) : null,
                biased ? bias(src, b + "ffn_up_exps.bias", x.ffnDim(), x.count()) : null,
                biased ? bias(src, b + "ffn_down_exps.bias", c.dim(), x.count()) : null);
    }

    /** A bias tensor of GGUF shape [n] (rows 1) or [n, rows], decoded to floats; its shape is checked by name. */
    private static float[] bias(ModelSource src, String name, int n, int rows) {
        WeightTensor t = src.requireTensor(name);
        long[] s = t.shape();
        boolean ok = rows == 1 ? s.length == 1 && s[0] == n : s.length == 2 && s[0] == n && s[1] == rows;
        if (!ok) {
            throw new IllegalArgumentException("tensor '" + name + "' must have shape " + (rows == 1 ? "[" + n + "]"
                    : "[" + n + ", " + rows + "]") + ", got " + t);
        }
        long count = (long) n * rows;
        dev.hypha.ml.tensor.TensorCodec.requireSupported(t.type(), "tensor '" + name + "'");
        if (n % t.type().blockSize() != 0 || t.data().byteSize() != t.type().bytesFor(n) * rows) {
            throw new IllegalArgumentException("tensor '" + name + "' holds " + t.data().byteSize() + " bytes, not "
                    + count + " " + t.type() + " elements");
        }
        return dev.hypha.ml.tensor.TensorCodec.dequantize(t.type(), t.data(), Math.toIntExact(count));
    }

    /** The router packed now (it multiplies every token); the experts packed when first selected. */
    ExpertWeights interleave(SegmentAllocator memory) {
        return new ExpertWeights(config, router.interleave(memory), gate.packedLazilyInto(memory),
                up.packedLazilyInto(memory), down.packedLazilyInto(memory), routerBias, gateBias, upBias, downBias);
    }
}
