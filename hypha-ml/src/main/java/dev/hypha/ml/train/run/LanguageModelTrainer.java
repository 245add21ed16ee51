package dev.hypha.ml.train.run;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import dev.hypha.ml.train.Decoder;
import dev.hypha.ml.train.DecoderGguf;
import dev.hypha.ml.train.DecoderTraining;
import dev.hypha.ml.train.Schedule;
import dev.hypha.ml.train.Seeds;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.FortuneChats;
import dev.hypha.ml.train.data.TextDatasets;
import dev.hypha.ml.train.data.TextDocuments;
import dev.hypha.ml.train.data.TokenCorpus;
import java.util.function.Function;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Trains a {@link LanguageModelSpec}: trains the tokenizer on the corpus, tokenizes the chat conversations, trains the
 * decoder with {@link DecoderTraining} on seeded random windows (window s of step t from {@code Seeds.stream(seed,
 * SHUFFLE, t)}), scores the held-out conversations, and writes the model as a GGUF with the tokenizer and its chat
 * template. Work files live in one directory: {@code checkpoint.bin} (step, spec digest, weights, AdamW moments; written
 * atomically every {@code checkpoint_every} steps; a new run of the same spec resumes from it, bit-identical to an
 * uninterrupted run) and {@code NAME.gguf} (the newest export, rewritten at every checkpoint and at the end). Progress
 * and held-out losses go to {@code log}.
 */
public final class LanguageModelTrainer {
    private static final int MAGIC = 0x48544C4D; // "HTLM"
    private static final List<String> SAMPLE_TOPICS = List.of("computers", "love", "science");

    private final LanguageModelSpec spec;
    private final byte[] specBytes;
    private final Path dir;
    private final PrintWriter log;
    private final Function<String, TextDatasets.Loaded> datasets;

    public LanguageModelTrainer(LanguageModelSpec spec, byte[] specBytes, Path dir, PrintWriter log) {
        this(spec, specBytes, dir, log, id -> {
            throw new IllegalArgumentException("spec " + spec.name() + " names dataset " + id + " but no dataset store was given");
        });
    }

    /** @param datasets loads the text dataset a spec's {@code dataset} names (name or content id) */
    public LanguageModelTrainer(LanguageModelSpec spec, byte[] specBytes, Path dir, PrintWriter log,
            Function<String, TextDatasets.Loaded> datasets) {
        this.datasets = datasets;
        this.spec = spec;
        this.specBytes = specBytes.clone();
        this.dir = dir;
        this.log = log;
    }

    /** The outcome: steps run in this call, the final held-out loss and the unigram baseline (nats/token). */
    public record Result(Path gguf, long stepsRun, float heldOutLoss, float unigramLoss) {}

    /** The vocabulary a spec trains (deterministic: the same corpus and size always give the same tokens). */
    public static TokenizerConfig vocabulary(LanguageModelSpec spec) {
        return TestVocabularies.byteLevelBpe(spec.vocabSize(), TestVocabularies.BpeStyle.QWEN2);
    }

    public Result run(int threads) {
        return run(threads, spec.steps());
    }

