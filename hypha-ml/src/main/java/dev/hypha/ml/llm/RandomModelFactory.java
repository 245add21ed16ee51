package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import dev.hypha.ml.tensor.TensorCodec;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.gguf.GgufWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds seeded random-weight models of the llama family, with the metadata keys and tensor names llama.cpp expects,
 * quantized by our own reference quantizers. Used for tests and benchmarks (no pretrained weights can be downloaded
 * here); the same spec always gives the same bytes.
 *
 * <p>Weights are Gaussian with standard deviation 1/sqrt(fan-in), norms near 1, and a token embedding with unit
 * variance, which gives peaked next-token distributions (stable greedy decoding). Matrices whose rows are not a whole
 * number of the chosen type's blocks fall back to Q8_0 (or F32), as llama.cpp's quantizer does.
 */
public final class RandomModelFactory {
    private RandomModelFactory() {}

    /**
     * The shape of a random model.
     *
     * @param architecture  layout (llama, mistral, qwen2 with biases, qwen3 with q/k norms)
     * @param dim           embedding length
     * @param ffnDim        feed-forward length
     * @param layers        blocks
     * @param heads         query heads
     * @param kvHeads       key/value heads
     * @param headDim       per-head length (usually dim / heads)
     * @param vocabSize     vocabulary entries
     * @param contextLength trained context length written to the metadata
     * @param type          type of the weight matrices and the token embedding
     * @param tiedEmbeddings whether the output projection reuses the token embedding
     * @param seed          random seed
     * @param slidingWindow gemma's {@code attention.sliding_window} (gemma2 needs one; 0 gives gemma3 no local
     *                      layers); must be 0 for the other architectures
     * @param experts       routed experts replacing every FFN (llama, where each expert is {@code ffnDim} wide, or
     *                      qwen3moe, which needs them), or null for a dense model
     */
    public record Spec(Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
                       int vocabSize, int contextLength, GgmlType type, boolean tiedEmbeddings, long seed,
                       int slidingWindow, ModelConfig.Experts experts) {
        /** A dense spec. */
        public Spec(Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
                    int vocabSize, int contextLength, GgmlType type, boolean tiedEmbeddings, long seed, int slidingWindow) {
            this(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, type,
                    tiedEmbeddings, seed, slidingWindow, null);
        }

        public Spec {
            boolean needsExperts = architecture == Architecture.QWEN3MOE || architecture == Architecture.GPT_OSS;
            if ((experts != null && !architecture.allowsExperts())
                    || (needsExperts && experts == null)
                    || (experts != null && (experts.style() == ModelConfig.Experts.Style.GPT_OSS)
                        != (architecture == Architecture.GPT_OSS))
                    || (experts != null && (experts.ffnDim() % 32 != 0
                        || (architecture == Architecture.LLAMA && experts.ffnDim() != ffnDim)))) {
                throw new IllegalArgumentException("experts are written for llama (each ffnDim wide), qwen3moe and "
                        + "gpt-oss (required, gpt-oss's style), with a feed-forward length that is a multiple of 32: " + this);
            }
            TensorCodec.requireSupported(type, "random model");
            if (dim % 32 != 0 || ffnDim % 32 != 0 || headDim % 2 != 0 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("random model needs dim and ffnDim multiples of 32, an even head length "
                        + "and heads divisible by kvHeads: " + this);
            }
            boolean windowed = architecture.isGemma() || architecture == Architecture.GPT_OSS;
            if (slidingWindow < 0 || (slidingWindow > 0 && !windowed)
                    || ((architecture == Architecture.GEMMA2 || architecture == Architecture.GPT_OSS) && slidingWindow == 0)) {
                throw new IllegalArgumentException("a sliding window is written for gemma2 and gpt-oss (required) and "
                        + "gemma3 (optional) only, and must be positive: " + this);
            }
        }

        /** A spec without a sliding window (every architecture but gemma2). */
        public Spec(Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim,
                    int vocabSize, int contextLength, GgmlType type, boolean tiedEmbeddings, long seed) {
            this(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, type,
                    tiedEmbeddings, seed, 0);
        }

        /** A tiny model: dim 64, 2 layers, 4 query heads over 2 KV heads, feed-forward 128. */
        public static Spec tiny(Architecture arch, GgmlType type, int vocabSize, long seed) {
            return new Spec(arch, 64, 128, 2, 4, 2, 16, vocabSize, 256, type, false, seed);
        }

        public Spec withType(GgmlType t) {
            return new Spec(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, t,
                    tiedEmbeddings, seed, slidingWindow, experts);
        }

        public Spec withTiedEmbeddings(boolean tied) {
            return new Spec(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, type,
                    tied, seed, slidingWindow, experts);
        }

        public Spec withShape(int newDim, int newFfn, int newLayers, int newHeads, int newKvHeads) {
            return new Spec(architecture, newDim, newFfn, newLayers, newHeads, newKvHeads, newDim / newHeads, vocabSize,
                    contextLength, type, tiedEmbeddings, seed, slidingWindow, experts);
        }

        public Spec withSlidingWindow(int window) {
            return new Spec(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, type,
                    tiedEmbeddings, seed, window, experts);
        }

        /** This spec with routed experts (null: dense). */
        public Spec withExperts(ModelConfig.Experts e) {
            return new Spec(architecture, dim, ffnDim, layers, heads, kvHeads, headDim, vocabSize, contextLength, type,
                    tiedEmbeddings, seed, slidingWindow, e);
        }
    }

