// Speculative decoding's speed-up: greedy generation of a random-weight llama (Q8_0) alone and with a draft, in
// interleaved rounds (plain, then each draft setting, then again), median tokens/s of each, the guesses kept, and a
// check that every drafted answer is the plain answer token for token. The draft is the same weights in Q4_0 (random
// weights give an unrelated draft almost no agreement; a quantized copy is what agrees with them, as a small model
// trained on the same data agrees with a large one). Run it through bench/speculative.sh.

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Generator;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.llm.SpeculativeDraft;
import dev.hypha.ml.llm.TokenDecoder;
import dev.hypha.ml.tensor.GgmlType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class SpeculativeBench {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int generate = 96;
        int vocab = 4096;
        RandomModelFactory.Spec spec = new RandomModelFactory.Spec(Architecture.LLAMA, 1024, 2816, 8, 16, 4, 64, vocab,
                2048, GgmlType.Q8_0, false, 7);
        Model.Options options = Model.Options.defaults().withThreads(threads);
        TokenDecoder decoder = new TokenDecoder() {
            @Override public byte[] bytes(int token) { return new byte[] {(byte) ('a' + token % 26)}; }
            @Override public boolean isEndOfGeneration(int token) { return false; }
        };
        int[] prompt = new int[64];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1 + (i * 37) % (vocab - 1);
        }
        int[] drafts = {2, 4, 6};
        try (Model target = Model.load(RandomModelFactory.inMemory(spec), options);
             Model draft = Model.load(RandomModelFactory.inMemory(spec.withType(GgmlType.Q4_0)), options)) {
            List<Double> plain = new ArrayList<>();
            List<List<Double>> drafted = new ArrayList<>();
            long[] kept = new long[drafts.length];
            long[] guessed = new long[drafts.length];
            for (int k : drafts) {
                drafted.add(new ArrayList<>());
            }
            for (int r = 0; r < rounds + 1; r++) { // round 0 warms up
                Session s = target.newSession(512);
                Generator.Result base = new Generator(s, decoder).generate(prompt, Generator.Options.greedy(generate), (t, x) -> { });
                double plainRate = base.tokens().length * 1e9 / base.stats().evalNanos();
                if (r > 0) plain.add(plainRate);
                for (int i = 0; i < drafts.length; i++) {
                    SpeculativeDraft d = new SpeculativeDraft(draft.newSession(512), drafts[i], vocab);
                    Generator.Result res = new Generator(target.newSession(512), decoder, System::nanoTime, d)
                            .generate(prompt, Generator.Options.greedy(generate), (t, x) -> { });
                    if (!Arrays.equals(res.tokens(), base.tokens())) {
                        throw new AssertionError("drafted answer differs from the plain one with k = " + drafts[i]);
                    }
                    if (r > 0) {
                        drafted.get(i).add(res.tokens().length * 1e9 / res.stats().evalNanos());
                        kept[i] += d.accepted();
                        guessed[i] += d.drafted();
                    }
                }
            }
            double p = median(plain);
            System.out.printf("target llama 1024x8 Q8_0 (%.0f MiB of weights), draft the same weights in Q4_0, %d threads, "
                    + "%d tokens after a %d-token prompt, %d rounds (median, min-max):%n",
                    weightBytes(spec) / (1 << 20),
                    threads, generate, prompt.length, rounds);
            System.out.printf("  plain greedy          %6.1f tokens/s (%.1f-%.1f)%n", p, min(plain), max(plain));
            for (int i = 0; i < drafts.length; i++) {
                double m = median(drafted.get(i));
                System.out.printf("  draft k = %d           %6.1f tokens/s (%.1f-%.1f)  speed-up %.2fx, guesses kept %.0f%%%n",
                        drafts[i], m, min(drafted.get(i)), max(drafted.get(i)), m / p, 100.0 * kept[i] / guessed[i]);
            }
            System.out.println("  every drafted answer equals the plain one token for token");
            // what a better draft could gain: the target's check of k + 1 tokens against one decoding step
            Session s = target.newSession(512);
            s.process(prompt);
            int at = s.position();
            for (int k : drafts) {
                List<Double> ratio = new ArrayList<>();
                for (int r = 0; r < rounds + 1; r++) {
                    s.rewind(at);
                    long t0 = System.nanoTime();
                    s.process(new int[] {5});
                    long one = System.nanoTime() - t0;
                    s.rewind(at);
                    int[] check = new int[k + 1];
                    Arrays.fill(check, 5);
                    t0 = System.nanoTime();
                    s.processAll(check);
                    long all = System.nanoTime() - t0;
                    if (r > 0) ratio.add((double) all / one);
                }
                System.out.printf("  checking %d tokens in one pass costs %.2fx one decoding step (%.2f-%.2f)%n", k + 1,
                        median(ratio), min(ratio), max(ratio));
            }
        }
    }

    /** Q8_0 bytes of every matrix: attention (q, k, v, o), the three FFN matrices, the embedding and the output. */
    static double weightBytes(RandomModelFactory.Spec s) {
        long kv = (long) s.kvHeads() * s.headDim();
        long perLayer = 2L * s.dim() * s.dim() + 2L * s.dim() * kv + 3L * s.dim() * s.ffnDim();
        return (perLayer * s.layers() + 2L * s.vocabSize() * s.dim()) * 34.0 / 32;
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
