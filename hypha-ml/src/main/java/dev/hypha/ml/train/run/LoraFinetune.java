package dev.hypha.ml.train.run;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.llm.LoraAdapter;
import dev.hypha.ml.llm.LoraMerge;
import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.llm.ModelConfig;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.LoraAdapterGguf;
import dev.hypha.ml.train.LoraSettings;
import dev.hypha.ml.train.LoraTraining;
import dev.hypha.ml.train.LoraWeights;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.data.FinetuneData;
import dev.hypha.ml.train.data.TokenCorpus;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A LoRA fine-tune from start to adapter file: the base GGUF frozen ({@link FrozenBase}), the data tokenized
 * ({@link FinetuneData}), seeded windows per step ({@code Seeds(seed, SHUFFLE, step)}), AdamW on A and B with a warm-up
 * and cosine schedule, checkpoints beside the output ({@link LoraCheckpoint}) so a killed run resumes with the same bits,
 * and the adapter written in llama.cpp's format (optionally also merged into a copy of the base).
 */
public final class LoraFinetune {
    /** Windows scored for the loss before and after training: the data's first ones, in order. */
    static final int EVAL_WINDOWS = 8;

    /**
     * @param steps           optimizer steps
     * @param batch           windows per step
     * @param sequenceLength  tokens per window (at most the base's context)
     * @param learningRate    peak learning rate (warm-up over the first 10% of steps, cosine to a tenth of it)
     * @param checkpointEvery steps between checkpoints (0: none)
     */
    public record Options(LoraSettings lora, long steps, int batch, int sequenceLength, float learningRate, long seed,
                          float clipNorm, int checkpointEvery) {
        public Options {
            if (steps < 1 || steps > 10_000_000) {
                throw new IllegalArgumentException("steps must be between 1 and 10000000, got " + steps);
            }
            if (batch < 1 || batch > 4096) {
                throw new IllegalArgumentException("batch must be between 1 and 4096 windows, got " + batch);
            }
            if (sequenceLength < 1 || sequenceLength > 1 << 16) {
                throw new IllegalArgumentException("sequence length must be between 1 and 65536 tokens, got " + sequenceLength);
            }
            if (!(learningRate > 0) || learningRate > 1) {
                throw new IllegalArgumentException("learning rate must be in (0, 1], got " + learningRate);
            }
            if (!(clipNorm >= 0) || checkpointEvery < 0) {
                throw new IllegalArgumentException("clip norm and checkpoint interval must not be negative");
            }
        }

        /** The text that, with the base's and the data's hashes, identifies a run (its checkpoint's key). */
        String identity() {
            return String.format(Locale.ROOT, "rank=%d alpha=%s targets=%s steps=%d batch=%d seq=%d lr=%s seed=%d clip=%s",
                    lora.rank(), Float.toString(lora.alpha()), LoraTarget.format(lora.targets()), steps, batch, sequenceLength,
                    Float.toString(learningRate), seed, Float.toString(clipNorm));
        }
    }

    /** What a run did: loss over the first windows of the data before training (the base) and after. */
    public record Result(Path adapter, long stepsRun, long resumedAt, float lossBefore, float lossAfter, long adapterParameters,
                         int tokens, int documents, String format) {}

    private LoraFinetune() {}

    /**
     * Trains to {@code until} (the last step unless a test stops early, leaving a checkpoint as a kill would).
     *
     * @param baseFile  the base model (GGUF, llama layout; any tensor type the engine decodes)
     * @param out       the adapter file to write; its checkpoint is {@code out + ".checkpoint"}
     * @param mergedOut where to also write the merged model (base + adapter folded in), or null
     */
    public static Result run(Path baseFile, Path data, Path out, Path mergedOut, Options o, int threads, long until,
                             TrainingListener listener) {
        return run(baseFile, data, out, mergedOut, o, threads, until, listener, null);
    }

    /**
     * As {@link #run(Path, Path, Path, Path, Options, int, long, TrainingListener)}, and when {@code keep} is not null
     * every checkpoint's bytes (the listener's {@code checkpointed} and {@code finalState} ids) are also stored there,
     * so a compute provider can publish them and commit their roots ({@link Checkpoints#state} reads them back).
     */
    public static Result run(Path baseFile, Path data, Path out, Path mergedOut, Options o, int threads, long until,
                             TrainingListener listener, ContentStore keep) {
        if (until < 1 || until > o.steps()) {
            throw new IllegalArgumentException("stop step must be 1.." + o.steps() + ", got " + until);
        }
        try (GgufFile gguf = GgufFile.open(baseFile); Parallel parallel = new Parallel(threads)) {
            LoraRun.Inputs inputs = LoraRun.Inputs.read(gguf, data, o);
            FinetuneData.Tokens tokens = inputs.tokens();
            LoraRun run = LoraRun.start(inputs, o, new FloatMatMul(parallel));
            LoraTraining training = run.training();
            LoraWeights adapter = run.adapter();
            listener.initialState(run.state());
            LoraCheckpoint checkpoint = new LoraCheckpoint(Path.of(out + ".checkpoint"),
                    LoraCheckpoint.identity(baseFile, data, o.identity()));
            long start = checkpoint.resume(adapter.parameters(), training.optimizerState());
            run.continueAt(start);
            if (start > 0) {
                listener.resumed(start, checkpoint.lastId());
            }
            int window = o.sequenceLength() + 1;
            int[] eval = TokenCorpus.consecutiveWindows(tokens.stream(), window, EVAL_WINDOWS);
            float before = training.baseLoss(eval);
            List<Tensor> live = adapter.parameters();
            while (run.stepsDone() < until) {
                long step = run.stepsDone();
                float loss = run.step();
                listener.parametersUpdated(step, live);
                listener.stepDone(step, o.steps(), o.batch(), loss);
                long done = step + 1;
                boolean last = done == o.steps();
                if (!last && (done == until || (o.checkpointEvery() > 0 && done % o.checkpointEvery() == 0))) {
                    keep(keep, checkpoint.write(done, adapter.parameters(), training.optimizerState()));
                    listener.checkpointed(done, checkpoint.lastId());
                }
            }
            float after = training.loss(eval);
            long parameters = adapter.parameters().stream().mapToLong(t -> t.size()).sum();
            if (until < o.steps()) {
                return new Result(out, until - start, start, before, after, parameters, tokens.stream().length, tokens.documents(), tokens.format());
            }
            if (listener.keepsFinalState()) {
                // The last state's root is committed too (made-up final adapters are caught); never the resume point
                // of another run, since the file is deleted below once the adapter is written.
                keep(keep, checkpoint.write(o.steps(), adapter.parameters(), training.optimizerState()));
                listener.finalState(o.steps(), checkpoint.lastId());
            }
            LoraAdapterGguf.write(adapter, inputs.base().config().architecture(), adapterName(out), out);
            if (mergedOut != null) {
                try (GgufFile written = GgufFile.open(out)) {
                    LoraMerge.write(gguf, LoraAdapter.load(written, ModelConfig.from(new GgufModelSource(gguf))),
                            adapterName(mergedOut), mergedOut);
                }
            }
            checkpoint.delete();
            return new Result(out, o.steps() - start, start, before, after, parameters, tokens.stream().length, tokens.documents(),
                    tokens.format());
        }
    }

    private static void keep(ContentStore keep, byte[] checkpoint) {
        if (keep != null) {
            keep.put(checkpoint);
        }
    }

    private static String adapterName(Path out) {
        String n = out.getFileName().toString();
        return n.endsWith(".gguf") ? n.substring(0, n.length() - 5) : n;
    }

}
