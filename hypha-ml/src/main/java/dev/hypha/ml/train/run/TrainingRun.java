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
import java.util.Arrays;
import java.util.List;

/**
 * One image-classifier training run held in memory and advanced one step at a time: the loop body of
 * {@link Trainer}, and what a verifier re-executes from a committed state ({@code train.verify.Replayer}).
 *
 * <p>Step {@code s} is a function of (spec, dataset, {@link RunState} before it) only: its batch comes from
 * {@link BatchOrder}, its dropout masks from {@code Seeds(seed, DROPOUT, s)}, its learning rate from the schedule.
 * The seed is the spec's, except for runs that train the spec on other shards of the batches (DiLoCo's workers,
 * contribution scoring's repeats), which name their own.
 */
public final class TrainingRun {
    private final TrainSpec spec;
    private final ImageSplit data;
    private final FloatMatMul gemm;
    private final Network network;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final BatchOrder batches;
    private final long seed;
    private final Workspace workspace = new Workspace();
    private long step;

    private TrainingRun(TrainSpec spec, ImageSplit data, FloatMatMul gemm, Network network, long step, long seed) {
        this.spec = spec;
        this.seed = seed;
        this.data = data;
        this.gemm = gemm;
        this.network = network;
        this.step = step;
        int[] input = {1, data.height(), data.width()};
        if (!Arrays.equals(network.inputShape(), input)) {
            throw new HyphaException(ErrorCategory.INPUT, "the network takes " + Arrays.toString(network.inputShape())
                    + " inputs, the dataset has " + Arrays.toString(input));
        }
        int classes = network.outputShape()[0];
        if (network.outputShape().length != 1 || classes < data.classes()) {
            throw new HyphaException(ErrorCategory.INPUT, "the last layer gives " + Arrays.toString(network.outputShape())
                    + " values per sample; the dataset needs at least " + data.classes() + " class scores");
        }
        if (spec.batch() > data.count()) {
            throw new HyphaException(ErrorCategory.INPUT, "spec " + spec.name() + ": batch " + spec.batch() + " is larger than the "
                    + data.count() + " samples of split " + spec.split());
        }
        TrainSpec.OptimizerSpec o = spec.optimizer();
        this.optimizer = switch (o.kind()) {
            case "adamw" -> new AdamW(network.parameters(), o.beta1(), o.beta2(), o.epsilon(), o.weightDecay());
            case "sgd" -> new Sgd(network.parameters(), o.momentum(), o.weightDecay());
            default -> throw new IllegalStateException("unknown optimizer " + o.kind());
        };
        this.schedule = new Schedule(o.learningRate(), o.minLearningRate(), o.warmupSteps(), spec.steps());
        this.batches = new BatchOrder(seed, data.count(), spec.batch());
    }

    /**
     * A fresh run: parameters initialized from the spec's seed, optimizer state zero, no step done. A spec with an
     * {@code init} model is refused here (it needs {@link #start(TrainSpec, ImageSplit, FloatMatMul, ContentStore)}), so
     * no caller silently trains it from the seed instead.
     */
    public static TrainingRun start(TrainSpec spec, ImageSplit data, FloatMatMul gemm) {
        if (spec.hasInit()) {
            throw new IllegalStateException("spec " + spec.name() + " starts from model " + spec.init() + "; start it with a store");
        }
        return start(spec, data, gemm, spec.seed());
    }