    /**
     * Trains up to step {@code until} (at most the spec's steps) and stops there with a checkpoint, as a kill after that
     * checkpoint would; running again continues. Only a run that reaches the spec's last step exports the final model.
     */
    public Result run(int threads, long until) {
        if (until < 1 || until > spec.steps()) {
            throw new IllegalArgumentException("stop step must be 1.." + spec.steps() + ", got " + until);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        long t0 = System.nanoTime();
        TokenizerConfig vocabulary = vocabulary(spec);
        Tokenizer tokenizer = Tokenizer.create(vocabulary);
        ChatTemplate template = ChatTemplate.of(vocabulary.chatTemplate().orElseThrow(), "<|endoftext|>", "<|im_end|>");
        List<FortuneChats.Chat> chats;
        TokenCorpus corpus;
        String heldOutRule;
        if (spec.dataset().isEmpty()) {
            chats = FortuneChats.chats(FortunesCorpus.directory(), template);
            corpus = FortuneChats.tokens(chats, tokenizer, spec.heldOutEvery());
            heldOutRule = "every " + spec.heldOutEvery() + "th conversation";
        } else {
            TextDatasets.Loaded data = datasets.apply(spec.dataset());
            if (data.manifest().documents() != TextDocuments.FORTUNE) {
                throw new IllegalArgumentException("corpus fortunes-chat needs a text dataset imported with --documents fortune; "
                        + data.id() + " has " + data.manifest().documents().label() + " documents");
            }
            List<FortuneChats.Chat> train = FortuneChats.chats(data.train(), template);
            List<FortuneChats.Chat> test = FortuneChats.chats(data.test(), template);
            chats = new java.util.ArrayList<>(train);
            chats.addAll(test);
            corpus = FortuneChats.tokens(train, test, tokenizer);
            heldOutRule = "dataset " + data.id() + "'s test split";
        }
        int window = spec.sequenceLength() + 1;
        int[] heldOut = TokenCorpus.consecutiveWindows(corpus.heldOut(), window, spec.evalWindows());
        float unigram = unigramLoss(corpus.train(), heldOut, window, spec.vocabSize());
        log.printf(Locale.ROOT, "spec %s (sha256 %s)%n", spec.name(), HexFormat.of().formatHex(sha256(specBytes)));
        log.printf(Locale.ROOT, "tokenizer: byte-level BPE of %d tokens trained on the fortunes corpus (%.1f s)%n", spec.vocabSize(),
                (System.nanoTime() - t0) / 1e9);
        log.printf(Locale.ROOT, "corpus: %d conversations; %d training tokens, %d held-out tokens (%s); "
                        + "held-out evaluation: %d windows of %d tokens%n", chats.size(), corpus.train().length, corpus.heldOut().length,
                heldOutRule, heldOut.length / window, spec.sequenceLength());
        log.printf(Locale.ROOT, "unigram baseline (add-one unigram of the training tokens) on the held-out windows: %.4f nats/token, "
                + "perplexity %.1f%n", unigram, Math.exp(unigram));
        StringBuilder all = new StringBuilder();
        chats.forEach(c -> all.append(c.text()));
        log.printf(Locale.ROOT, "corpus content id (the conversations' UTF-8 text, end to end): %s%n",
                dev.hypha.core.cid.ContentIds.of(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        log.println("example: " + chats.get(1).text().replace("\n", "\\n"));
        Schedule schedule = new Schedule(spec.optimizer().learningRate(), spec.optimizer().minLearningRate(),
                spec.optimizer().warmupSteps(), spec.steps());
        Path gguf = dir.resolve(spec.name() + ".gguf");
        float heldOutLoss;
        long start;
        try (Parallel parallel = new Parallel(threads)) {
            Decoder decoder = Decoder.initialize(spec.decoder(), spec.seed());
            long params = 0;
            for (Tensor p : decoder.parameters()) {
                params += p.size();
            }
            log.printf(Locale.ROOT, "decoder: %s, %d parameters%n", spec.decoder(), params);
            DecoderTraining training = new DecoderTraining(decoder, new FloatMatMul(parallel), spec.sequenceLength(),
                    spec.optimizer().weightDecay(), spec.optimizer().clipNorm(), spec.optimizer().beta1(), spec.optimizer().beta2(),
                    spec.optimizer().epsilon());
            start = resume(decoder, training);
            if (start == 0) {
                heldOutLoss = evaluate(training, heldOut);
                log.printf(Locale.ROOT, "eval step 0 held-out loss %.4f perplexity %.1f%n", heldOutLoss, Math.exp(heldOutLoss));
            }
            long tick = System.nanoTime();
            double lossSum = 0;
            int lossCount = 0;
            int report = 10;
            for (long step = start; step < until; step++) {
                int[] batch = TokenCorpus.windows(corpus.train(), window, spec.batch(), Seeds.stream(spec.seed(), Seeds.SHUFFLE, step));
                float lr = schedule.at(step);
                float loss = training.step(batch, lr, step);
                if (!Float.isFinite(loss)) {
                    throw new HyphaException(ErrorCategory.INPUT, "training diverged at step " + step + " (loss " + loss
                            + "); lower optimizer.learning_rate");
                }
                lossSum += loss;
                lossCount++;
                long done = step + 1;
                if (done % report == 0 || done == spec.steps()) {
                    double seconds = (System.nanoTime() - tick) / 1e9;
                    double tokensPerSecond = (double) lossCount * spec.batch() * spec.sequenceLength() / seconds;
                    double eta = (spec.steps() - done) * seconds / lossCount;
                    log.printf(Locale.ROOT, "step %d/%d loss %.4f lr %.6f %.0f tokens/s ETA %s%n", done, spec.steps(), lossSum / lossCount,
                            lr, tokensPerSecond, duration(eta));
                    tick = System.nanoTime();
                    lossSum = 0;
                    lossCount = 0;
                }
                boolean last = done == spec.steps();
                if (spec.evalEvery() > 0 && done % spec.evalEvery() == 0 && !last) {
                    float l = evaluate(training, heldOut);
                    log.printf(Locale.ROOT, "eval step %d held-out loss %.4f perplexity %.1f%n", done, l, Math.exp(l));
                }
                if (done == until && !last) {
                    checkpoint(decoder, training, done);
                    log.printf(Locale.ROOT, "stopped at step %d (checkpoint %s)%n", done, dir.resolve("checkpoint.bin"));
                    return new Result(gguf, done - start, Float.NaN, unigram);
                }
                if (spec.checkpointEvery() > 0 && done % spec.checkpointEvery() == 0 && !last) {
                    checkpoint(decoder, training, done);
                    export(decoder, vocabulary, gguf);
                    log.printf(Locale.ROOT, "checkpoint step %d -> %s, %s%n", done, dir.resolve("checkpoint.bin"), gguf);
                    samples(gguf, threads);
                }
            }
            if (start == spec.steps()) {
                log.printf(Locale.ROOT, "the checkpoint is already at the last step %d%n", start);
            }
            heldOutLoss = evaluate(training, heldOut);
            log.printf(Locale.ROOT, "eval step %d held-out loss %.4f perplexity %.1f (unigram %.4f, perplexity %.1f)%n", spec.steps(),
                    heldOutLoss, Math.exp(heldOutLoss), unigram, Math.exp(unigram));
            checkpoint(decoder, training, spec.steps());
            export(decoder, vocabulary, gguf);
            log.printf(Locale.ROOT, "model -> %s (%s, %d bytes)%n", gguf, spec.exportType(), size(gguf));
            samples(gguf, threads);
        }
        log.printf(Locale.ROOT, "done in %s%n", duration((System.nanoTime() - t0) / 1e9));
        return new Result(gguf, spec.steps() - start, heldOutLoss, unigram);
    }

    private void export(Decoder decoder, TokenizerConfig vocabulary, Path gguf) {
        Path tmp = gguf.resolveSibling(gguf.getFileName() + ".tmp");
        DecoderGguf.write(decoder, spec.name(), vocabulary, tmp, spec.exportType());
        move(tmp, gguf);
    }

    /** Greedy answers of the exported file, served by the inference engine through the file's own chat template. */
    private void samples(Path gguf, int threads) {
        for (String topic : SAMPLE_TOPICS) {
            log.println("sample> " + FortuneChats.request(topic) + " => " + answer(gguf, FortuneChats.request(topic), 120, threads).replace("\n", "\\n"));
        }
    }

    /** The greedy answer of the model in {@code gguf} to one user message, at most {@code maxTokens} tokens. */
    public static String answer(Path gguf, String user, int maxTokens, int threads) {
        try (GgufFile file = GgufFile.open(gguf)) {
            Tokenizer tokenizer = Tokenizer.fromGguf(file);
            ChatTemplate template = ChatTemplate.fromGguf(file);
            try (Model model = Model.load(file, new Model.Options(threads, true, 32))) {
                return greedy(model, tokenizer, template, user, maxTokens);
            }
        }
    }

    private static String greedy(Model model, Tokenizer tokenizer, ChatTemplate template, String user, int maxTokens) {
        String prompt = template.render(List.of(new ChatMessage("user", user)), true);
        int[] tokens = tokenizer.encode(prompt, true, true);
        Session session = model.newSession(Math.min(model.config().contextLength(), tokens.length + maxTokens));
        float[] logits = session.process(tokens);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < maxTokens && tokens.length + i < model.config().contextLength(); i++) {
            int best = 0;
            for (int v = 1; v < logits.length; v++) {
                if (logits[v] > logits[best]) {
                    best = v;
                }
            }
            if (tokenizer.isEndOfGeneration(best)) {
                break;
            }
            out.writeBytes(tokenizer.decodeBytes(best));
            logits = session.process(new int[] {best});
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private float evaluate(DecoderTraining training, int[] heldOut) {
        int window = spec.sequenceLength() + 1;
        int windows = heldOut.length / window;
        int chunk = Math.min(windows, 16);
        double sum = 0;
        int n = 0;
        for (int w = 0; w + chunk <= windows; w += chunk) {
            sum += training.loss(java.util.Arrays.copyOfRange(heldOut, w * window, (w + chunk) * window));
            n++;
        }
        return (float) (sum / n);
    }

    private void checkpoint(Decoder decoder, DecoderTraining training, long step) {
        Path file = dir.resolve("checkpoint.bin");
        Path tmp = dir.resolve("checkpoint.bin.tmp");
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
            out.writeInt(MAGIC);
            out.write(sha256(specBytes));
            out.writeLong(step);
            List<float[]> arrays = arrays(decoder, training);
            out.writeInt(arrays.size());
            for (float[] a : arrays) {
                out.writeInt(a.length);
                for (float f : a) {
                    out.writeInt(Float.floatToRawIntBits(f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + tmp, e);
        }
        move(tmp, file);
    }

    /** Loads {@code checkpoint.bin} if there is one for this spec; returns the step to continue from. */
    private long resume(Decoder decoder, DecoderTraining training) {
        Path file = dir.resolve("checkpoint.bin");
        if (!Files.exists(file)) {
            return 0;
        }
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            if (in.readInt() != MAGIC) {
                throw new HyphaException(ErrorCategory.INPUT, file + " is not a language-model checkpoint");
            }
            byte[] digest = in.readNBytes(32);
            if (!java.util.Arrays.equals(digest, sha256(specBytes))) {
                throw new HyphaException(ErrorCategory.INPUT, file + " was written for another spec; remove it (or use another "
                        + "directory) to train this one from the start");
            }
            long step = in.readLong();
            List<float[]> arrays = arrays(decoder, training);
            if (in.readInt() != arrays.size()) {
                throw new HyphaException(ErrorCategory.INPUT, file + " holds a different number of arrays than the spec's decoder");
            }
            for (float[] a : arrays) {
                if (in.readInt() != a.length) {
                    throw new HyphaException(ErrorCategory.INPUT, file + ": an array has the wrong size for the spec's decoder");
                }
                for (int i = 0; i < a.length; i++) {
                    a[i] = Float.intBitsToFloat(in.readInt());
                }
            }
            log.printf(Locale.ROOT, "resumed from %s at step %d%n", file, step);
            return step;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file, e);
        }
    }

    private static List<float[]> arrays(Decoder decoder, DecoderTraining training) {
        List<float[]> out = new ArrayList<>();
        for (Tensor p : decoder.parameters()) {
            out.add(p.data());
        }
        out.addAll(training.optimizerState());
        return out;
    }

    /** Mean -log p(target) of the held-out windows' targets under the training stream's add-one unigram distribution. */
    static float unigramLoss(int[] train, int[] heldOutWindows, int window, int vocab) {
        long[] counts = new long[vocab];
        for (int t : train) {
            counts[t]++;
        }
        double total = train.length + vocab;
        double sum = 0;
        int n = 0;
        for (int i = 0; i < heldOutWindows.length; i++) {
            if (i % window != 0) {
                sum -= Math.log((counts[heldOutWindows[i]] + 1) / total);
                n++;
            }
        }
        return (float) (sum / n);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to, e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code LanguageModelTrainer SPEC.toml DIR [THREADS]}: trains, logging to standard output. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: LanguageModelTrainer SPEC.toml DIR [THREADS]");
            System.exit(2);
        }
        Path specFile = Path.of(args[0]);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(specFile)) {
            bytes = in.readAllBytes();
        }
        LanguageModelSpec spec = LanguageModelSpec.parse(specFile.toString(), bytes);
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), true);
        new LanguageModelTrainer(spec, bytes, Path.of(args[1]), out).run(args.length > 2 ? Integer.parseInt(args[2]) : 1);
    }
}
