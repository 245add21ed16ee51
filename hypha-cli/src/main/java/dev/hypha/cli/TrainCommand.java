package dev.hypha.cli;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.data.TextDatasets;
import dev.hypha.ml.store.ImportProgress;
import dev.hypha.ml.store.ImportResult;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.train.run.LanguageModelSpec;
import dev.hypha.ml.train.run.LanguageModelTrainer;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.store.ContentStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha train SPEC.toml}: trains deterministically, checkpointing and resuming, and stores the model. */
@Command(name = "train", description = {"Train a model from a spec (architecture, dataset id, hyper-parameters, seed, steps).",
    "Checkpoints go to the content store; running the same spec again resumes from the newest one.",
    "The result is bit-identical for any thread count and CPU.",
    "Buy training from providers instead: hypha train submit SPEC --max-price P, then status, logs, fetch, cancel JOB",
    "(check NAME: a job trained across providers with --providers)."},
        subcommands = {TrainJobCommands.Submit.class, TrainJobCommands.Status.class, TrainJobCommands.Logs.class,
            TrainJobCommands.Fetch.class, TrainJobCommands.Cancel.class, TrainJobCommands.Check.class})
public final class TrainCommand implements Callable<Integer> {
    /** Specs are small; a larger file is not a spec. */
    private static final long MAX_SPEC_BYTES = 1 << 20;

    @Spec
    CommandSpec spec;

    // Optional to picocli so the job subcommands (matched before positionals) need no SPEC; required by call().
    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", description = "The training spec (.toml).")
    Path specFile;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all processors; never changes the result).")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", description = {"Language-model specs: the work folder for the checkpoint and the "
        + "exported GGUF (default: <home>/train/NAME). Running again resumes from its checkpoint."})
    Path out;

    @Override
    public Integer call() {
        if (specFile == null) {
            throw new HyphaException(ErrorCategory.USAGE, "missing SPEC: hypha train SPEC.toml trains here; hypha train submit SPEC "
                    + "--max-price P buys training from a provider");
        }
        if (threads != null && (threads < 1 || threads > 1024)) {
            throw HyphaException.input("--threads must be between 1 and 1024, got " + threads);
        }
        byte[] bytes = read(specFile);
        if (LanguageModelSpec.isLanguageModel(bytes)) {
            return trainLanguageModel(bytes);
        }
        if (out != null) {
            throw HyphaException.input("--out is for language-model specs (with a [decoder] table); " + specFile
                    + " trains a classifier into the content store");
        }
        TrainSpec trainSpec = TrainSpecParser.parse(specFile.toString(), bytes);
        ContentId specId = ContentIds.of(bytes);
        ContentStore store = new ContentStore(Hypha.of(spec).resolvedHome());
        DatasetStore datasets = new DatasetStore(store);
        ContentId dataset = datasets.resolve(trainSpec.dataset());
        ImageSplit data = datasets.load(dataset, trainSpec.split());
        PrintWriter out = spec.commandLine().getOut();
        out.println("Training " + trainSpec.name() + " (spec " + specId + ") on " + data.count() + " samples of dataset " + dataset
                + ", split " + trainSpec.split());
        TrainProgress progress = new TrainProgress(spec.commandLine().getErr(), System::nanoTime, 500_000_000L);
        long start = System.nanoTime();
        Trainer.Result result;
        try (Parallel parallel = new Parallel(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
            result = new Trainer(trainSpec, specId, data, store, new FloatMatMul(parallel)).run(progress);
        } finally {
            progress.finish();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println(String.format(Locale.ROOT, "Trained %s: %d steps in %.1f s, last loss %.4f", trainSpec.name(), result.stepsRun(),
                seconds, result.lastLoss()));
        out.println("weights sha256 " + result.weightsDigest());
        out.println("model " + result.model() + " (evaluate: hypha eval " + trainSpec.name() + " --dataset " + dataset + ":test)");
        return ExitCodes.OK;
    }

    /** A decoder spec: trains (resuming from DIR/checkpoint.bin), writes DIR/NAME.gguf and imports it as NAME. */
    private int trainLanguageModel(byte[] bytes) {
        LanguageModelSpec lm = LanguageModelSpec.parse(specFile.toString(), bytes);
        Path home = Hypha.of(spec).resolvedHome();
        Path dir = out != null ? out : home.resolve("train").resolve(lm.name());
        PrintWriter log = spec.commandLine().getOut();
        log.println("Training " + lm.name() + " (spec " + ContentIds.of(bytes) + ") in " + dir);
        ContentStore content = new ContentStore(home);
        LanguageModelTrainer.Result result = new LanguageModelTrainer(lm, bytes, dir, log,
                        dataset -> new TextDatasets(content).load(new DatasetStore(content).resolve(dataset)))
                .run(threads != null ? threads : Runtime.getRuntime().availableProcessors());
        ImportResult imported = new ModelStore(home, Clock.systemUTC()).importModel(result.gguf(), ModelName.parse(lm.name()),
                ImportProgress.NONE);
        log.println(String.format(Locale.ROOT, "Trained %s: held-out loss %.4f (perplexity %.1f; unigram %.4f), %d steps run",
                lm.name(), result.heldOutLoss(), Math.exp(result.heldOutLoss()), result.unigramLoss(), result.stepsRun()));
        log.println("model " + imported.manifest().name() + " id " + imported.manifest().cid() + " (try: hypha run " + lm.name()
                + " \"Tell me a fortune about computers\")");
        return ExitCodes.OK;
    }

    static byte[] read(Path file) {
        try {
            if (Files.size(file) > MAX_SPEC_BYTES) {
                throw HyphaException.input(file + " is larger than " + MAX_SPEC_BYTES + " bytes; a training spec is a small TOML file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such file: " + file, e);
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