    /** The model's architecture metadata (everything except the tokenizer), in the order llama.cpp's converter writes it. */
    public static Map<String, Object> metadata(Spec s) {
        String p = s.architecture().ggufName() + ".";
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("general.architecture", s.architecture().ggufName());
        // llama.cpp sets Phi-3's special-token attributes when general.name contains "phi3" and then requires
        // <|endoftext|> in the vocabulary, which the test vocabularies lack: random phi3 files are named "phi-mini"
        String family = s.architecture() == Architecture.PHI3 ? "phi-mini" : s.architecture().ggufName();
        m.put("general.name", "hypha-random-" + family + "-" + s.type().name().toLowerCase(java.util.Locale.ROOT));
        m.put(p + "vocab_size", (long) s.vocabSize());
        m.put(p + "context_length", (long) s.contextLength());
        m.put(p + "embedding_length", (long) s.dim());
        m.put(p + "block_count", (long) s.layers());
        m.put(p + "feed_forward_length", (long) s.ffnDim());
        m.put(p + "attention.head_count", (long) s.heads());
        m.put(p + "attention.head_count_kv", (long) s.kvHeads());
        m.put(p + "attention.key_length", (long) s.headDim());
        m.put(p + "attention.value_length", (long) s.headDim());
        m.put(p + "rope.dimension_count", (long) ropeDim(s));
        m.put(p + "rope.freq_base", s.architecture() == Architecture.LLAMA || s.architecture() == Architecture.MISTRAL ? 10000.0 : 1000000.0);
        m.put(p + "attention.layer_norm_rms_epsilon", s.architecture().isGemma() ? 1e-6 : 1e-5);
        if (s.architecture() == Architecture.GEMMA2) {
            // caps far below the real 50 / 30, so that random scores and logits reach them and the test sees them
            m.put(p + "attn_logit_softcapping", GEMMA2_ATTN_SOFTCAP);
            m.put(p + "final_logit_softcapping", GEMMA2_FINAL_SOFTCAP);
        }
        if (s.experts() != null) {
            m.put(p + "expert_count", (long) s.experts().count());
            m.put(p + "expert_used_count", (long) s.experts().used());
            if (s.architecture() == Architecture.QWEN3MOE || s.architecture() == Architecture.GPT_OSS) {
                m.put(p + "expert_feed_forward_length", (long) s.experts().ffnDim());
            }
        }
        if (s.slidingWindow() > 0) {
            m.put(p + "attention.sliding_window", (long) s.slidingWindow());
        }
        if (s.architecture() == Architecture.PHI3) {
            // as a 128k Phi-3 file: LongRoPE from half the trained context on, with the converter's attention factor
            // sqrt(1 + ln(scale) / ln(original)); Phi-3-mini's window, which llama.cpp ignores
            long original = s.contextLength() / 2;
            m.put(p + "rope.scaling.original_context_length", original);
            m.put(p + "rope.scaling.attn_factor", Math.sqrt(1 + Math.log(2) / Math.log(original)));
            m.put(p + "attention.sliding_window", 2047L);
        }
        if (s.architecture() == Architecture.GEMMA3) {
            // as google/gemma-3-4b-it: local layers on base 10000, global ones on 1e6 with linear scaling by 8
            m.put(p + "rope.freq_base_swa", 10000.0);
            m.put(p + "rope.scaling.type", "linear");
            m.put(p + "rope.scaling.factor", 8.0);
        }
        m.put("general.file_type", (long) fileType(s.type()));
        if (s.type() != GgmlType.F32 && s.type() != GgmlType.F16 && s.type() != GgmlType.BF16) {
            m.put("general.quantization_version", 2L);
        }
        return m;
    }

