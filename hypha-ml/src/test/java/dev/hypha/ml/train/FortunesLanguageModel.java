package dev.hypha.ml.train;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.testmodel.FortunesCorpus;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.data.TokenCorpus;
import java.util.ArrayList;
import java.util.List;

/**
 * A short language-model run on Debian's fortunes with the fortunes-trained SentencePiece test vocabulary: every 20th
 * fortune held out, seeded random training windows, AdamW with warm-up and cosine decay. Reports the held-out loss
 * (mean next-token cross-entropy, nats) before training and every {@code evalEvery} steps, and the held-out loss of
 * the training stream's unigram distribution (add-one smoothed) as the bar a model without context would reach.
 * {@code main(STEPS)} prints the curve.
 */
final class FortunesLanguageModel {
    static final int VOCAB = 512;
    static final int LENGTH = 64;
    static final int BATCH = 8;
    static final DecoderConfig CONFIG = new DecoderConfig(Architecture.LLAMA, 64, 192, 2, 4, 2, 16, VOCAB, 256, 1e-5f, 10000f);

    record Curve(float unigram, List<float[]> points) {
        float first() {
            return points.getFirst()[1];
        }

        float last() {
            return points.getLast()[1];
        }
    }

    static Curve train(int steps, int evalEvery, int threads, boolean print) {
        return train(steps, evalEvery, threads, print, null);
    }

    /** As above; with {@code gguf} not null, writes the trained model there and prints greedy continuations served by llm.Model. */
    static Curve train(int steps, int evalEvery, int threads, boolean print, java.nio.file.Path gguf) {
        Tokenizer tokenizer = Tokenizer.create(TestVocabularies.sentencePiece(VOCAB));
        TokenCorpus corpus = TokenCorpus.of(FortunesCorpus.fortunes(FortunesCorpus.directory()), tokenizer, TestVocabularies.SPM_EOS, 20);
        int[] heldOut = TokenCorpus.consecutiveWindows(corpus.heldOut(), LENGTH + 1, 32);
        float unigram = unigramLoss(corpus.train(), heldOut);
        if (print) {
            System.out.printf("tokens: train %d, held out %d; unigram held-out loss %.4f%n", corpus.train().length, corpus.heldOut().length, unigram);
        }
        Schedule schedule = new Schedule(3e-3f, 3e-4f, Math.min(50, steps / 10), steps);
        List<float[]> points = new ArrayList<>();
        try (Parallel parallel = new Parallel(threads)) {
            Decoder decoder = Decoder.initialize(CONFIG, 1);
            DecoderTraining training = new DecoderTraining(decoder, new FloatMatMul(parallel), LENGTH, 0.1f, 1.0f);
            for (int step = 0; step <= steps; step++) {
                if (step % evalEvery == 0 || step == steps) {
                    float loss = training.loss(heldOut);
                    points.add(new float[] {step, loss});
                    if (print) {
                        System.out.printf("step %d held-out loss %.4f%n", step, loss);
                    }
                }
                if (step < steps) {
                    int[] batch = TokenCorpus.windows(corpus.train(), LENGTH + 1, BATCH, Seeds.stream(1, Seeds.SHUFFLE, step));
                    training.step(batch, schedule.at(step), step);
                }
            }
            if (gguf != null) {
                DecoderGguf.write(decoder, "hypha-tiny-fortunes-draft", TestVocabularies.sentencePiece(VOCAB), gguf);
                for (String prompt : List.of("The ", "Q: What", "A man ")) {
                    System.out.println("greedy> " + greedy(gguf, tokenizer, prompt, 40).replace("\n", "\\n"));
                }
            }
        }
        return new Curve(unigram, points);
    }

    /** Mean -log p(target) of the held-out windows' targets under the training stream's add-one unigram distribution. */
    static float unigramLoss(int[] train, int[] heldOutWindows) {
        long[] counts = new long[VOCAB];
        for (int t : train) {
            counts[t]++;
        }
        double total = train.length + VOCAB;
        double sum = 0;
        int n = 0;
        for (int i = 0; i < heldOutWindows.length; i++) {
            if (i % (LENGTH + 1) != 0) { // the first token of each window is only an input
                sum -= Math.log((counts[heldOutWindows[i]] + 1) / total);
                n++;
            }
        }
        return (float) (sum / n);
    }

    /** The prompt and {@code count} greedy tokens from the GGUF loaded by the inference engine. */
    static String greedy(java.nio.file.Path gguf, Tokenizer tokenizer, String prompt, int count) {
        try (dev.hypha.ml.gguf.GgufFile file = dev.hypha.ml.gguf.GgufFile.open(gguf)) {
            dev.hypha.ml.llm.Session session = dev.hypha.ml.llm.Model.load(file, new dev.hypha.ml.llm.Model.Options(1, true, 32)).newSession(LENGTH + count);
            int[] tokens = tokenizer.encode(prompt, true, false);
            List<Integer> out = new ArrayList<>();
            float[] logits = session.process(tokens);
            for (int i = 0; i < count; i++) {
                int best = 0;
                for (int v = 1; v < logits.length; v++) {
                    if (logits[v] > logits[best]) {
                        best = v;
                    }
                }
                if (best == TestVocabularies.SPM_EOS) {
                    break;
                }
                out.add(best);
                logits = session.process(new int[] {best});
            }
            return prompt + tokenizer.decode(out.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        train(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), true,
                args.length > 3 ? java.nio.file.Path.of(args[3]) : null);
        System.out.printf("%.1f s%n", (System.nanoTime() - start) / 1e9);
    }
}
