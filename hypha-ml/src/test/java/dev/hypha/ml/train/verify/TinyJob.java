package dev.hypha.ml.train.verify;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.run.TrainingRun;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A job small enough to train, audit and bisect hundreds of times in a test: 8×8 images, a two-layer MLP with dropout
 * (so the seeded random streams are part of every step), AdamW with warm-up and clipping, a commitment every
 * {@link #EVERY} steps.
 */
final class TinyJob {
    static final int STEPS = 16;
    static final int EVERY = 4;
    static final int SEGMENTS = STEPS / EVERY;

    final TrainSpec spec;
    final byte[] specDigest;
    final ImageSplit data;
    /** Data of the same shape the job does not name (a provider that trains on other data uses it). */
    final ImageSplit otherData;

    TinyJob(long seed) {
        String toml = """
                name = "tiny"
                dataset = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
                seed = %d
                steps = %d
                batch = 8
                checkpoint_every = %d
                layers = ["flatten", "linear 64 24", "relu", "dropout 0.1", "linear 24 4"]
                [optimizer]
                kind = "adamw"
                learning_rate = 0.02
                min_learning_rate = 0.002
                warmup_steps = 2
                weight_decay = 0.01
                clip_norm = 1.0
                """.formatted(seed, STEPS, EVERY);
        byte[] bytes = toml.getBytes(StandardCharsets.UTF_8);
        this.spec = TrainSpecParser.parse("tiny", bytes);
        this.specDigest = Hashes.keccak256(bytes);
        this.data = images("train", seed, 48);
        this.otherData = images("other", seed + 1, 48);
    }

    /** Class c is a bright 2×8 band at row 2c, over noise. */
    static ImageSplit images(String name, long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pixels = new byte[count * 64];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            int c = r.nextInt(4);
            labels[i] = (byte) c;
            for (int p = 0; p < 64; p++) {
                boolean on = p / 8 / 2 == c;
                pixels[i * 64 + p] = (byte) (on ? 180 + r.nextInt(70) : r.nextInt(80));
            }
        }
        return new ImageSplit(name, count, 8, 8, 4, pixels, labels);
    }

    Replayer replayer(FloatMatMul gemm) {
        return new Replayer(spec, specDigest, data, gemm);
    }

    /** An honest provider's state after every step, index = step. */
    List<RunState> honestStates(FloatMatMul gemm) {
        TrainingRun run = TrainingRun.start(spec, data, gemm);
        List<RunState> states = new ArrayList<>();
        states.add(run.state());
        while (run.stepsDone() < STEPS) {
            run.step();
            states.add(run.state());
        }
        return states;
    }
}
