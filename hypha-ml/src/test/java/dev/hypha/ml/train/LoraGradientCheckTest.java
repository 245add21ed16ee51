package dev.hypha.ml.train;

import static dev.hypha.ml.train.GradientCheckTest.check;
import static dev.hypha.ml.train.GradientCheckTest.tracked;

import dev.hypha.ml.llm.Architecture;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** LoRA's backward steps agree with central finite differences; the frozen weight gets no gradient. */
class LoraGradientCheckTest {

    @Property(tries = 15)
    void loraLinear(@ForAll @IntRange(min = 1, max = 4) int batch, @ForAll @IntRange(min = 1, max = 7) int in,
                    @ForAll @IntRange(min = 1, max = 6) int out, @ForAll @IntRange(min = 1, max = 3) int rank, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = tracked(r, batch, in);
        Tensor w = Tensor.constant(tracked(r, out, in).data(), out, in);
        Tensor a = tracked(r, rank, in);
        Tensor b = tracked(r, out, rank);
        float scale = 0.5f + r.nextInt(4);
        check(seed, List.of(x, a, b), f -> LoraLinear.apply(f, x, w, a, b, scale));
    }

    @Property(tries = 4)
    void wholeFrozenDecoderWithAnAdapterOnEveryProjection(@ForAll long seed) {
        DecoderConfig c = new DecoderConfig(Architecture.LLAMA, 8, 12, 2, 2, 1, 4, 7, 8, 1e-5f, 10000f);
        Decoder base = LoraTestModels.frozen(c, seed);
        LoraWeights adapter = LoraTestModels.randomAdapter(c, 2, 4f, seed, 0.3f);
        SplittableRandom r = new SplittableRandom(seed);
        int length = 3;
        int[] tokens = new int[2 * length];
        int[] targets = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(c.vocabSize());
            targets[i] = r.nextInt(c.vocabSize());
        }
        RotaryEmbedding rope = base.rope(length);
        Decoder.Projection projection = adapter.projection();
        check(seed, adapter.parameters(), f -> Losses.crossEntropy(f, base.forward(f, tokens, rope, length, projection), targets));
    }
}
