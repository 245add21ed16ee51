package dev.hypha.ml.train.run;

import dev.hypha.ml.train.Layer;
import java.util.List;

/**
 * A training job as data (never code): architecture, dataset, hyper-parameters, seed, steps and checkpoint interval.
 * The same spec and seed give the same bits after every step on any machine (see docs/ARCHITECTURE.md, Determinism).
 * {@code dataAsset} is 0, or (compute-to-data) the sealed asset whose files hold {@code dataset}: the provider holding
 * the job's lease opens it inside the job's folder only.
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
        OptimizerSpec optimizer,
        long dataAsset,
        String init) {

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
        if (dataAsset < 0) throw new IllegalArgumentException("data_asset must be positive (or 0 for none)");
        init = init == null ? "" : init;
    }

    /** A spec whose weights start from its seed. */
    public TrainSpec(String name, String dataset, String split, long seed, long steps, int batch, long checkpointEvery,
                     List<Layer> layers, OptimizerSpec optimizer, long dataAsset) {
        this(name, dataset, split, seed, steps, batch, checkpointEvery, layers, optimizer, dataAsset, "");
    }

    /** Whether the weights start from a model file ({@link #init}) rather than from the seed. */
    public boolean hasInit() {
        return !init.isEmpty();
    }

    /** A spec whose dataset is public (no sealed asset). */
    public TrainSpec(String name, String dataset, String split, long seed, long steps, int batch, long checkpointEvery,
                     List<Layer> layers, OptimizerSpec optimizer) {
        this(name, dataset, split, seed, steps, batch, checkpointEvery, layers, optimizer, 0, "");
    }
}
