package dev.hypha.ml.train.run;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.AdamW;
import dev.hypha.ml.train.Forward;
import dev.hypha.ml.train.GradientClipping;
import dev.hypha.ml.train.Losses;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Optimizer;
import dev.hypha.ml.train.Schedule;
import dev.hypha.ml.train.Seeds;
import dev.hypha.ml.train.Sgd;
import dev.hypha.ml.train.Tape;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.Workspace;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.store.ContentStore;
import java.util.List;
import java.util.Optional;

/**
 * Runs a training spec to the end, resuming from the newest checkpoint of the same spec if one exists.
 *
 * <p>Everything a step does is a function of (spec, step, weights, optimizer state): batches come from
 * {@link BatchOrder}, dropout masks from {@link Seeds} with the step as index, the learning rate from the schedule.
 * A checkpoint therefore holds only weights, optimizer state and the step count, and a run resumed from it is
 * bit-identical to one that never stopped.
 */
public final class Trainer {
    /** Reference kind of a spec's newest checkpoint (named by the spec's content id). */
    public static final String CHECKPOINTS = "checkpoints";
    /** Reference kind of trained models (named by the spec's name). */
    public static final String MODELS = "models";

    private final TrainSpec spec;
    private final ContentId specId;
    private final ImageSplit data;
    private final ContentStore store;
    private final FloatMatMul gemm;

    public Trainer(TrainSpec spec, ContentId specId, ImageSplit data, ContentStore store, FloatMatMul gemm) {
        this.spec = spec;
        this.specId = specId;
        this.data = data;
        this.store = store;
        this.gemm = gemm;
    }

    /** The outcome: the stored model's id, its weights' digest and the last step's loss. */
    public record Result(ContentId model, String weightsDigest, float lastLoss, long stepsRun) {}

    public Result run(TrainingListener listener) {
        int[] input = {1, data.height(), data.width()};
        Network network;
        long start = 0;
        Optimizer optimizer;
        Optional<ContentId> checkpoint = store.ref(CHECKPOINTS, specId.toString());
        if (checkpoint.isPresent()) {
            ModelFile.Contents c = ModelFile.decode(checkpoint.get().toString(), store.get(checkpoint.get()));
            if (!c.specId().equals(specId.toString())) {
                throw new HyphaException(ErrorCategory.INPUT, "checkpoint " + checkpoint.get() + " belongs to spec " + c.specId()
                        + ", not " + specId);
            }
            network = c.network();
            optimizer = optimizer(network);
            List<float[]> state = optimizer.state();
            if (state.size() != c.optimizerState().size()) {
                throw new HyphaException(ErrorCategory.INPUT, "checkpoint " + checkpoint.get() + " holds " + c.optimizerState().size()
                        + " optimizer arrays, " + spec.optimizer().kind() + " needs " + state.size());
            }
            for (int i = 0; i < state.size(); i++) {
                if (state.get(i).length != c.optimizerState().get(i).length) {
                    throw new HyphaException(ErrorCategory.INPUT, "checkpoint " + checkpoint.get() + ": optimizer array " + i + " has the wrong size");
                }
                System.arraycopy(c.optimizerState().get(i), 0, state.get(i), 0, state.get(i).length);
            }
            start = c.step();
            listener.resumed(start, checkpoint.get());
        } else {
            try {
                network = Network.initialize(spec.layers(), input, spec.seed());
            } catch (IllegalArgumentException e) {
                throw new HyphaException(ErrorCategory.INPUT, "spec " + spec.name() + ": the layers do not fit the dataset's "
                        + java.util.Arrays.toString(input) + " images: " + e.getMessage(), e);
            }
            optimizer = optimizer(network);
        }
        if (!java.util.Arrays.equals(network.inputShape(), input)) {
            throw new HyphaException(ErrorCategory.INPUT, "the network takes " + java.util.Arrays.toString(network.inputShape())
                    + " inputs, the dataset has " + java.util.Arrays.toString(input));
        }
        int classes = network.outputShape()[0];
        if (network.outputShape().length != 1 || classes < data.classes()) {
            throw new HyphaException(ErrorCategory.INPUT, "the last layer gives " + java.util.Arrays.toString(network.outputShape())
                    + " values per sample; the dataset needs at least " + data.classes() + " class scores");
        }
        TrainSpec.OptimizerSpec o = spec.optimizer();
        Schedule schedule = new Schedule(o.learningRate(), o.minLearningRate(), o.warmupSteps(), spec.steps());
        if (spec.batch() > data.count()) {
            throw new HyphaException(ErrorCategory.INPUT, "spec " + spec.name() + ": batch " + spec.batch() + " is larger than the "
                    + data.count() + " samples of split " + spec.split());
        }
        BatchOrder batches = new BatchOrder(spec.seed(), data.count(), spec.batch());
        List<Tensor> params = network.parameters();
        float loss = Float.NaN;
        Workspace workspace = new Workspace();
        for (long step = start; step < spec.steps(); step++) {
            workspace.reset();
            int[] idx = batches.indices(step);
            Tensor x = Tensor.constant(data.images(idx), spec.batch(), 1, data.height(), data.width());
            Tape tape = new Tape();
            Forward f = new Forward(gemm, tape, true, Seeds.stream(spec.seed(), Seeds.DROPOUT, step), workspace);
            Tensor lossTensor = Losses.crossEntropy(f, network.forward(f, x), data.labels(idx));
            params.forEach(Tensor::zeroGrad);
            tape.backward(lossTensor);
            if (o.clipNorm() > 0) {
                GradientClipping.clip(params, o.clipNorm());
            }
            optimizer.update(params, schedule.at(step), step);
            loss = lossTensor.data()[0];
            if (!Float.isFinite(loss)) {
                throw new HyphaException(ErrorCategory.INPUT, "training diverged at step " + step + " (loss " + loss
                        + "); lower optimizer.learning_rate or set optimizer.clip_norm");
            }
            listener.parametersUpdated(step, params);
            listener.stepDone(step, spec.steps(), spec.batch(), loss);
            long done = step + 1;
            if (spec.checkpointEvery() > 0 && done % spec.checkpointEvery() == 0 && done < spec.steps()) {
                ContentId id = store.put(ModelFile.encode(network, done, specId.toString(), optimizer.stateNames(), optimizer.state()));
                store.setRef(CHECKPOINTS, specId.toString(), id);
                listener.checkpointed(done, id);
            }
        }
        ContentId model = store.put(ModelFile.encode(network, spec.steps(), specId.toString(), List.of(), List.of()));
        store.setRef(MODELS, spec.name(), model);
        return new Result(model, ModelFile.weightsDigest(network), loss, spec.steps() - start);
    }

    private Optimizer optimizer(Network network) {
        TrainSpec.OptimizerSpec o = spec.optimizer();
        return switch (o.kind()) {
            case "adamw" -> new AdamW(network.parameters(), o.beta1(), o.beta2(), o.epsilon(), o.weightDecay());
            case "sgd" -> new Sgd(network.parameters(), o.momentum(), o.weightDecay());
            default -> throw new IllegalStateException("unknown optimizer " + o.kind());
        };
    }
}
