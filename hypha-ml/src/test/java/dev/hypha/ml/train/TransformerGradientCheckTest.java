package dev.hypha.ml.train;

import static dev.hypha.ml.train.GradientCheckTest.check;
import static dev.hypha.ml.train.GradientCheckTest.tracked;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.ModelConfig;
import dev.hypha.ml.llm.Pooling;
import dev.hypha.ml.llm.Rope;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The transformer operations' backward steps agree with central finite differences (jqwik over shapes and seeds). */
class TransformerGradientCheckTest {

    @Property(tries = 10)
    void embeddingWithRepeatedTokens(@ForAll @IntRange(min = 2, max = 6) int vocab, @ForAll @IntRange(min = 1, max = 7) int dim,
                                     @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor table = tracked(r, vocab, dim);
        int[] tokens = new int[vocab + 3]; // more tokens than entries: some repeat
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(vocab);
        }
        check(seed, List.of(table), f -> Embedding.lookup(f, table, tokens));
    }

    @Property(tries = 15)
    void rmsNorm(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 12) int dim, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = tracked(r, rows, dim);
        Tensor w = tracked(r, dim);
        check(seed, List.of(x, w), f -> Norms.rms(f, x, w, 1e-5f));
    }

    @Property(tries = 15)
    void layerNorm(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 2, max = 12) int dim, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = tracked(r, rows, dim);
        Tensor w = tracked(r, dim);
        Tensor b = tracked(r, dim);
        check(seed, List.of(x, w, b), f -> Norms.layer(f, x, w, b, 1e-5f));
    }

    @Property(tries = 10)
    void residualAdd(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor a = tracked(r, 3, 5);
        Tensor b = tracked(r, 3, 5);
        check(seed, List.of(a, b), f -> Elementwise.add(f, a, b));
    }

    @Property(tries = 10)
    void residualAddOfATensorToItself(@ForAll long seed) {
        Tensor a = tracked(new SplittableRandom(seed), 2, 4);
        check(seed, List.of(a), f -> Elementwise.add(f, a, a));
    }

    @Property(tries = 10)
    void swiglu(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor g = tracked(r, 3, 6);
        Tensor u = tracked(r, 3, 6);
        check(seed, List.of(g, u), f -> Elementwise.swiglu(f, g, u));
    }

    @Property(tries = 10)
    void rotaryEmbedding(@ForAll boolean neox, @ForAll @IntRange(min = 1, max = 3) int heads,
                         @ForAll @IntRange(min = 1, max = 4) int halfRope, @ForAll @IntRange(min = 0, max = 2) int unrotated,
                         @ForAll long seed) {
        int headDim = 2 * halfRope + 2 * unrotated;
        int length = 3;
        Architecture arch = neox ? Architecture.QWEN2 : Architecture.LLAMA;
        ModelConfig mc = new ModelConfig(arch, headDim * heads, 32, 1, heads, heads, headDim, 10, 16, 1e-5f, 100f,
                2 * halfRope, 1f, Optional.empty(), Pooling.MEAN);
        RotaryEmbedding rope = new RotaryEmbedding(new Rope(mc, null), arch.ropeStyle(), 2 * halfRope, length);
        Tensor x = tracked(new SplittableRandom(seed), 2 * length, heads * headDim);
        check(seed, List.of(x), f -> rope.apply(f, x, heads, headDim));
    }

    @Property(tries = 15)
    void causalAttentionWithGroupedHeads(@ForAll @IntRange(min = 1, max = 2) int sequences, @ForAll @IntRange(min = 1, max = 4) int length,
                                         @ForAll @IntRange(min = 1, max = 2) int kvHeads, @ForAll @IntRange(min = 1, max = 2) int group,
                                         @ForAll @IntRange(min = 1, max = 18) int headDim, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int heads = kvHeads * group;
        Tensor q = tracked(r, sequences * length, heads * headDim);
        Tensor k = tracked(r, sequences * length, kvHeads * headDim);
        Tensor v = tracked(r, sequences * length, kvHeads * headDim);
        check(seed, List.of(q, k, v), f -> Attention.causal(f, q, k, v, heads, kvHeads, headDim, length));
    }

    @Property(tries = 5)
    void wholeDecoderWithNextTokenLoss(@ForAll long seed) {
        DecoderConfig c = new DecoderConfig(Architecture.LLAMA, 8, 12, 2, 2, 1, 4, 7, 8, 1e-5f, 10000f);
        Decoder decoder = Decoder.initialize(c, seed);
        SplittableRandom r = new SplittableRandom(seed);
        int length = 3;
        int[] tokens = new int[2 * length];
        int[] targets = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(c.vocabSize());
            targets[i] = r.nextInt(c.vocabSize());
        }
        RotaryEmbedding rope = decoder.rope(length);
        List<Tensor> all = new ArrayList<>(decoder.parameters());
        check(seed, all, f -> Losses.crossEntropy(f, decoder.forward(f, tokens, rope, length), targets));
    }
}
