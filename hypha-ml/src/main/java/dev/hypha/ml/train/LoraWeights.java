package dev.hypha.ml.train;

import dev.hypha.ml.llm.LoraTarget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The trainable half of LoRA: for every adapted weight (by GGUF name) its A [r, in] and B [out, r], tracked tensors.
 * The order (block by block, targets in {@link LoraTarget} order) is the order optimizers, checkpoints and the adapter
 * file walk.
 */
public final class LoraWeights {
    /** One adapted weight's pair. */
    public record Pair(Tensor a, Tensor b) {}

    private final LoraSettings settings;
    private final Map<String, Pair> pairs;

    private LoraWeights(LoraSettings settings, Map<String, Pair> pairs) {
        this.settings = settings;
        this.pairs = pairs;
    }

    /**
     * peft's initialisation: A uniform in ±1/sqrt(in) (its Kaiming-uniform with a = sqrt(5)), B zero, so training starts
     * from the base model exactly. Pair i's A draws from {@code Seeds.stream(seed, INIT, i)}.
     */
    public static LoraWeights initialize(DecoderConfig c, LoraSettings s, long seed) {
        Map<String, Pair> pairs = new LinkedHashMap<>();
        Map<String, int[]> shapes = Decoder.shapes(c);
        for (String name : pairNames(c.layers(), s)) {
            int out = shapes.get(name)[0];
            int in = shapes.get(name)[1];
            SplittableRandom r = Seeds.stream(seed, Seeds.INIT, pairs.size());
            float bound = (float) (1 / Math.sqrt(in));
            float[] a = new float[s.rank() * in];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
            }
            pairs.put(name, new Pair(Tensor.tracked(a, s.rank(), in), Tensor.tracked(new float[out * s.rank()], out, s.rank())));
        }
        return new LoraWeights(s, pairs);
    }

    /**
     * The base weights an adapter of {@code settings} adapts in a model of {@code layers} layers, in the order its pairs
     * are trained, committed and written: layer by layer, each layer's targets in {@link LoraTarget}'s order.
     */
    public static List<String> pairNames(int layers, LoraSettings settings) {
        List<String> names = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (LoraTarget t : LoraTarget.values()) {
                if (settings.targets().contains(t)) {
                    names.add(t.weightName(l));
                }
            }
        }
        return List.copyOf(names);
    }

    public LoraSettings settings() {
        return settings;
    }

    /** Adapted weight name to its pair, in file order. */
    public Map<String, Pair> pairs() {
        return Collections.unmodifiableMap(pairs);
    }

    /** A then B of each pair, in file order: what the optimizer updates. */
    public List<Tensor> parameters() {
        List<Tensor> out = new ArrayList<>();
        pairs.values().forEach(p -> {
            out.add(p.a());
            out.add(p.b());
        });
        return out;
    }

    /** The projection that adds this adapter's term to every adapted weight and leaves the others plain. */
    public Decoder.Projection projection() {
        float scale = settings.scale();
        return (f, x, weightName, weight) -> {
            Pair p = pairs.get(weightName);
            return p == null ? Dense.linear(f, x, weight, null) : LoraLinear.apply(f, x, weight, p.a(), p.b(), scale);
        };
    }
}
