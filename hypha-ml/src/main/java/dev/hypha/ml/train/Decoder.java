package dev.hypha.ml.train;

import dev.hypha.ml.llm.Rope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A llama-style decoder's parameters and its training forward pass. Parameters are named and shaped as the GGUF
 * llama layout stores them (a [rows, cols] tensor here is GGUF's {@code [cols, rows]}), in the order llama.cpp's
 * converter writes them, so {@link DecoderGguf} writes them as they are.
 */
public final class Decoder {
    private final DecoderConfig config;
    private final Map<String, Tensor> parameters;

    /**
     * How a block computes one of its seven projections from the normalised input: the plain linear layer, or (LoRA)
     * the frozen weight plus a trained low-rank term. {@code weightName} is the GGUF name of {@code weight}.
     */
    @FunctionalInterface
    public interface Projection {
        Tensor apply(Forward f, Tensor x, String weightName, Tensor weight);

        /** {@code x·Wᵀ}, what {@link #forward(Forward, int[], RotaryEmbedding, int)} uses. */
        Projection PLAIN = (f, x, weightName, weight) -> Dense.linear(f, x, weight, null);
    }

    private Decoder(DecoderConfig config, Map<String, Tensor> parameters) {
        this.config = config;
        this.parameters = parameters;
    }

    /**
     * A decoder over given tensors (for example a GGUF model's weights as constants, frozen for LoRA): every name of the
     * llama layout with its shape, in any order; nothing else. The tensors are shared, not copied. A model that ties its
     * output to the embedding passes the same tensor under both names.
     */
    public static Decoder of(DecoderConfig c, Map<String, Tensor> tensors) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : shapes(c).entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("decoder tensor '" + e.getKey() + "' is missing");
            }
            if (!java.util.Arrays.equals(t.shape(), e.getValue())) {
                throw new IllegalArgumentException("decoder tensor '" + e.getKey() + "' must have shape "
                        + java.util.Arrays.toString(e.getValue()) + ", got " + java.util.Arrays.toString(t.shape()));
            }
            p.put(e.getKey(), t);
        }
        for (String name : tensors.keySet()) {
            if (!p.containsKey(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a tensor of the llama decoder layout");
            }
        }
        return new Decoder(c, p);
    }

    /** Every parameter's name and shape ([rows, cols] for matrices), in GGUF order. */
    public static Map<String, int[]> shapes(DecoderConfig c) {
        Map<String, int[]> s = new LinkedHashMap<>();
        s.put("token_embd.weight", new int[] {c.vocabSize(), c.dim()});
        for (int l = 0; l < c.layers(); l++) {
            String b = "blk." + l + ".";
            s.put(b + "attn_norm.weight", new int[] {c.dim()});
            s.put(b + "attn_q.weight", new int[] {c.qDim(), c.dim()});
            s.put(b + "attn_k.weight", new int[] {c.kvDim(), c.dim()});
            s.put(b + "attn_v.weight", new int[] {c.kvDim(), c.dim()});
            s.put(b + "attn_output.weight", new int[] {c.dim(), c.qDim()});
            s.put(b + "ffn_norm.weight", new int[] {c.dim()});
            s.put(b + "ffn_gate.weight", new int[] {c.ffnDim(), c.dim()});
            s.put(b + "ffn_up.weight", new int[] {c.ffnDim(), c.dim()});
            s.put(b + "ffn_down.weight", new int[] {c.dim(), c.ffnDim()});
        }
        s.put("output_norm.weight", new int[] {c.dim()});
        s.put("output.weight", new int[] {c.vocabSize(), c.dim()});
        return s;
    }

    /**
     * Seeded initialisation: matrices Gaussian with standard deviation 1/sqrt(fan-in) (the two projections back into
     * the residual stream also divided by sqrt(2·layers)), the embedding with standard deviation 1, norms 1. Parameter
     * i draws from {@code Seeds.stream(seed, INIT, i)}.
     */
    public static Decoder initialize(DecoderConfig c, long seed) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        double residual = 1 / Math.sqrt(2.0 * c.layers());
        gaussian(p, "token_embd.weight", c.vocabSize(), c.dim(), 1.0, seed);
        for (int l = 0; l < c.layers(); l++) {
            String b = "blk." + l + ".";
            ones(p, b + "attn_norm.weight", c.dim());
            gaussian(p, b + "attn_q.weight", c.qDim(), c.dim(), 1 / Math.sqrt(c.dim()), seed);
            gaussian(p, b + "attn_k.weight", c.kvDim(), c.dim(), 1 / Math.sqrt(c.dim()), seed);
            gaussian(p, b + "attn_v.weight", c.kvDim(), c.dim(), 1 / Math.sqrt(c.dim()), seed);
            gaussian(p, b + "attn_output.weight", c.dim(), c.qDim(), residual / Math.sqrt(c.qDim()), seed);
            ones(p, b + "ffn_norm.weight", c.dim());
            gaussian(p, b + "ffn_gate.weight", c.ffnDim(), c.dim(), 1 / Math.sqrt(c.dim()), seed);
            gaussian(p, b + "ffn_up.weight", c.ffnDim(), c.dim(), 1 / Math.sqrt(c.dim()), seed);
            gaussian(p, b + "ffn_down.weight", c.dim(), c.ffnDim(), residual / Math.sqrt(c.ffnDim()), seed);
        }
        ones(p, "output_norm.weight", c.dim());
        gaussian(p, "output.weight", c.vocabSize(), c.dim(), 1 / Math.sqrt(c.dim()), seed);
        return new Decoder(c, p);
    }

    private static void gaussian(Map<String, Tensor> p, String name, int rows, int cols, double std, long seed) {
        SplittableRandom r = Seeds.stream(seed, Seeds.INIT, p.size());
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * std);
        }
        p.put(name, Tensor.tracked(w, rows, cols));
    }

    private static void ones(Map<String, Tensor> p, String name, int n) {
        float[] w = new float[n];
        java.util.Arrays.fill(w, 1f);
        p.put(name, Tensor.tracked(w, n));
    }

    public DecoderConfig config() {
        return config;
    }

    /** Name to parameter, in GGUF order (shared: optimizers update them in place). */
    public Map<String, Tensor> named() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The parameters in GGUF order (the order optimizers and digests walk). */
    public List<Tensor> parameters() {
        return new ArrayList<>(parameters.values());
    }

    private Tensor p(String name) {
        return parameters.get(name);
    }

    /**
     * Logits [tokens.length, vocab] for sequences of {@code rope}'s length laid end to end in {@code tokens}: row i
     * predicts the token after {@code tokens[i]} from its sequence's tokens up to i.
     */
    public Tensor forward(Forward f, int[] tokens, RotaryEmbedding rope, int sequenceLength) {
        return forward(f, tokens, rope, sequenceLength, Projection.PLAIN);
    }

    /** As {@link #forward(Forward, int[], RotaryEmbedding, int)}, each block's projections computed by {@code projection}. */
    public Tensor forward(Forward f, int[] tokens, RotaryEmbedding rope, int sequenceLength, Projection projection) {
        DecoderConfig c = config;
        Tensor x = Embedding.lookup(f, p("token_embd.weight"), tokens);
        for (int l = 0; l < c.layers(); l++) {
            String b = "blk." + l + ".";
            Tensor h = Norms.rms(f, x, p(b + "attn_norm.weight"), c.rmsEps());
            Tensor q = rope.apply(f, linear(f, projection, h, b + "attn_q.weight"), c.heads(), c.headDim());
            Tensor k = rope.apply(f, linear(f, projection, h, b + "attn_k.weight"), c.kvHeads(), c.headDim());
            Tensor v = linear(f, projection, h, b + "attn_v.weight");
            Tensor a = Attention.causal(f, q, k, v, c.heads(), c.kvHeads(), c.headDim(), sequenceLength);
            x = Elementwise.add(f, x, linear(f, projection, a, b + "attn_output.weight"));
            h = Norms.rms(f, x, p(b + "ffn_norm.weight"), c.rmsEps());
            Tensor gated = Elementwise.swiglu(f, linear(f, projection, h, b + "ffn_gate.weight"),
                    linear(f, projection, h, b + "ffn_up.weight"));
            x = Elementwise.add(f, x, linear(f, projection, gated, b + "ffn_down.weight"));
        }
        Tensor out = Norms.rms(f, x, p("output_norm.weight"), c.rmsEps());
        return Dense.linear(f, out, p("output.weight"), null);
    }

    private Tensor linear(Forward f, Projection projection, Tensor x, String name) {
        return projection.apply(f, x, name, p(name));
    }

    /** The rotary embedding this decoder uses for sequences of {@code sequenceLength} tokens. */
    public RotaryEmbedding rope(int sequenceLength) {
        if (sequenceLength > config.contextLength()) {
            throw new IllegalArgumentException("sequences of " + sequenceLength + " exceed the context of " + config.contextLength());
        }
        return new RotaryEmbedding(new Rope(config.modelConfig(), null), config.architecture().ropeStyle(), config.headDim(), sequenceLength);
    }
}
