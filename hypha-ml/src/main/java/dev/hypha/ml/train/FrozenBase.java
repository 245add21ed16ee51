package dev.hypha.ml.train;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.ModelConfig;
import dev.hypha.ml.llm.ModelSource;
import dev.hypha.ml.llm.WeightTensor;
import dev.hypha.ml.tensor.TensorCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A llama-family model file as a {@link Decoder} whose every tensor is a constant: the frozen base of LoRA training.
 * Quantized weights (Q8_0, Q4_K, ...) are dequantized once, as ggml's {@code dequantize_row_*} does, so training sees
 * exactly the values the inference engine's kernels use (QLoRA's recipe: the base stays as stored, the adapter is
 * trained in float). The float copy costs 4 bytes per parameter (11 MB for hypha-tiny).
 */
public final class FrozenBase {
    private FrozenBase() {}

    /**
     * @throws IllegalArgumentException naming what the training decoder cannot represent (another architecture, biases,
     *                                  per-head norms, partial or scaled RoPE) or a missing or misshapen tensor
     */
    public static Decoder load(ModelSource src) {
        ModelConfig mc = ModelConfig.from(src);
        if (mc.architecture() != Architecture.LLAMA && mc.architecture() != Architecture.MISTRAL) {
            throw new IllegalArgumentException("LoRA training supports the llama layout (llama, mistral), not " + mc.architecture());
        }
        if (mc.isMixtureOfExperts()) {
            throw new IllegalArgumentException("LoRA training supports dense models; this llama has "
                    + mc.experts().count() + " routed experts per block");
        }
        if (mc.ropeDim() != mc.headDim() || mc.ropeFreqScale() != 1f || mc.llama3Scaling().isPresent()
                || src.tensor("rope_freqs.weight").isPresent()) {
            throw new IllegalArgumentException("LoRA training supports unscaled RoPE over the whole head; this model has rope dimension "
                    + mc.ropeDim() + " of " + mc.headDim() + ", frequency scale " + mc.ropeFreqScale()
                    + (mc.llama3Scaling().isPresent() || src.tensor("rope_freqs.weight").isPresent() ? " and llama3 frequency factors" : ""));
        }
        for (String extra : new String[] {"blk.0.attn_q.bias", "blk.0.attn_k.bias", "blk.0.attn_v.bias", "blk.0.attn_q_norm.weight"}) {
            if (src.tensor(extra).isPresent()) {
                throw new IllegalArgumentException("LoRA training supports the plain llama layout; this model has '" + extra + "'");
            }
        }
        DecoderConfig c = new DecoderConfig(mc.architecture(), mc.dim(), mc.ffnDim(), mc.layers(), mc.heads(), mc.kvHeads(),
                mc.headDim(), mc.vocabSize(), mc.contextLength(), mc.rmsEps(), mc.ropeBase());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : Decoder.shapes(c).entrySet()) {
            String name = e.getKey();
            Optional<WeightTensor> stored = src.tensor(name);
            if (stored.isEmpty() && name.equals("output.weight")) {
                tensors.put(name, tensors.get("token_embd.weight")); // tied output: the embedding multiplies
                continue;
            }
            tensors.put(name, constant(src.requireTensor(name), e.getValue()));
        }
        return Decoder.of(c, tensors);
    }

    private static Tensor constant(WeightTensor t, int[] shape) {
        long[] expected = shape.length == 1 ? new long[] {shape[0]} : new long[] {shape[1], shape[0]};
        if (!java.util.Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' must have GGUF shape " + java.util.Arrays.toString(expected)
                    + ", got " + t);
        }
        int n = Math.toIntExact(t.elementCount());
        TensorCodec.requireSupported(t.type(), "tensor '" + t.name() + "'");
        if (n % t.type().blockSize() != 0 || t.data().byteSize() != t.type().bytesFor(n)) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' holds " + t.data().byteSize() + " bytes, not " + n + " "
                    + t.type() + " elements");
        }
        return Tensor.constant(TensorCodec.dequantize(t.type(), t.data(), n), shape);
    }
}
