package dev.hypha.ml.train.run;

import dev.hypha.ml.train.Layer;
import java.util.List;

/**
 * A training job as data (never code): architecture, dataset, hyper-parameters, seed, steps and checkpoint interval.
 * The same spec and seed give the same bits after every step on any machine (see docs/ARCHITECTURE.md, Determinism).
 */
public record TrainSpec(
        String name,
        String dataset,
        String split,
        long seed,
        long steps,
        int batch,
        long checkpointEvery,
        List<Layer> layers,
        OptimizerSpec optimizer) {

    /** Optimizer and schedule settings; {@code clipNorm} 0 means no clipping. */
    public record OptimizerSpec(
            String kind,
            float learningRate,
            float minLearningRate,
            long warmupSteps,
            float weightDecay,
            float beta1,
            float beta2,
            float epsilon,
            float momentum,
            float clipNorm) {}

    public TrainSpec {
        layers = List.copyOf(layers);
    }
}
