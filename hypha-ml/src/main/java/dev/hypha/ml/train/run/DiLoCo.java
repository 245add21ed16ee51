package dev.hypha.ml.train.run;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Seeds;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.ImageSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * Training split over several workers that talk only every few steps (DiLoCo, Douillard et al. 2023): each worker
 * trains its own copy for {@code innerSteps} steps with the spec's optimizer on its own shard of the batches, then
 * sends its pseudo-gradient (the global weights minus its own); the average of those is applied to the global weights
 * by an outer Nesterov momentum step, and every worker restarts from the result, keeping its inner optimizer state.
 * Workers exchange weights once per round instead of gradients once per step, so against synchronous data
 * parallelism the traffic falls by the factor {@code innerSteps}.
 *
 * <p>Deterministic: worker k draws batches and dropout from its own seed (worker 0 from the spec's, so one worker
 * with an outer step of 1 and no momentum is plain training up to the float rounding of {@code θ - (θ - θ')}), and
 * pseudo-gradients are summed in worker order. Workers run one after another here (one process standing for
 * several providers); each round's global weights are what each provider's state root will commit to.
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
            if (workers < 1 || workers > 1024) {
                throw new IllegalArgumentException("workers must be 1 to 1024, was " + workers);
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

    private DiLoCo() {}

    /** Trains {@code spec} (its steps are each worker's steps) from its initial weights. */
    public static Result train(TrainSpec spec, Settings settings, ImageSplit data, FloatMatMul gemm,
                               RoundListener listener) {
        int k = settings.workers();
        List<TrainingRun> workers = new ArrayList<>(k);
        for (int w = 0; w < k; w++) {
            long seed = w == 0 ? spec.seed() : Seeds.stream(spec.seed(), Seeds.WORKERS, w).nextLong();
            workers.add(TrainingRun.start(spec, data, gemm, seed));
        }
        // The global weights start as worker 0's (the spec's own initialization); every worker starts from them.
        Network global = Network.withParameters(spec.layers(), workers.getFirst().network().inputShape(),
                workers.getFirst().network().parameters().stream().map(Tensor::data).toList());
        List<Tensor> globalParams = global.parameters();
        for (TrainingRun worker : workers) {
            copy(globalParams, worker.network().parameters());
        }
        float[][] momentum = new float[globalParams.size()][];
        for (int i = 0; i < momentum.length; i++) {
            momentum[i] = new float[globalParams.get(i).data().length];
        }
        long rounds = 0;
        float lastLoss = Float.NaN;
        for (long done = 0; done < spec.steps(); rounds++) {
            long h = Math.min(settings.innerSteps(), spec.steps() - done);
            float[][] delta = new float[globalParams.size()][];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = new float[globalParams.get(i).data().length];
            }
            float lossSum = 0;
            for (TrainingRun worker : workers) {
                float loss = Float.NaN;
                for (long s = 0; s < h; s++) {
                    loss = worker.step();
                }
                lossSum += loss;
                List<Tensor> local = worker.network().parameters();
                for (int i = 0; i < delta.length; i++) { // pseudo-gradients summed in worker order
                    float[] g = globalParams.get(i).data();
                    float[] l = local.get(i).data();
                    float[] d = delta[i];
                    for (int j = 0; j < d.length; j++) {
                        d[j] += g[j] - l[j];
                    }
                }
            }
            outerStep(globalParams, delta, momentum, settings, k);
            for (TrainingRun worker : workers) {
                copy(globalParams, worker.network().parameters());
            }
            done += h;
            lastLoss = lossSum / k;
            listener.roundDone(rounds, done, lastLoss, global);
        }
        long bytesPerCopy = 4L * global.parameterCount();
        return new Result(global, rounds, 2 * bytesPerCopy * k * rounds, 2 * bytesPerCopy * k * spec.steps(), lastLoss);
    }

    private static void copy(List<Tensor> from, List<Tensor> to) {
        for (int i = 0; i < from.size(); i++) {
            System.arraycopy(from.get(i).data(), 0, to.get(i).data(), 0, to.get(i).data().length);
        }
    }

    /** θ -= lr × (Δ + μ·v) with v = μ·v + Δ, Δ the mean pseudo-gradient (PyTorch's SGD with nesterov=True). */
    private static void outerStep(List<Tensor> params, float[][] deltaSum, float[][] momentum, Settings s, int workers) {
        float mu = s.outerMomentum();
        float lr = s.outerLearningRate();
        for (int i = 0; i < params.size(); i++) {
            float[] p = params.get(i).data();
            float[] v = momentum[i];
            float[] d = deltaSum[i];
            for (int j = 0; j < p.length; j++) {
                float g = d[j] / workers;
                v[j] = mu * v[j] + g;
                p[j] -= lr * (g + mu * v[j]);
            }
        }
    }

}
