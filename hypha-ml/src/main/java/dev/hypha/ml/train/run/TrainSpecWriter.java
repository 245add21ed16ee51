package dev.hypha.ml.train.run;

import dev.hypha.ml.train.Layer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes a {@link TrainSpec} as the TOML {@link TrainSpecParser} reads: how a tenant's node writes the specs it makes
 * (a DiLoCo round's per-provider specs). Floats are written in Java's shortest round-trip form, and every written spec
 * is parsed back and compared, so a spec is never published that reads as another.
 */
public final class TrainSpecWriter {
    private TrainSpecWriter() {}

    public static byte[] toml(TrainSpec spec) {
        StringBuilder b = new StringBuilder();
        b.append("name = ").append(quote(spec.name())).append('\n');
        b.append("dataset = ").append(quote(spec.dataset())).append('\n');
        b.append("split = ").append(quote(spec.split())).append('\n');
        if (spec.dataAsset() != 0) {
            b.append("data_asset = ").append(spec.dataAsset()).append('\n');
        }
        if (spec.hasInit()) {
            b.append("init = ").append(quote(spec.init())).append('\n');
        }
        b.append("seed = ").append(spec.seed()).append('\n');
        b.append("steps = ").append(spec.steps()).append('\n');
        b.append("batch = ").append(spec.batch()).append('\n');
        b.append("checkpoint_every = ").append(spec.checkpointEvery()).append('\n');
        b.append("layers = [").append(spec.layers().stream().map(Layer::describe).map(TrainSpecWriter::quote)
                .collect(Collectors.joining(", "))).append("]\n\n[optimizer]\n");
        TrainSpec.OptimizerSpec o = spec.optimizer();
        b.append("kind = ").append(quote(o.kind())).append('\n');
        real(b, "learning_rate", o.learningRate());
        real(b, "min_learning_rate", o.minLearningRate());
        b.append("warmup_steps = ").append(o.warmupSteps()).append('\n');
        real(b, "weight_decay", o.weightDecay());
        real(b, "beta1", o.beta1());
        real(b, "beta2", o.beta2());
        real(b, "epsilon", o.epsilon());
        real(b, "momentum", o.momentum());
        real(b, "clip_norm", o.clipNorm());
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        TrainSpec back = TrainSpecParser.parse("the written spec " + spec.name(), bytes);
        if (!same(back, spec)) {
            throw new IllegalStateException("spec " + spec.name() + " does not read back as written: " + spec + " became " + back);
        }
        return bytes;
    }

    /** Records compare their lists of layers by equality; layers are compared by their lines here. */
    private static boolean same(TrainSpec a, TrainSpec b) {
        return a.name().equals(b.name()) && a.dataset().equals(b.dataset()) && a.split().equals(b.split())
                && a.seed() == b.seed() && a.steps() == b.steps() && a.batch() == b.batch()
                && a.checkpointEvery() == b.checkpointEvery() && a.dataAsset() == b.dataAsset() && a.init().equals(b.init())
                && a.optimizer().equals(b.optimizer())
                && Arrays.equals(a.layers().stream().map(Layer::describe).toArray(), b.layers().stream().map(Layer::describe).toArray());
    }

    private static void real(StringBuilder b, String key, float value) {
        String text = Float.toString(value).toLowerCase(Locale.ROOT);
        if (!text.contains(".") && !text.contains("e")) {
            text += ".0";
        }
        if (text.contains("e") && !text.contains(".")) {
            text = text.replace("e", ".0e"); // TOML wants a fraction or an exponent on digits; 1e-8 reads either way
        }
        b.append(key).append(" = ").append(text).append('\n');
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("control character in spec text '" + s + "'");
            }
            b.append(c);
        }
        return b.append('"').toString();
    }
}
