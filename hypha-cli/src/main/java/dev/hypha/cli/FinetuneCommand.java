package dev.hypha.cli;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.llm.ModelConfig;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.train.LoraSettings;
import dev.hypha.ml.train.run.LoraFinetune;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha finetune BASE --data FILE --rank R}: trains a LoRA adapter over a frozen base (a stored model or a GGUF
 * file) and writes it as a GGUF LoRA adapter that llama.cpp and {@code hypha model create --adapter} load.
 */
@Command(name = "finetune", description = {"Fine-tune a llama-family model with LoRA: the base stays frozen (quantized bases too),",
    "a low-rank adapter is trained and written as a GGUF LoRA adapter (llama.cpp's format).",
    "Data: FILE.jsonl with {\"messages\":[...]} (rendered with the model's chat template) or {\"text\":...} per line;",
    "any other file is plain text, documents separated by blank lines.",
    "Deterministic: the same inputs give the same adapter bytes on any thread count. A killed run resumes from",
    "OUT.checkpoint when started again with the same arguments."})
public final class FinetuneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BASE", description = "A stored model (NAME[:TAG]) or a .gguf file.")
    String base;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Training data (.jsonl chat or plain text).")
    Path data;

    @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", paramLabel = "A", description = "LoRA alpha; the adapter is scaled by alpha / rank (default: 2 x rank).")
    Float alpha;

    @Option(names = "--targets", defaultValue = "q,v", paramLabel = "LIST",
            description = "Projections to adapt: q,k,v,o,gate,up,down or all (default: ${DEFAULT-VALUE}, as peft).")
    String targets;

    @Option(names = "--steps", defaultValue = "100", paramLabel = "N", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "Windows per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq-len", paramLabel = "N", description = "Tokens per window (default: 128, at most the model's context).")
    Integer sequenceLength;

    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "RATE",
            description = "Peak learning rate of AdamW (warm-up over 10% of the steps, cosine to a tenth; default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of A's initialisation and the batches.")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "50", paramLabel = "N",
            description = "Steps between checkpoints in OUT.checkpoint (0: none; default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all processors; never changes the result).")
    Integer threads;

    @Option(names = "--out", paramLabel = "FILE", description = "The adapter file to write (default: BASE-lora.gguf here).")
    Path out;

    @Option(names = "--merged-out", paramLabel = "FILE",
            description = "Also write the merged model: the base with scale·B·A folded into each adapted weight (stored F32).")
    Path mergedOut;

    @Override
    public Integer call() {
        if (threads != null && (threads < 1 || threads > 1024)) {
            throw HyphaException.input("--threads must be between 1 and 1024, got " + threads);
        }
        if (!Files.isRegularFile(data)) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such data file: " + data);
        }
        Path baseFile = resolveBase();
        LoraSettings settings;
        LoraFinetune.Options options;
        int context;
        try (GgufFile g = GgufFile.open(baseFile)) {
            context = ModelConfig.from(new GgufModelSource(g)).contextLength();
        }
        try {
            settings = new LoraSettings(rank, alpha != null ? alpha : 2f * rank, LoraTarget.parse(targets));
            options = new LoraFinetune.Options(settings, steps, batch, sequenceLength != null ? sequenceLength : Math.min(128, context),
                    learningRate, seed, 1f, checkpointEvery);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input(e.getMessage(), e);
        }
        Path adapterOut = out != null ? out : Path.of(baseLabel() + "-lora.gguf");
        PrintWriter log = spec.commandLine().getOut();
        log.println(String.format(Locale.ROOT, "Fine-tuning %s with LoRA rank %d, alpha %s (scale %s) on %s; %d steps of %d x %d tokens, lr %s, seed %d",
                base, settings.rank(), fmt(settings.alpha()), fmt(settings.scale()), LoraTarget.format(settings.targets()), options.steps(),
                options.batch(), options.sequenceLength(), fmt(options.learningRate()), options.seed()));
        TrainProgress progress = new TrainProgress(spec.commandLine().getErr(), System::nanoTime, 500_000_000L);
        long start = System.nanoTime();
        LoraFinetune.Result r;
        try {
            r = LoraFinetune.run(baseFile, data, adapterOut, mergedOut, options,
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(), options.steps(), progress);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input(e.getMessage(), e);
        } finally {
            progress.finish();
        }
        log.println(String.format(Locale.ROOT, "data: %s (%s): %d documents, %d tokens", data, r.format(), r.documents(), r.tokens()));
        log.println(String.format(Locale.ROOT, "trained %d adapter parameters for %d steps in %.1f s%s", r.adapterParameters(), r.stepsRun(),
                (System.nanoTime() - start) / 1e9, r.resumedAt() > 0 ? " (resumed after step " + r.resumedAt() + ")" : ""));
        log.println(String.format(Locale.ROOT, "loss on the data's first %d windows: %.4f before, %.4f after", 8, r.lossBefore(), r.lossAfter()));
        log.println("adapter -> " + adapterOut + " (" + size(adapterOut) + " bytes, GGUF LoRA: llama.cpp --lora loads it)");
        if (mergedOut != null) {
            log.println("merged model -> " + mergedOut + " (" + size(mergedOut) + " bytes)");
        }
        log.println("serve it: hypha model create " + baseLabel() + "-tuned --from " + (isStoredBase() ? base : "BASE") + " --adapter " + adapterOut);
        return ExitCodes.OK;
    }

    private Path resolveBase() {
        Path asFile = Path.of(base);
        if (base.endsWith(".gguf") || Files.isRegularFile(asFile)) {
            if (!Files.isRegularFile(asFile)) {
                throw new HyphaException(ErrorCategory.NOT_FOUND, "no such model file: " + base);
            }
            return asFile;
        }
        ModelStore store = new ModelStore(Hypha.of(spec).resolvedHome(), Clock.systemUTC());
        ModelName name = ModelName.parse(base);
        ModelManifest m = store.show(name);
        if (m.adapter().isPresent()) {
            throw HyphaException.input("model '" + name + "' is a base plus an adapter; fine-tune its base, or a merged model");
        }
        return store.resolveVerified(name);
    }

    private boolean isStoredBase() {
        return !base.endsWith(".gguf") && !Files.isRegularFile(Path.of(base));
    }

    private String baseLabel() {
        String file = Path.of(base).getFileName().toString();
        String n = file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
        return n.replace(':', '-');
    }

    private static String fmt(float f) {
        return Float.toString(f).replaceAll("\\.0$", "");
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