    /** gemma2's attention-logit cap in random files (the real models use 50). */
    public static final double GEMMA2_ATTN_SOFTCAP = 5.0;
    /** gemma2's final-logit cap in random files (the real models use 30). */
    public static final double GEMMA2_FINAL_SOFTCAP = 15.0;

    /** llama.cpp's {@code llama_ftype} for a model whose matrices are all {@code t}. */
    static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 15;    // LLAMA_FTYPE_MOSTLY_Q4_K_M
            case Q6_K -> 18;
            case Q4_1 -> 3;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 12;    // LLAMA_FTYPE_MOSTLY_Q3_K_M
            case Q5_K -> 17;    // LLAMA_FTYPE_MOSTLY_Q5_K_M
            case IQ4_NL -> 25;
            case IQ4_XS -> 30;
            case MXFP4 -> 38;   // LLAMA_FTYPE_MOSTLY_MXFP4_MOE
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("no file type for " + t);
        };
    }

    /** Rotated head elements: all, except phi3's, which rotate 3/4 of each head as Phi-4-mini does. */
    static int ropeDim(Spec s) {
        return s.architecture() == Architecture.PHI3 ? s.headDim() * 3 / 4 / 2 * 2 : s.headDim();
    }

    /** The model's tensors (name to encoded tensor), in the order llama.cpp's converter writes them. */
    public static Map<String, WeightTensor> tensors(Spec s) {
        SplittableRandom rnd = new SplittableRandom(s.seed());
        Map<String, WeightTensor> t = new LinkedHashMap<>();
        int qDim = s.heads() * s.headDim();
        int kvDim = s.kvHeads() * s.headDim();
        boolean gemma = s.architecture().isGemma();
        // gemma multiplies the embedding by sqrt(dim): rows of std 1/sqrt(dim) give the residual stream unit scale.
        // Its output norms get weights near 3, so that the post-normed blocks (not the current token's own row, which
        // a tied output would favour) decide the logits, and the logits spread as widely as the llama models' do.
        put(t, matrix("token_embd.weight", s.type(), s.dim(), s.vocabSize(), gemma ? 1 / Math.sqrt(s.dim()) : 1.0, rnd));
        boolean phi3 = s.architecture() == Architecture.PHI3;
        if (phi3) {
            // LongRoPE divisors per rotated pair: short ones near 1, long ones growing to 8 for the slowest frequencies
            int pairs = ropeDim(s) / 2;
            float[] shortFactors = new float[pairs];
            float[] longFactors = new float[pairs];
            for (int i = 0; i < pairs; i++) {
                shortFactors[i] = (float) (1.0 + 0.1 * rnd.nextDouble());
                longFactors[i] = (float) (1.0 + 7.0 * i / Math.max(1, pairs - 1));
            }
            put(t, f32("rope_factors_long.weight", longFactors));
            put(t, f32("rope_factors_short.weight", shortFactors));
        }
        for (int i = 0; i < s.layers(); i++) {
            String b = "blk." + i + ".";
            put(t, norm(b + "attn_norm.weight", s.dim(), rnd));
            if (phi3) {
                // fused: q's rows, then k's, then v's
                put(t, matrix(b + "attn_qkv.weight", s.type(), s.dim(), qDim + 2 * kvDim, 1 / Math.sqrt(s.dim()), rnd));
            } else {
                put(t, matrix(b + "attn_q.weight", s.type(), s.dim(), qDim, 1 / Math.sqrt(s.dim()), rnd));
                put(t, matrix(b + "attn_k.weight", s.type(), s.dim(), kvDim, 1 / Math.sqrt(s.dim()), rnd));
                put(t, matrix(b + "attn_v.weight", s.type(), s.dim(), kvDim, 1 / Math.sqrt(s.dim()), rnd));
            }
            if (s.architecture() == Architecture.QWEN2 || s.architecture() == Architecture.GPT_OSS) {
                put(t, vector(b + "attn_q.bias", qDim, 0.0, 0.1, rnd));
                put(t, vector(b + "attn_k.bias", kvDim, 0.0, 0.1, rnd));
                put(t, vector(b + "attn_v.bias", kvDim, 0.0, 0.1, rnd));
            }
            if (s.architecture() == Architecture.QWEN3 || s.architecture() == Architecture.QWEN3MOE
                    || s.architecture() == Architecture.GEMMA3) {
                put(t, norm(b + "attn_q_norm.weight", s.headDim(), rnd));
                put(t, norm(b + "attn_k_norm.weight", s.headDim(), rnd));
            }
            put(t, matrix(b + "attn_output.weight", s.type(), qDim, s.dim(), 1 / Math.sqrt(qDim), rnd));
            boolean gptOss = s.architecture() == Architecture.GPT_OSS;
            if (gptOss) {
                put(t, vector(b + "attn_output.bias", s.dim(), 0.0, 0.1, rnd));
                // sinks of the size of the scores, so that some heads give them much of their attention
                put(t, vector(b + "attn_sinks.weight", s.heads(), 0.0, 1.0, rnd));
            }
            if (gemma) {
                put(t, vector(b + "post_attention_norm.weight", s.dim(), 3.0, 0.3, rnd));
            }
            put(t, norm(b + (gptOss ? "post_attention_norm.weight" : "ffn_norm.weight"), s.dim(), rnd));
            if (s.experts() != null) {
                // the router in F32, as llama-quantize leaves ffn_gate_inp; a wide spread of router logits, so that
                // the choice of experts is clear-cut and differs between tokens
                ModelConfig.Experts x = s.experts();
                put(t, matrix(b + "ffn_gate_inp.weight", GgmlType.F32, s.dim(), x.count(), 3 / Math.sqrt(s.dim()), rnd));
                put(t, experts(b + "ffn_gate_exps.weight", s.type(), s.dim(), x.ffnDim(), x.count(), 1 / Math.sqrt(s.dim()), rnd));
                put(t, experts(b + "ffn_down_exps.weight", s.type(), x.ffnDim(), s.dim(), x.count(), 1 / Math.sqrt(x.ffnDim()), rnd));
                put(t, experts(b + "ffn_up_exps.weight", s.type(), s.dim(), x.ffnDim(), x.count(), 1 / Math.sqrt(s.dim()), rnd));
                if (gptOss) {
                    put(t, vector(b + "ffn_gate_inp.bias", x.count(), 0.0, 0.5, rnd));
                    put(t, biases(b + "ffn_gate_exps.bias", x.ffnDim(), x.count(), rnd));
                    put(t, biases(b + "ffn_down_exps.bias", s.dim(), x.count(), rnd));
                    put(t, biases(b + "ffn_up_exps.bias", x.ffnDim(), x.count(), rnd));
                }
            } else if (phi3) {
                // fused: the gate's rows, then up's
                put(t, matrix(b + "ffn_up.weight", s.type(), s.dim(), 2 * s.ffnDim(), 1 / Math.sqrt(s.dim()), rnd));
            } else {
                put(t, matrix(b + "ffn_gate.weight", s.type(), s.dim(), s.ffnDim(), 1 / Math.sqrt(s.dim()), rnd));
                put(t, matrix(b + "ffn_up.weight", s.type(), s.dim(), s.ffnDim(), 1 / Math.sqrt(s.dim()), rnd));
            }
            if (s.experts() == null) {
                put(t, matrix(b + "ffn_down.weight", s.type(), s.ffnDim(), s.dim(), 1 / Math.sqrt(s.ffnDim()), rnd));
            }
            if (gemma) {
                put(t, vector(b + "post_ffw_norm.weight", s.dim(), 3.0, 0.3, rnd));
            }
        }
        put(t, gemma ? vector("output_norm.weight", s.dim(), 3.0, 0.3, rnd) : norm("output_norm.weight", s.dim(), rnd));
        // gemma2 always multiplies by token_embd (llama.cpp refuses an output.weight there)
        if (!s.tiedEmbeddings() && s.architecture() != Architecture.GEMMA2) {
            put(t, matrix("output.weight", s.type(), s.dim(), s.vocabSize(), (gemma ? 1 : 3) / Math.sqrt(s.dim()), rnd));
        }
        return t;
    }

    /** The whole model in memory. */
    public static InMemoryModelSource inMemory(Spec s) {
        return new InMemoryModelSource(s.architecture().ggufName(), metadata(s), tensors(s));
    }

    /**
     * Writes the model as a GGUF file llama.cpp can load: the architecture metadata with the value types llama.cpp
     * checks (uint32 counts, float32 epsilon and frequency base), then the vocabulary's {@code tokenizer.*} keys, then
     * the tensors. The vocabulary must have exactly {@code spec.vocabSize()} tokens (e.g.
     * {@code TestVocabularies.sentencePiece(spec.vocabSize())}).
     */
    public static void write(Spec s, TokenizerConfig vocabulary, Path path) {
        if (vocabulary.size() != s.vocabSize()) {
            throw new IllegalArgumentException("the vocabulary has " + vocabulary.size() + " tokens but the model spec asks for "
                    + s.vocabSize() + "; build the spec with the vocabulary's size");
        }
        GgufWriter w = architectureWriter(s);
        vocabulary.writeTo(w);
        addTensors(s, w);
        w.write(path);
    }

    /**
     * Writes the model with arbitrary extra metadata instead of a vocabulary (files without {@code tokenizer.*} keys
     * load in Hypha but not in llama.cpp).
     */
    public static void write(Spec s, Map<String, GgufValue> extraMetadata, Path path) {
        if (extraMetadata.get("tokenizer.ggml.tokens") instanceof GgufValue.Array tokens && tokens.size() != s.vocabSize()) {
            throw new IllegalArgumentException("the vocabulary has " + tokens.size() + " tokens but the model spec asks for "
                    + s.vocabSize() + "; build the spec with the vocabulary's size");
        }
        GgufWriter w = architectureWriter(s);
        w.putAll(extraMetadata);
        addTensors(s, w);
        w.write(path);
    }

    private static GgufWriter architectureWriter(Spec s) {
        GgufWriter w = new GgufWriter();
        metadata(s).forEach((key, value) -> w.put(key, switch (value) {
            case String str -> new GgufValue.Str(str);
            case Long l -> new GgufValue.UInt32(l);
            case Double d -> new GgufValue.Float32(d.floatValue());
            default -> throw new IllegalStateException("unexpected metadata value " + value);
        }));
        return w;
    }

    private static void addTensors(Spec s, GgufWriter w) {
        tensors(s).values().forEach(t -> w.addTensor(t.name(), t.type(), t.shape(), t.data()));
    }

    /** The type a matrix with rows of {@code cols} elements gets when {@code wanted} is asked for. */
    public static GgmlType typeFor(GgmlType wanted, int cols) {
        if (cols % wanted.blockSize() == 0) {
            return wanted;
        }
        return cols % 32 == 0 ? GgmlType.Q8_0 : GgmlType.F32;
    }

    private static void put(Map<String, WeightTensor> t, WeightTensor w) {
        t.put(w.name(), w);
    }

    private static WeightTensor matrix(String name, GgmlType wanted, int cols, int rows, double std, SplittableRandom rnd) {
        GgmlType type = typeFor(wanted, cols);
        float[] x = new float[Math.multiplyExact(cols, rows)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * std);
        }
        return new WeightTensor(name, type, new long[] {cols, rows}, MemorySegment.ofArray(TensorCodec.quantize(type, x, 0, x.length)));
    }

    /** A stacked expert tensor, GGUF shape [cols, rows, count]: expert e's rows after expert e - 1's. */
    private static WeightTensor experts(String name, GgmlType wanted, int cols, int rows, int count, double std,
                                        SplittableRandom rnd) {
        GgmlType type = typeFor(wanted, cols);
        float[] x = new float[Math.multiplyExact(Math.multiplyExact(cols, rows), count)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * std);
        }
        return new WeightTensor(name, type, new long[] {cols, rows, count},
                MemorySegment.ofArray(TensorCodec.quantize(type, x, 0, x.length)));
    }

    /** Per-expert biases, GGUF shape [n, count] (expert e's n values after expert e - 1's), F32. */
    private static WeightTensor biases(String name, int n, int count, SplittableRandom rnd) {
        float[] x = new float[Math.multiplyExact(n, count)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        return new WeightTensor(name, GgmlType.F32, new long[] {n, count},
                MemorySegment.ofArray(TensorCodec.quantize(GgmlType.F32, x, 0, x.length)));
    }

    private static WeightTensor f32(String name, float[] x) {
        return new WeightTensor(name, GgmlType.F32, new long[] {x.length},
                MemorySegment.ofArray(TensorCodec.quantize(GgmlType.F32, x, 0, x.length)));
    }

    private static WeightTensor norm(String name, int n, SplittableRandom rnd) {
        return vector(name, n, 1.0, 0.1, rnd);
    }

    private static WeightTensor vector(String name, int n, double mean, double std, SplittableRandom rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (mean + rnd.nextGaussian() * std);
        }
        return new WeightTensor(name, GgmlType.F32, new long[] {n}, MemorySegment.ofArray(TensorCodec.quantize(GgmlType.F32, x, 0, n)));
    }
}
