// Aggregate generation speed of concurrent streams on one model: Hypha's continuous batching (ContinuousBatcher: every
// stream's newest token in one decode step) against llama.cpp (node-llama-cpp 3.21.1, one context with as many
// sequences, which it decodes together as llama-server --parallel does), on the same random-weight GGUF file that
// bench/llm-vs-llamacpp.sh writes (bench/out/, reused), the same threads and the same prompt. Run it through
// bench/parallel-streams.sh. Uses LlmVsLlamaCpp.java (same folder) for the model file, prompt and llama.cpp driver.
//
// Each round measures, for every stream count, ours then llama.cpp, then prompt processing (one --pp-token prompt, in
// chunks of the engine's batch size for ours, one batch for llama.cpp) of each; the table gives the medians of the
// rounds and the lowest-highest of each, the ratio of the medians, and each engine's speed-up over its own single stream.

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.ContinuousBatcher;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public final class ParallelStreams {
    public static void main(String[] args) throws Exception {
        String type = "q4_0";
        List<Integer> counts = List.of(1, 4, 8);
        int threads = 2, promptLength = 32, generate = 32, rounds = 3, ppLength = 128;
        boolean deterministic = false;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--type" -> { type = v; i++; }
                case "--streams" -> { counts = Arrays.stream(v.split(",")).map(s -> Integer.parseInt(s.strip())).toList(); i++; }
                case "--threads" -> { threads = Integer.parseInt(v); i++; }
                case "--prompt" -> { promptLength = Integer.parseInt(v); i++; }
                case "--generate" -> { generate = Integer.parseInt(v); i++; }
                case "--rounds" -> { rounds = Integer.parseInt(v); i++; }
                case "--pp" -> { ppLength = Integer.parseInt(v); i++; }
                case "--deterministic" -> deterministic = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see bench/README.md");
            }
        }
        // the 0.84B llama shape of bench/llm-vs-llamacpp.sh's default run
        LlmVsLlamaCpp.Options o = new LlmVsLlamaCpp.Options(Path.of("bench/out"), List.of(type), threads, promptLength,
                generate, 2048, 5632, 16, 32, 4, 32, Path.of("").toAbsolutePath(), Architecture.LLAMA, 64, 0, 0, 2, 5632,
                rounds);
        Files.createDirectories(o.dir());
        TokenizerConfig small = TestVocabularies.sentencePiece(4000);
        int[] prompt = LlmVsLlamaCpp.prompt(Tokenizer.create(small), promptLength);
        int[] ppPrompt = LlmVsLlamaCpp.prompt(Tokenizer.create(small), ppLength);
        Path file = LlmVsLlamaCpp.model(o, type, LlmVsLlamaCpp.padded(small, LlmVsLlamaCpp.VOCAB));
        System.out.printf(Locale.ROOT, "model: %s (%d MiB), %d threads, prompt %d tokens, %d tokens per stream, %d rounds, "
                        + "ours in %s mode%n", file.getFileName(), Files.size(file) >> 20, threads, promptLength, generate,
                rounds, deterministic ? "deterministic" : "fast");
        int n = counts.size();
        List<Double> direct = new ArrayList<>(); // one session fed directly, no batcher: what batching costs one stream
        List<Double> ppOurs = new ArrayList<>();
        List<Double> ppTheirs = new ArrayList<>();
        List<List<Double>> ours = new ArrayList<>();
        List<List<Double>> theirs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ours.add(new ArrayList<>());
            theirs.add(new ArrayList<>());
        }
        try (GgufFile gguf = GgufFile.open(file);
             Model model = Model.load(gguf, Model.Options.defaults().withThreads(threads).withDeterministic(deterministic));
             LlmVsLlamaCpp.Driver llama = LlmVsLlamaCpp.Driver.start(o.repo())) {
            for (int c : counts) { // warm-up: C2 settles on the kernels of every batch width
                ours(model, prompt, Math.min(generate, 16), c);
            }
            parallel(llama, file, prompt, 4, 1, threads);
            direct(model, prompt, Math.min(generate, 16));
            LlmVsLlamaCpp.run(model, ppPrompt, 1);
            LlmVsLlamaCpp.run(model, ppPrompt, 1);
            for (int r = 0; r < rounds; r++) {
                direct.add(direct(model, prompt, generate));
                for (int i = 0; i < n; i++) {
                    ours.get(i).add(ours(model, prompt, generate, counts.get(i)));
                    theirs.get(i).add(parallel(llama, file, prompt, generate, counts.get(i), threads));
                }
                ppOurs.add(LlmVsLlamaCpp.run(model, ppPrompt, 1).ppTokensPerSecond());
                llama.load(file, threads, ppPrompt.length + 16);
                llama.bench(Arrays.copyOf(ppPrompt, 16), 1); // warm-up after loading
                ppTheirs.add(llama.bench(ppPrompt, 1).ppTokensPerSecond());
                System.out.printf(Locale.ROOT, "round %d done, load average %s%n", r + 1, loadAverage());
            }
        }
        String row = "%7s | %9s %13s %8s | %9s %13s %8s | %6s";
        System.out.println();
        System.out.println(String.format(Locale.ROOT, row, "streams", "ours t/s", "range", "vs ours1", "llama t/s", "range",
                "vs l.1", "ratio"));
        System.out.println(String.format(Locale.ROOT, row, "direct", f(median(direct)), range(direct), "", "", "", "", ""));
        for (int i = 0; i < n; i++) {
            double mo = median(ours.get(i));
            double mt = median(theirs.get(i));
            System.out.println(String.format(Locale.ROOT, row, counts.get(i), f(mo), range(ours.get(i)),
                    f(mo / median(ours.getFirst())) + "x", f(mt), range(theirs.get(i)),
                    f(mt / median(theirs.getFirst())) + "x", String.format(Locale.ROOT, "%.2f", mo / mt)));
        }
        System.out.println(String.format(Locale.ROOT, row, "pp " + ppLength, f(median(ppOurs)), range(ppOurs), "",
                f(median(ppTheirs)), range(ppTheirs), "", String.format(Locale.ROOT, "%.2f", median(ppOurs) / median(ppTheirs))));
        System.out.println("pp N: prompt processing tokens per second of one N-token prompt (ours in chunks of the batch size); "
                + "t/s: aggregate generated tokens per second of all streams (median of the rounds); range: "
                + "lowest-highest round; vs ours1 / vs l.1: against the same engine's first stream-count row; ratio: ours / "
                + "llama.cpp; direct: one session fed on the caller's thread without a batcher");
    }

    /** Tokens per second of {@code streams} greedy generations at once through one batcher, prompts processed first. */
    static double ours(Model model, int[] prompt, int generate, int streams) throws Exception {
        try (ContinuousBatcher batcher = new ContinuousBatcher(model, streams, model.options().batchSize(), "bench");
             ExecutorService pool = Executors.newFixedThreadPool(streams)) {
            Session[] sessions = new Session[streams];
            float[][] first = new float[streams][];
            for (int s = 0; s < streams; s++) {
                sessions[s] = model.newSession(prompt.length + generate + 1);
                first[s] = sessions[s].process(prompt);
            }
            List<ContinuousBatcher.Stream> open = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                open.add(batcher.open());
            }
            long t0 = System.nanoTime();
            List<Future<Integer>> done = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                int id = s;
                done.add(pool.submit(() -> {
                    try (ContinuousBatcher.Stream stream = open.get(id)) {
                        float[] logits = first[id];
                        for (int t = 0; t < generate; t++) {
                            logits = stream.process(sessions[id], new int[] {LlmVsLlamaCpp.argmax(logits)});
                        }
                        return generate;
                    }
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get();
            }
            return total * 1e9 / (System.nanoTime() - t0);
        }
    }

    /** Tokens per second of one session generating on this thread, no batcher. */
    static double direct(Model model, int[] prompt, int generate) {
        Session session = model.newSession(prompt.length + generate + 1);
        float[] logits = session.process(prompt);
        long t0 = System.nanoTime();
        for (int t = 0; t < generate; t++) {
            logits = session.process(new int[] {LlmVsLlamaCpp.argmax(logits)});
        }
        return generate * 1e9 / (System.nanoTime() - t0);
    }

    static double parallel(LlmVsLlamaCpp.Driver llama, Path file, int[] prompt, int generate, int streams, int threads)
            throws Exception {
        ObjectNode r = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("cmd", "parallel")
                .put("model", file.toAbsolutePath().toString()).put("streams", streams).put("generate", generate)
                .put("threads", threads);
        var p = r.putArray("prompt");
        for (int t : prompt) {
            p.add(t);
        }
        var a = llama.call(r);
        return a.get("generated").asInt() * 1000.0 / a.get("generateMs").asDouble();
    }

    static String loadAverage() throws Exception {
        return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
    }

    static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String range(List<Double> v) {
        return f(v.stream().mapToDouble(Double::doubleValue).min().orElse(0)) + "-"
                + f(v.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
