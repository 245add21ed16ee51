package dev.hypha.ml.train.run;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.Forward;
import dev.hypha.ml.train.GradientClipping;
import dev.hypha.ml.train.Losses;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Optimizer;
import dev.hypha.ml.train.Schedule;
import dev.hypha.ml.train.Seeds;
import dev.hypha.ml.train.Tape;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.Workspace;
import dev.hypha.ml.train.data.ImageSplit;
import java.util.List;

/**
 * One optimizer step of an image classifier, a function of (weights, optimizer state, seed, step): the batch comes
 * from the {@link BatchOrder}, dropout from {@link Seeds} with the step as index, the learning rate from the schedule.
 */
final class TrainingStep {
    private final TrainSpec spec;
    private final ImageSplit data;
    private final FloatMatMul gemm;
    private final Schedule schedule;
    private final Workspace workspace = new Workspace();

    TrainingStep(TrainSpec spec, ImageSplit data, FloatMatMul gemm) {
        this.spec = spec;
        this.data = data;
        this.gemm = gemm;
        TrainSpec.OptimizerSpec o = spec.optimizer();
        this.schedule = new Schedule(o.learningRate(), o.minLearningRate(), o.warmupSteps(), spec.steps());
    }

    /** The optimizer the spec names, over {@code network}'s parameters, with fresh state. */
    static Optimizer optimizer(TrainSpec spec, Network network) {
        TrainSpec.OptimizerSpec o = spec.optimizer();
        return switch (o.kind()) {
            case "adamw" -> new dev.hypha.ml.train.AdamW(network.parameters(), o.beta1(), o.beta2(), o.epsilon(),
                    o.weightDecay());
            case "sgd" -> new dev.hypha.ml.train.Sgd(network.parameters(), o.momentum(), o.weightDecay());
            default -> throw new IllegalStateException("unknown optimizer " + o.kind());
        };
    }

    /**
     * Runs step {@code step} on {@code network}, drawing batches from {@code batches} and dropout from {@code seed}.
     *
     * @return the batch's loss before the update
     * @throws HyphaException INPUT when the loss is not finite (the run diverged)
     */
    float run(Network network, Optimizer optimizer, BatchOrder batches, long seed, long step) {
        workspace.reset();
        int[] idx = batches.indices(step);
        Tensor x = Tensor.constant(data.images(idx), spec.batch(), 1, data.height(), data.width());
        Tape tape = new Tape();
        Forward f = new Forward(gemm, tape, true, Seeds.stream(seed, Seeds.DROPOUT, step), workspace);
        Tensor lossTensor = Losses.crossEntropy(f, network.forward(f, x), data.labels(idx));
        List<Tensor> params = network.parameters();
        params.forEach(Tensor::zeroGrad);
        tape.backward(lossTensor);
        TrainSpec.OptimizerSpec o = spec.optimizer();
        if (o.clipNorm() > 0) {
            GradientClipping.clip(params, o.clipNorm());
        }
        optimizer.update(params, schedule.at(step), step);
        float loss = lossTensor.data()[0];
        if (!Float.isFinite(loss)) {
            throw new HyphaException(ErrorCategory.INPUT, "training diverged at step " + step + " (loss " + loss
                    + "); lower optimizer.learning_rate or set optimizer.clip_norm");
        }
        return loss;
    }
}
