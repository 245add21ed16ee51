package dev.hypha.ml.train.run;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Seeds;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.ImageSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * Training split over several workers (providers) that talk only every few steps (DiLoCo, Douillard et al. 2023): in
 * round r every worker trains the round's global weights for {@code innerSteps} steps with the spec's optimizer on its
 * own batches, then sends its pseudo-gradient (the global weights minus its own); the average of those moves the global
 * weights by an outer Nesterov momentum step. Workers exchange weights once per round instead of gradients once per
 * step, so against synchronous data parallelism the traffic falls by the factor {@code innerSteps}.
 *
 * <p>A worker's round is an ordinary training spec ({@link #roundSpec}): the base spec with {@code init} = the round's
 * global model file, {@code steps} = H, its own seed (batch order, dropout) and a fresh inner optimizer. Decision: fresh
 * inner optimizer state every round (the paper keeps it per worker) because a round is then a self-contained lease any
 * provider can take and any verifier can replay from the spec alone, exactly as a single-provider lease; the price is
 * AdamW's moments re-warming each round (the benchmark measures the accuracy this design reaches). The outer step
 * ({@link #outerStep}) is a pure function of the global weights, the outer momentum and the workers' results in worker
 * order, with every sum taken in that fixed order: anyone holding the providers' committed results recomputes it bit for
 * bit. {@link #train} runs every round in this process (the benchmark); hypha-node's {@code compute.TrainingRounds} runs
 * the same round specs as leases on the compute market.
 */
public final class DiLoCo {
    /**
     * @param workers           how many workers (providers) train at once
     * @param innerSteps        steps each worker takes between exchanges (H)
     * @param outerLearningRate the outer step's size (the paper uses 0.7)
     * @param outerMomentum     the outer Nesterov momentum (the paper uses 0.9)
     */
    public record Settings(int workers, int innerSteps, float outerLearningRate, float outerMomentum) {
        public Settings {
            if (workers < 1 || workers > MAX_WORKERS) {
                throw new IllegalArgumentException("workers must be 1 to " + MAX_WORKERS + ", was " + workers);
            }
            if (innerSteps < 1) {
                throw new IllegalArgumentException("innerSteps must be at least 1, was " + innerSteps);
            }
            if (!(outerLearningRate > 0 && outerLearningRate <= 10)) {
                throw new IllegalArgumentException("outerLearningRate must be in (0, 10], was " + outerLearningRate);
            }
            if (!(outerMomentum >= 0 && outerMomentum < 1)) {
                throw new IllegalArgumentException("outerMomentum must be in [0, 1), was " + outerMomentum);
            }
        }

        /** The paper's outer optimizer: Nesterov momentum 0.9, step 0.7. */
        public static Settings of(int workers, int innerSteps) {
            return new Settings(workers, innerSteps, 0.7f, 0.9f);
        }
    }

    /** Most workers a job may be split over. */
    public static final int MAX_WORKERS = 1024;

    /**
     * The trained global network and what the training cost in communication.
     *
     * @param rounds           exchanges made
     * @param bytesExchanged   weights sent and received by all workers (float32): 2 × parameters × workers × rounds
     * @param bytesSynchronous what synchronous data parallelism would have sent and received for the same steps: 2 ×
     *                         parameters × workers × steps (one gradient all-reduce per step)
     * @param lastLoss         the mean of the workers' losses in the last step
     */
    public record Result(Network network, long rounds, long bytesExchanged, long bytesSynchronous, float lastLoss) {
        /** How many times less data than synchronous data parallelism crossed the network. */
        public double communicationSaved() {
            return (double) bytesSynchronous / bytesExchanged;
        }
    }

    /** Called once per round with the global weights after the outer step. */
    public interface RoundListener {
        void roundDone(long round, long stepsDone, float meanLoss, Network global);

        RoundListener NONE = (round, steps, loss, global) -> { };
    }

    /** The outer optimizer's state between rounds: the global weights and the Nesterov momentum (same shapes). */
    public record Outer(List<float[]> global, List<float[]> momentum) {
        public Outer {
            global = List.copyOf(global.stream().map(float[]::clone).toList());
            momentum = List.copyOf(momentum.stream().map(float[]::clone).toList());
        }

        /** Round 0: the spec's initial weights, zero momentum. */
        public static Outer start(List<float[]> initial) {
            return new Outer(initial, initial.stream().map(a -> new float[a.length]).toList());
        }
    }

    private DiLoCo() {}

    /** How many rounds the spec's steps take at H steps a round (the last may be shorter). */
    public static long rounds(TrainSpec spec, Settings settings) {
        return Math.ceilDiv(spec.steps(), settings.innerSteps());
    }

    /** The seed (31 bits) of {@code worker}'s round {@code round}: its batch order and dropout masks (worker 0 of round 0: the spec's). */
    public static long workerSeed(long specSeed, long round, int worker) {
        long index = Math.addExact(Math.multiplyExact(round, MAX_WORKERS), worker);
        // 31 bits: chosen while jackson-dataformat-toml 2.20.1 read a 19-digit integer as its last 10 digits (fixed by
        // 2.23.0); kept so round specs, and the figures measured with them, stay as they were.
        return index == 0 ? specSeed : Seeds.stream(specSeed, Seeds.WORKERS, index).nextInt() & 0x7fffffffL;
    }

    /**
     * Worker {@code worker}'s spec for round {@code round}: the base spec starting from the round's global model file
     * {@code global}, for H steps (fewer in a last short round), with the worker's seed; warm-up and checkpoint interval
     * are capped at the round's length. Its content id is what the worker's lease orders, so the chain binds each lease
     * to the round's global state.
     */
    public static TrainSpec roundSpec(TrainSpec base, Settings settings, long round, int worker, ContentId global) {
        if (base.hasInit()) {
            throw new IllegalArgumentException("spec " + base.name() + " already starts from a model (init); DiLoCo sets it");
        }
        if (worker < 0 || worker >= settings.workers()) {
            throw new IllegalArgumentException("worker " + worker + " of " + settings.workers());
        }
        long h = Math.min(settings.innerSteps(), base.steps() - round * settings.innerSteps());
        if (round < 0 || h < 1) {
            throw new IllegalArgumentException("spec " + base.name() + " has " + rounds(base, settings) + " rounds, not " + round);
        }
        TrainSpec.OptimizerSpec o = base.optimizer();
        TrainSpec.OptimizerSpec inner = new TrainSpec.OptimizerSpec(o.kind(), o.learningRate(), o.minLearningRate(),
                round == 0 ? Math.min(o.warmupSteps(), h) : 0, o.weightDecay(), o.beta1(), o.beta2(), o.epsilon(), o.momentum(), o.clipNorm());
        long every = base.checkpointEvery() > 0 ? Math.min(base.checkpointEvery(), h) : h;
        String name = base.name().length() > 100 ? base.name().substring(0, 100) : base.name();
        return new TrainSpec(name + "-r" + round + "-w" + worker, base.dataset(), base.split(),
                workerSeed(base.seed(), round, worker), h, base.batch(), every, base.layers(), inner, base.dataAsset(),
                global.toString());
    }

    /**
     * The model file of a round's global weights (no optimizer state): what the round's specs name as {@code init}.
     * {@code stepsDone} is the steps each worker has taken before the round.
     */
    public static byte[] globalFile(TrainSpec base, ContentId baseSpec, int[] inputShape, List<float[]> global, long stepsDone) {
        Network n = Network.withParameters(base.layers(), inputShape, global);
        return ModelFile.encode(n, stepsDone, baseSpec.toString(), List.of(), List.of());
    }

    /**
     * The outer optimizer's state after a round as one model file: the global weights as the network, the Nesterov
     * momentum as its optimizer state (one tensor per parameter, in parameter order), {@code stepsDone} as its step. A
     * run across providers stores it after every round so that it resumes there bit for bit (the momentum is in no
     * other file: the global model files carry weights only, since the round specs name them as {@code init}).
     */
    public static byte[] outerFile(TrainSpec base, ContentId baseSpec, int[] inputShape, Outer outer, long stepsDone) {
        Network n = Network.withParameters(base.layers(), inputShape, outer.global());
        List<String> names = n.parameterNames().stream().map(p -> "outer_momentum." + p).toList();
        return ModelFile.encode(n, stepsDone, baseSpec.toString(), names, outer.momentum());
    }

    /** The outer state an {@link #outerFile} holds; one without a momentum of each parameter's size is refused. */
    public static Outer outerState(String source, ModelFile.Contents file) {
        List<float[]> global = file.network().parameters().stream().map(Tensor::data).toList();
        List<float[]> momentum = file.optimizerState();
        if (momentum.size() != global.size()) {
            throw new IllegalArgumentException(source + " holds " + momentum.size() + " momentum tensors for "
                    + global.size() + " parameters: it is not an outer state file");
        }
        for (int i = 0; i < global.size(); i++) {
            if (momentum.get(i).length != global.get(i).length) {
                throw new IllegalArgumentException(source + "'s momentum " + i + " has " + momentum.get(i).length
                        + " values, its parameter " + global.get(i).length);
            }
        }
        return new Outer(global, momentum);
    }

    /**
     * The outer step: Δ = mean over workers of (global − result), summed in worker order then divided; v = μ·v + Δ;
     * θ −= lr·(Δ + μ·v) (PyTorch's SGD with nesterov=True). Pure and deterministic: the same inputs give the same bits.
     *
     * @param results each worker's weights at the end of the round, in worker order
     */
    public static Outer outerStep(Outer state, List<List<float[]>> results, Settings settings) {
        if (results.size() != settings.workers()) {
            throw new IllegalArgumentException(results.size() + " results for " + settings.workers() + " workers");
        }
        float mu = settings.outerMomentum();
        float lr = settings.outerLearningRate();
        int k = results.size();
        List<float[]> global = new ArrayList<>();
        List<float[]> momentum = new ArrayList<>();
        for (int i = 0; i < state.global().size(); i++) {
            float[] g = state.global().get(i);
            float[] p = g.clone();
            float[] v = state.momentum().get(i).clone();
            float[] sum = new float[g.length];
            for (List<float[]> r : results) { // pseudo-gradients summed in worker order
                float[] l = r.get(i);
                if (l.length != g.length) {
                    throw new IllegalArgumentException("a worker's parameter " + i + " has " + l.length + " values, the global " + g.length);
                }
                for (int j = 0; j < g.length; j++) {
                    sum[j] += g[j] - l[j];
                }
            }
            for (int j = 0; j < p.length; j++) {
                float d = sum[j] / k;
                v[j] = mu * v[j] + d;
                p[j] -= lr * (d + mu * v[j]);
            }
            global.add(p);
            momentum.add(v);
        }
        return new Outer(global, momentum);
    }

    /**
     * Runs every round in this process, each worker's round exactly as its lease would run ({@link #roundSpec} started
     * from the global model file), one worker after another.
     */
    public static Result train(TrainSpec spec, ContentId specId, Settings settings, ImageSplit data, FloatMatMul gemm,
                               RoundListener listener) {
        int[] input = {1, data.height(), data.width()};
        Network initial = TrainingRun.start(spec, data, gemm).network();
        Outer outer = Outer.start(initial.parameters().stream().map(Tensor::data).toList());
        long rounds = rounds(spec, settings);
        float lastLoss = Float.NaN;
        long done = 0;
        for (long r = 0; r < rounds; r++) {
            ContentId global = ContentIds.of(globalFile(spec, specId, input, outer.global(), done));
            List<List<float[]>> results = new ArrayList<>();
            float lossSum = 0;
            long h = 0;
            for (int w = 0; w < settings.workers(); w++) {
                TrainSpec round = roundSpec(spec, settings, r, w, global);
                h = round.steps();
                TrainingRun run = TrainingRun.startFrom(round, data, gemm, outer.global(), "round " + r + "'s global weights");
                float loss = Float.NaN;
                while (run.stepsDone() < round.steps()) {
                    loss = run.step();
                }
                lossSum += loss;
                results.add(run.network().parameters().stream().map(Tensor::data).toList());
            }
            outer = outerStep(outer, results, settings);
            done += h;
            lastLoss = lossSum / settings.workers();
            listener.roundDone(r, done, lastLoss, Network.withParameters(spec.layers(), input, outer.global()));
        }
        long bytesPerCopy = 4L * initial.parameterCount();
        int k = settings.workers();
        return new Result(Network.withParameters(spec.layers(), input, outer.global()), rounds,
                2 * bytesPerCopy * k * rounds, 2 * bytesPerCopy * k * spec.steps(), lastLoss);
    }
}
