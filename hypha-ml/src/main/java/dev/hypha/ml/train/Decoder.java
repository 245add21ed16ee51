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

    private Decoder(DecoderConfig config, Map<String, Tensor> parameters) {
        this.config = config;
        this.parameters = parameters;
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
        DecoderConfig c = config;
        Tensor x = Embedding.lookup(f, p("token_embd.weight"), tokens);
        for (int l = 0; l < c.layers(); l++) {
            String b = "blk." + l + ".";
            Tensor h = Norms.rms(f, x, p(b + "attn_norm.weight"), c.rmsEps());
            Tensor q = rope.apply(f, Dense.linear(f, h, p(b + "attn_q.weight"), null), c.heads(), c.headDim());
            Tensor k = rope.apply(f, Dense.linear(f, h, p(b + "attn_k.weight"), null), c.kvHeads(), c.headDim());
            Tensor v = Dense.linear(f, h, p(b + "attn_v.weight"), null);
            Tensor a = Attention.causal(f, q, k, v, c.heads(), c.kvHeads(), c.headDim(), sequenceLength);
            x = Elementwise.add(f, x, Dense.linear(f, a, p(b + "attn_output.weight"), null));
            h = Norms.rms(f, x, p(b + "ffn_norm.weight"), c.rmsEps());
            Tensor gated = Elementwise.swiglu(f, Dense.linear(f, h, p(b + "ffn_gate.weight"), null),
                    Dense.linear(f, h, p(b + "ffn_up.weight"), null));
            x = Elementwise.add(f, x, Dense.linear(f, gated, p(b + "ffn_down.weight"), null));
        }
        Tensor out = Norms.rms(f, x, p("output_norm.weight"), c.rmsEps());
        return Dense.linear(f, out, p("output.weight"), null);
    }

    /** The rotary embedding this decoder uses for sequences of {@code sequenceLength} tokens. */
    public RotaryEmbedding rope(int sequenceLength) {
        if (sequenceLength > config.contextLength()) {
            throw new IllegalArgumentException("sequences of " + sequenceLength + " exceed the context of " + config.contextLength());
        }
        return new RotaryEmbedding(new Rope(config.modelConfig(), null), config.architecture().ropeStyle(), config.headDim(), sequenceLength);
    }
}