    /** A fresh run of any spec: from its {@code init} model's weights (read from {@code store}) or from its seed. */
    public static TrainingRun start(TrainSpec spec, ImageSplit data, FloatMatMul gemm, ContentStore store) {
        if (!spec.hasInit()) {
            return start(spec, data, gemm, spec.seed());
        }
        ContentId id = ContentId.parse(spec.init());
        if (!store.contains(id)) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "spec " + spec.name() + " starts from model " + id
                    + ", which is not in the store");
        }
        ModelFile.Contents init = ModelFile.decode(id.toString(), store.get(id));
        return startFrom(spec, data, gemm, init.network().parameters().stream().map(Tensor::data).toList(),
                "the init model " + id);
    }

    /** A fresh run whose parameters are {@code weights} (copied): optimizer state zero, no step done, the spec's seed. */
    public static TrainingRun startFrom(TrainSpec spec, ImageSplit data, FloatMatMul gemm, List<float[]> weights,
                                        String source) {
        int[] input = {1, data.height(), data.width()};
        Network network;
        try {
            network = Network.withParameters(spec.layers(), input, weights);
        } catch (IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.INPUT, source + ": the weights do not fit spec " + spec.name() + ": "
                    + e.getMessage(), e);
        }
        return new TrainingRun(spec, data, gemm, network, 0, spec.seed());
    }

    /** A fresh run whose initial parameters, batch order and dropout come from {@code seed} instead of the spec's. */
    public static TrainingRun start(TrainSpec spec, ImageSplit data, FloatMatMul gemm, long seed) {
        int[] input = {1, data.height(), data.width()};
        Network network;
        try {
            network = Network.initialize(spec.layers(), input, seed);
        } catch (IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.INPUT, "spec " + spec.name() + ": the layers do not fit the dataset's "
                    + Arrays.toString(input) + " images: " + e.getMessage(), e);
        }
        return new TrainingRun(spec, data, gemm, network, 0, seed);
    }

    /** A run continuing from {@code state}; {@code source} names where the state came from, for errors. */
    public static TrainingRun resume(TrainSpec spec, ImageSplit data, FloatMatMul gemm, RunState state, String source) {
        int[] input = {1, data.height(), data.width()};
        Network network;
        try {
            network = Network.withParameters(spec.layers(), input, state.parametersView());
        } catch (IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.INPUT, source + ": the parameters do not fit spec " + spec.name() + ": "
                    + e.getMessage(), e);
        }
        if (state.step() > spec.steps()) {
            throw new HyphaException(ErrorCategory.INPUT, source + " is at step " + state.step() + ", past the spec's "
                    + spec.steps() + " steps");
        }
        TrainingRun run = new TrainingRun(spec, data, gemm, network, state.step(), spec.seed());
        List<float[]> own = run.optimizer.state();
        List<float[]> given = state.optimizerStateView();
        if (own.size() != given.size()) {
            throw new HyphaException(ErrorCategory.INPUT, source + " holds " + given.size() + " optimizer arrays, "
                    + spec.optimizer().kind() + " needs " + own.size());
        }
        for (int i = 0; i < own.size(); i++) {
            if (own.get(i).length != given.get(i).length) {
                throw new HyphaException(ErrorCategory.INPUT, source + ": optimizer array " + i + " has the wrong size");
            }
            System.arraycopy(given.get(i), 0, own.get(i), 0, own.get(i).length);
        }
        return run;
    }

    /**
     * Runs step {@link #stepsDone()} (forward, loss, backward, clipping, update) and returns its mean batch loss.
     *
     * @throws HyphaException (INPUT) when the loss is not finite: training diverged
     */
    public float step() {
        float loss = update();
        if (!Float.isFinite(loss)) {
            throw new HyphaException(ErrorCategory.INPUT, "training diverged at step " + step + " (loss " + loss
                    + "); lower optimizer.learning_rate or set optimizer.clip_norm");
        }
        step++;
        return loss;
    }

    /**
     * Verification mode: runs step {@link #stepsDone()} as {@link #step()} does but goes on when the loss is not finite,
     * leaving the state the update gives (NaN or infinite values included). A verifier re-executing from a provider's
     * committed state must reach a root to compare and dispute, not stop: a committed state whose next step diverges is
     * evidence against the provider, and the referees re-execute the disputed step with this same method.
     */
    public float replayStep() {
        float loss = update();
        step++;
        return loss;
    }

    /** One step's work without advancing the count; its mean batch loss. */
    private float update() {
        if (step >= spec.steps()) {
            throw new IllegalStateException("spec " + spec.name() + " has " + spec.steps() + " steps; all are done");
        }
        TrainSpec.OptimizerSpec o = spec.optimizer();
        List<Tensor> params = network.parameters();
        workspace.reset();
        int[] idx = batches.indices(step);
        Tensor x = Tensor.constant(data.images(idx), spec.batch(), 1, data.height(), data.width());
        Tape tape = new Tape();
        Forward f = new Forward(gemm, tape, true, Seeds.stream(seed, Seeds.DROPOUT, step), workspace);
        Tensor lossTensor = Losses.crossEntropy(f, network.forward(f, x), data.labels(idx));
        params.forEach(Tensor::zeroGrad);
        tape.backward(lossTensor);
        if (o.clipNorm() > 0) {
            GradientClipping.clip(params, o.clipNorm());
        }
        optimizer.update(params, schedule.at(step), step);
        return lossTensor.data()[0];
    }

    /** Steps done so far (the index of the next step). */
    public long stepsDone() {
        return step;
    }

    public Network network() {
        return network;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** A copy of everything the next step depends on. */
    public RunState state() {
        List<float[]> values = network.parameters().stream().map(Tensor::data).toList();
        return new RunState(step, values, optimizer.state());
    }
}
