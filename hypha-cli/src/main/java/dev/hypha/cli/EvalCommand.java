package dev.hypha.cli;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.Evaluator;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.store.ContentStore;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha eval MODEL --dataset ID[:split]}: mean cross-entropy and accuracy of a trained model. */
@Command(name = "eval", description = "Evaluate a trained model on a dataset split: prints loss and accuracy.")
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "A trained model's name (the spec's name) or content id.")
    String model;

    @Option(names = "--dataset", required = true, paramLabel = "ID[:SPLIT]",
            description = "Dataset content id or name, optionally with a split (default: test).")
    String dataset;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all processors).")
    Integer threads;

    @Override
    public Integer call() {
        if (threads != null && (threads < 1 || threads > 1024)) {
            throw HyphaException.input("--threads must be between 1 and 1024, got " + threads);
        }
        ContentStore store = new ContentStore(Hypha.of(spec).resolvedHome());
        ContentId modelId = resolveModel(store);
        ModelFile.Contents contents = ModelFile.decode(modelId.toString(), store.get(modelId));
        int colon = dataset.lastIndexOf(':');
        String datasetName = colon < 0 ? dataset : dataset.substring(0, colon);
        String split = colon < 0 ? "test" : dataset.substring(colon + 1);
        DatasetStore datasets = new DatasetStore(store);
        ContentId datasetId = datasets.resolve(datasetName);
        ImageSplit data = datasets.load(datasetId, split);
        Evaluator.Score score;
        try (Parallel parallel = new Parallel(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
            score = Evaluator.evaluate(contents.network(), data, new FloatMatMul(parallel));
        }
        spec.commandLine().getOut().println(String.format(Locale.ROOT, "model %s on %s:%s (%d samples): loss %.4f, accuracy %.2f%%",
                modelId, datasetId, split, score.samples(), score.loss(), 100 * score.accuracy()));
        return ExitCodes.OK;
    }

    private ContentId resolveModel(ContentStore store) {
        if (model.startsWith("baf")) {
            try {
                return ContentId.parse(model);
            } catch (RuntimeException e) {
                throw HyphaException.input("'" + model + "' is not a valid content id: " + e.getMessage());
            }
        }
        if (!ContentStore.validName(model)) {
            throw HyphaException.input("'" + model + "' is neither a model name nor a content id");
        }
        return store.ref(Trainer.MODELS, model).orElseThrow(() -> new HyphaException(ErrorCategory.NOT_FOUND,
                "no trained model named '" + model + "'; train one with: hypha train SPEC.toml"));
    }
}
