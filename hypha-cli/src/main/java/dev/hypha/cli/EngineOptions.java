package dev.hypha.cli;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.llm.Model;
import dev.hypha.node.gateway.AdmissionQueue;
import dev.hypha.node.gateway.local.LocalBackend;
import picocli.CommandLine.Option;

/** The engine options of every command that serves models (`gateway`, `provider start`): threads and queue size. */
final class EngineOptions {

    @Option(names = "--threads", paramLabel = "N", description = "Engine worker threads (default: all processors).")
    Integer threads;

    @Option(names = "--deterministic", description = {"Deterministic mode: bit-identical answers across runs, thread "
            + "counts and machines (strict", "exp/tanh; slightly slower). Miners of an inference subnet whose "
            + "validators replay answers need it."})
    boolean deterministic;

    @Option(names = "--max-queue", paramLabel = "N", defaultValue = "" + AdmissionQueue.DEFAULT_CAPACITY,
            description = "Requests running or waiting at once; beyond it clients get 503 (default ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--num-parallel", paramLabel = "N",
            description = "Requests to one model that generate at once, sharing each decode step (default: "
                    + "$HYPHA_NUM_PARALLEL, else " + LocalBackend.Settings.DEFAULT_NUM_PARALLEL + "); each holds a KV cache.")
    Integer numParallel;

    /**
     * The local backend's settings for these options.
     *
     * @throws HyphaException (INPUT) naming the option when a value is below 1
     */
    LocalBackend.Settings backendSettings() {
        if (maxQueue < 1) {
            throw HyphaException.input("--max-queue must be at least 1, got " + maxQueue);
        }
        if (threads != null && threads < 1) {
            throw HyphaException.input("--threads must be at least 1, got " + threads);
        }
        if (numParallel != null && (numParallel < 1 || numParallel > LocalBackend.Settings.MAX_NUM_PARALLEL)) {
            throw HyphaException.input("--num-parallel must be between 1 and " + LocalBackend.Settings.MAX_NUM_PARALLEL
                    + ", got " + numParallel);
        }
        Model.Options engine = threads == null ? Model.Options.defaults() : Model.Options.defaults().withThreads(threads);
        LocalBackend.Settings settings;
        try {
            settings = LocalBackend.Settings.defaults();
        } catch (IllegalArgumentException e) {
            throw HyphaException.input(e.getMessage()); // a bad HYPHA_NUM_PARALLEL, named
        }
        settings = settings.withEngine(engine.withDeterministic(deterministic)).withQueue(maxQueue);
        return numParallel == null ? settings : settings.withNumParallel(numParallel);
    }
}
