package dev.hypha.ml.train;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.LoraTarget;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Small frozen bases and adapters for the LoRA tests. */
final class LoraTestModels {
    /** Dims that llama.cpp accepts too: head length 16, 4 query heads over 2 KV heads. */
    static final DecoderConfig CONFIG = new DecoderConfig(Architecture.LLAMA, 64, 96, 2, 4, 2, 16, 400, 128, 1e-5f, 10000f);

    private LoraTestModels() {}

    /** A seeded random decoder whose tensors are all constants (copies). */
    static Decoder frozen(DecoderConfig c, long seed) {
        Map<String, Tensor> constants = new LinkedHashMap<>();
        Decoder.initialize(c, seed).named().forEach((name, t) -> constants.put(name, Tensor.constant(t.data().clone(), t.shape())));
        return Decoder.of(c, constants);
    }

    /** An adapter on every projection with B random too (a fresh adapter's B is zero, which hides half the gradients). */
    static LoraWeights randomAdapter(DecoderConfig c, int rank, float alpha, long seed, float bScale) {
        LoraWeights w = LoraWeights.initialize(c, new LoraSettings(rank, alpha, EnumSet.allOf(LoraTarget.class)), seed);
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (LoraWeights.Pair p : w.pairs().values()) {
            float[] b = p.b().data();
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (r.nextGaussian() * bScale);
            }
        }
        return w;
    }
}
