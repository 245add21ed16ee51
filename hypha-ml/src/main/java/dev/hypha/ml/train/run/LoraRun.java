package dev.hypha.ml.train.run;

import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.Decoder;
import dev.hypha.ml.train.FrozenBase;
import dev.hypha.ml.train.LoraTraining;
import dev.hypha.ml.train.LoraWeights;
import dev.hypha.ml.train.Schedule;
import dev.hypha.ml.train.Seeds;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.FinetuneData;
import dev.hypha.ml.train.data.TokenCorpus;
import java.nio.file.Path;
import java.util.List;

/**
 * One LoRA fine-tune advanced a step at a time, as {@link TrainingRun} is for a classifier: step t trains on the
 * windows of {@code Seeds(seed, SHUFFLE, t)} at the schedule's rate for t, so everything the next step depends on is
 * the adapter (A and B of each pair) and the AdamW moments, which {@link #state()} hands out as a {@link RunState} and
 * {@link #resume} takes back. {@link LoraFinetune} runs it to the end; a verifier re-executes a committed segment with it.
 */
public final class LoraRun {
    /** What a run reads from its files once: the frozen base and the data's token stream. */
    public record Inputs(Decoder base, FinetuneData.Tokens tokens) {
        /**
         * The base from {@code gguf} (frozen, dequantized) and the data file tokenized with the base's tokenizer and
         * chat template (the file's name decides its format: {@code .jsonl} is chat JSONL, anything else text).
         */
        public static Inputs read(GgufFile gguf, Path data, LoraFinetune.Options o) {
            Decoder base = FrozenBase.load(new GgufModelSource(gguf));
            if (o.sequenceLength() > base.config().contextLength()) {
                throw new IllegalArgumentException("--seq-len " + o.sequenceLength() + " exceeds the base model's context of "
                        + base.config().contextLength() + " tokens");
            }
            FinetuneData.Tokens tokens = FinetuneData.read(data, Tokenizer.fromGguf(gguf), ChatTemplate.fromGguf(gguf));
            int window = o.sequenceLength() + 1;
            if (tokens.stream().length < window) {
                throw new IllegalArgumentException("training data " + data + " has " + tokens.stream().length + " tokens, fewer than one window of "
                        + window + "; add text or lower --seq-len");
            }
            return new Inputs(base, tokens);
        }

        /** {@link #read(GgufFile, Path, LoraFinetune.Options)} from the base's file (closed again: the base is copied). */
        public static Inputs read(Path baseFile, Path data, LoraFinetune.Options o) {
            try (GgufFile gguf = GgufFile.open(baseFile)) {
                return read(gguf, data, o);
            }
        }
    }

    private final Inputs inputs;
    private final LoraFinetune.Options options;
    private final LoraWeights adapter;
    private final LoraTraining training;
    private final Schedule schedule;
    private long stepsDone;

    private LoraRun(Inputs inputs, LoraFinetune.Options o, FloatMatMul gemm) {
        this.inputs = inputs;
        this.options = o;
        this.adapter = LoraWeights.initialize(inputs.base().config(), o.lora(), o.seed());
        this.training = new LoraTraining(inputs.base(), adapter, gemm, o.sequenceLength(), 0f, o.clipNorm());
        this.schedule = new Schedule(o.learningRate(), o.learningRate() / 10, o.steps() / 10, o.steps());
    }

    /** A run at step 0: the adapter as initialised from the seed (B zero), the moments zero. */
    public static LoraRun start(Inputs inputs, LoraFinetune.Options o, FloatMatMul gemm) {
        return new LoraRun(inputs, o, gemm);
    }

    /**
     * A run continuing from {@code state} (a checkpoint's, or one a verifier checked against a commitment).
     *
     * @throws IllegalArgumentException naming what does not fit this adapter's shape
     */
    public static LoraRun resume(Inputs inputs, LoraFinetune.Options o, FloatMatMul gemm, RunState state) {
        LoraRun run = new LoraRun(inputs, o, gemm);
        if (state.step() > o.steps()) {
            throw new IllegalArgumentException("a state at step " + state.step() + " is past the run's " + o.steps() + " steps");
        }
        copyInto(state.parametersView(), run.adapter.parameters().stream().map(Tensor::data).toList(), "adapter");
        copyInto(state.optimizerStateView(), run.training.optimizerState(), "optimizer");
        run.stepsDone = state.step();
        return run;
    }

    private static void copyInto(List<float[]> from, List<float[]> to, String what) {
        if (from.size() != to.size()) {
            throw new IllegalArgumentException("the state has " + from.size() + " " + what + " arrays, this adapter " + to.size());
        }
        for (int i = 0; i < from.size(); i++) {
            if (from.get(i).length != to.get(i).length) {
                throw new IllegalArgumentException(what + " array " + i + " of the state has " + from.get(i).length
                        + " floats, this adapter's " + to.get(i).length);
            }
            System.arraycopy(from.get(i), 0, to.get(i), 0, to.get(i).length);
        }
    }

    /**
     * One optimizer step on this step's windows; the batch's mean loss before the update.
     *
     * @throws IllegalArgumentException when the loss is not finite (diverged) or every step is done
     */
    public float step() {
        float loss = update();
        if (!Float.isFinite(loss)) {
            throw new IllegalArgumentException("fine-tuning diverged at step " + stepsDone + " (loss " + loss + "); lower --lr");
        }
        stepsDone++;
        return loss;
    }

    /**
     * Verification mode: runs the step as {@link #step()} does but goes on when the loss is not finite, leaving the
     * state the update gives (NaN or infinite values included), so a verifier re-executing a provider's committed state
     * reaches a root to compare and dispute instead of stopping (see {@code TrainingRun.replayStep}).
     */
    public float replayStep() {
        float loss = update();
        stepsDone++;
        return loss;
    }

    /** One optimizer step's work without advancing the count; the batch's mean loss before the update. */
    private float update() {
        if (stepsDone >= options.steps()) {
            throw new IllegalArgumentException("all " + options.steps() + " steps are done");
        }
        long step = stepsDone;
        int[] batch = TokenCorpus.windows(inputs.tokens().stream(), options.sequenceLength() + 1, options.batch(),
                Seeds.stream(options.seed(), Seeds.SHUFFLE, step));
        return training.step(batch, schedule.at(step), step);
    }

    public long stepsDone() {
        return stepsDone;
    }

    /** Sets the step count after a checkpoint was read into the live arrays ({@link LoraCheckpoint#resume}). */
    void continueAt(long step) {
        stepsDone = step;
    }

    /** Steps done, A and B of each pair (file order), the AdamW moments (two per tensor): copies. */
    public RunState state() {
        return new RunState(stepsDone, adapter.parameters().stream().map(Tensor::data).toList(), training.optimizerState());
    }

    public LoraWeights adapter() {
        return adapter;
    }

    public LoraTraining training() {
        return training;
    }

    public Inputs inputs() {
        return inputs;
    }
}
