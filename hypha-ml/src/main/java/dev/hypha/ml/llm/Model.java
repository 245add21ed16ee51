package dev.hypha.ml.llm;

import dev.hypha.ml.tensor.HugePages;
import dev.hypha.ml.tensor.MatMul;
import dev.hypha.ml.tensor.Parallel;
import java.lang.foreign.Arena;

/**
 * A loaded llama-family model: configuration, weights (views into the source, except the Q4_0, Q4_K, Q6_K and Q8_0
 * matrices, which are repacked once at load into the row-interleaved layout of the fast kernels, and the Q3_K, Q5_0,
 * IQ4_NL and MXFP4 ones, repacked exactly into the Q6_K and Q8_0 layouts; see {@link #REPACK})
 * and the threads that compute with them. Open a {@link Session} per conversation; sessions of one model may not run at the
 * same time on the model's threads: serve concurrent users through a {@link ContinuousBatcher}, which runs all their
 * steps on one thread and batches their decode steps ({@link DecodeBatch}).
 */
public final class Model implements AutoCloseable {
    /**
     * Engine options.
     *
     * @param threads       worker threads for matrix products and attention
     * @param deterministic use bit-reproducible transcendental functions ({@link StrictMath}); see {@link MathMode}
     * @param batchSize     tokens processed together during prompt processing
     */
    public record Options(int threads, boolean deterministic, int batchSize) {
        public Options {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            if (batchSize < 1 || batchSize > 4096) {
                throw new IllegalArgumentException("batch size must be between 1 and 4096, got " + batchSize);
            }
        }

        /** All available processors, fast mode, batches of 32 tokens. */
        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), false, 32);
        }

        public Options withThreads(int t) {
            return new Options(t, deterministic, batchSize);
        }

        public Options withDeterministic(boolean d) {
            return new Options(threads, d, batchSize);
        }

        public Options withBatchSize(int b) {
            return new Options(threads, deterministic, b);
        }
    }

    /**
     * {@code -Dhypha.ml.repack=false} keeps every matrix memory-mapped in its GGUF layout (one-row kernels, several times
     * slower: Q4_K generation ~6x): for a model larger than memory, which the page cache can then stream from disk.
     */
    private static final boolean REPACK = !"false".equalsIgnoreCase(System.getProperty("hypha.ml.repack", "true").strip());

    private final ModelConfig config;
    private final ModelWeights weights;
    private final Options options;
    private final Parallel parallel;
    private final MatMul matMul;
    private final Rope rope;
    private final Rope slidingRope;
    private final Rope longContextRope;
    private final Arena repacked;
    private final LoraAdapter adapter;

    private Model(ModelConfig config, ModelWeights weights, LoraAdapter adapter, Options options) {
        this.config = config;
        this.adapter = adapter;
        this.repacked = Arena.ofShared();
        this.weights = REPACK ? weights.interleave(HugePages.slab(repacked)) : weights;
        this.options = options;
        this.parallel = new Parallel(options.threads());
        this.matMul = new MatMul(parallel, options.deterministic());
        LayoutTraits traits = config.traits();
        LayoutTraits.RopeLongContext longContext = traits.ropeLongContext();
        float attnFactor = longContext == null ? 1.0f : longContext.attnFactor();
        this.rope = new Rope(config, config.ropeBase(), config.ropeFreqScale(), weights.ropeFreqFactors(), attnFactor,
                config.yarn());
        this.longContextRope = weights.ropeFreqFactorsLong() == null ? rope
                : new Rope(config, config.ropeBase(), config.ropeFreqScale(), weights.ropeFreqFactorsLong(), attnFactor);
        this.slidingRope = traits.hasSlidingLayers()
                ? new Rope(config, traits.ropeBaseSliding(), traits.ropeFreqScaleSliding(), null, 1.0f, config.yarn())
                : rope;
    }

    /** Loads a model from an open GGUF file, which must stay open while the model is used (weights are mapped, not copied). */
    public static Model load(dev.hypha.ml.gguf.GgufFile gguf, Options options) {
        return load(new GgufModelSource(gguf), options);
    }

    /** Reads configuration and weights from {@code source}; the source must stay open while the model is used. */
    public static Model load(ModelSource source, Options options) {
        ModelConfig config = ModelConfig.from(source);
        return new Model(config, ModelWeights.load(source, config), null, options);
    }

    /**
     * As {@link #load(ModelSource, Options)} with a LoRA adapter applied to every projection it names (see
     * {@link LoraAdapter}); both the source and the adapter file must stay open while the model is used.
     *
     * @throws IllegalArgumentException when the adapter does not fit the model, naming the adapter's tensor
     */
    public static Model load(ModelSource source, dev.hypha.ml.gguf.GgufFile adapter, Options options) {
        ModelConfig config = ModelConfig.from(source);
        LoraAdapter lora = LoraAdapter.load(adapter, config);
        return new Model(config, ModelWeights.load(source, config), lora, options);
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public Options options() {
        return options;
    }

    /** The LoRA adapter applied at inference, or null. */
    public LoraAdapter adapter() {
        return adapter;
    }

    /** A new conversation with an empty KV cache of {@code contextSize} positions. */
    public Session newSession(int contextSize) {
        return new Session(this, new KvCache(config, contextSize));
    }

    /** A new conversation whose KV cache of {@code contextSize} positions stores keys and values as {@code type}. */
    public Session newSession(int contextSize, KvCache.Type type) {
        return new Session(this, new KvCache(config, contextSize, type));
    }

    /** Context size of {@link #newSession()}: the trained context, capped as Ollama caps {@code num_ctx} by default. */
    public static final int DEFAULT_CONTEXT = 4096;

    /** A new conversation with {@code min(trained context, DEFAULT_CONTEXT)} positions. */
    public Session newSession() {
        return newSession(Math.min(config.contextLength(), DEFAULT_CONTEXT));
    }

    MatMul matMul() {
        return matMul;
    }

    Parallel parallel() {
        return parallel;
    }

    Rope rope() {
        return rope;
    }

    /**
     * The rotation of a session of {@code contextSize} positions: phi3's long-context factors when the file has them
     * and the context exceeds the original one, {@link #rope()} otherwise.
     */
    Rope ropeFor(int contextSize) {
        LayoutTraits.RopeLongContext longContext = config.traits().ropeLongContext();
        return longContext != null && contextSize > longContext.originalContext() ? longContextRope : rope;
    }

    /** The rotation of the sliding-window layers ({@link #rope()} when there are none). */
    Rope slidingRope() {
        return slidingRope;
    }

    MathMode math() {
        return options.deterministic() ? MathMode.STRICT : MathMode.FAST;
    }

    @Override
    public void close() {
        parallel.close();
        repacked.close();
    }
}
