// Prompt processing and generation speed of Hypha's Java engine against llama.cpp (node-llama-cpp 3.21.1) on the
// same GGUF files, the same thread count and the same prompt. Run it through bench/llm-vs-llamacpp.sh, which builds
// the shaded jar this program runs against (java -cp hypha-cli/target/hypha.jar bench/LlmVsLlamaCpp.java ...).
//
// For each weight type it writes (once, then reuses) a random-weight llama-shaped model, measures
//   pp: tokens/s processing a prompt in one call (no token sampled),
//   tg: tokens/s generating tokens one at a time (greedy), after the prompt,
// for our engine in fast mode, our engine in deterministic mode, and llama.cpp, in interleaved rounds (ours fast, ours
// deterministic, llama.cpp, then again), so that a slow spell of the machine hits all three; it prints the medians,
// the spread of the per-round ratios, the bytes of weights each generated token reads, and the bandwidth that implies.
// --experts N --experts-used K --expert-ffn F make the model a mixture of experts (llama: Mixtral-style, each expert
// --ffn wide; --arch qwen3moe: experts --expert-ffn wide).

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufTensor;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.ModelConfig;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.quant.FileType;
import dev.hypha.ml.quant.ModelQuantizer;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenType;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

public final class LlmVsLlamaCpp {
    static final int VOCAB = 32000;
    static final String PROMPT_TEXT = """
            A journey of a thousand miles begins with a single step. The best way to predict the future is to
            invent it. Those who cannot remember the past are condemned to repeat it. Simplicity is prerequisite
            for reliability. Premature optimization is the root of all evil. There are only two hard things in
            computer science: cache invalidation and naming things. Talk is cheap, show me the code. Any sufficiently
            advanced technology is indistinguishable from magic. The quick brown fox jumps over the lazy dog again.
            """;

    record Options(Path dir, List<String> types, int threads, int promptTokens, int generate, int dim, int ffn,
                   int layers, int heads, int kvHeads, int batch, Path repo, Architecture arch, int headDim, int window,
                   int experts, int expertsUsed, int expertFfn, int rounds) {}

    record Speed(double ppTokensPerSecond, double tgTokensPerSecond) {}

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        Files.createDirectories(o.dir());
        System.out.printf(Locale.ROOT, "model: %s, dim %d, %d layers, %d heads (%d KV) of %d, ffn %d, vocab %d%s%s; "
                        + "threads %d; prompt %d tokens; generate %d tokens; %d interleaved rounds%n",
                o.arch().ggufName(), o.dim(), o.layers(), o.heads(), o.kvHeads(), o.headDim(), o.ffn(), VOCAB,
                o.window() > 0 ? ", sliding window " + o.window() : "",
                o.experts() > 0 ? String.format(Locale.ROOT, ", %d experts of %d, %d used", o.experts(), expertFfn(o),
                        o.expertsUsed()) : "",
                o.threads(), o.promptTokens(), o.generate(), o.rounds());
        TokenizerConfig small = TestVocabularies.sentencePiece(4000);
        int[] prompt = prompt(Tokenizer.create(small), o.promptTokens());
        TokenizerConfig vocab = padded(small, VOCAB);
        List<String> lines = new ArrayList<>();
        String row = "%-7s %8s | %8s %8s %6s %9s %8s | %8s %8s %6s %9s %8s | %8s %8s %8s | %6s %6s";
        lines.add(String.format(Locale.ROOT, row, "type", "file", "pp ours", "pp llama", "ratio", "range", "pp l.1t",
                "tg ours", "tg llama", "ratio", "range", "tg l.1t", "MB/tok", "GB/s us", "GB/s l.", "det pp", "det tg"));
        try (Driver llama = Driver.start(o.repo())) {
            for (String type : o.types()) {
                Path file = model(o, type, vocab);
                long bytesPerToken = weightBytesPerToken(file);
                Rounds rounds = interleaved(llama, file, prompt, o);
                Speed fast = rounds.median(rounds.fast());
                Speed det = rounds.median(rounds.det());
                Speed theirs = rounds.median(rounds.theirs());
                // llama.cpp's worker threads spin while they wait for each other; on a machine whose cores are
                // busy with other work that costs it dearly, so it is also measured with one thread.
                Speed theirsOne = o.threads() == 1 ? theirs : llamaCpp(llama, file, prompt, o, 1);
                String line = String.format(Locale.ROOT, row, type, mib(Files.size(file)),
                        f(fast.ppTokensPerSecond()), f(theirs.ppTokensPerSecond()),
                        r(fast.ppTokensPerSecond() / theirs.ppTokensPerSecond()), rounds.ratioRange(true),
                        f(theirsOne.ppTokensPerSecond()),
                        f(fast.tgTokensPerSecond()), f(theirs.tgTokensPerSecond()),
                        r(fast.tgTokensPerSecond() / theirs.tgTokensPerSecond()), rounds.ratioRange(false),
                        f(theirsOne.tgTokensPerSecond()),
                        f(bytesPerToken / 1e6), r(bytesPerToken * fast.tgTokensPerSecond() / 1e9),
                        r(bytesPerToken * Math.max(theirs.tgTokensPerSecond(), theirsOne.tgTokensPerSecond()) / 1e9),
                        r(det.ppTokensPerSecond() / fast.ppTokensPerSecond()),
                        r(det.tgTokensPerSecond() / fast.tgTokensPerSecond()));
                System.out.println(line);
                lines.add(line);
            }
        }
        System.out.println();
        System.out.println("pp/tg: median tokens per second (prompt processing / generation) of the interleaved rounds;"
                + " ratio: ours / llama.cpp with the same threads (medians); range: lowest-highest per-round ratio;"
                + " l.1t: llama.cpp with 1 thread (median of as many rounds, after them); MB/tok: weight bytes read per generated token;"
                + " GB/s: MB/tok x tg (l.: llama.cpp's better run); det: our deterministic mode / our fast mode");
        lines.forEach(System.out::println);
    }

    /**
     * The model file for {@code type}: a ggml type (Q4_K, IQ4_XS, ...) is written directly by {@link RandomModelFactory};
     * a llama-quantize mix (Q4_K_M, Q3_K_S, ...) is the F32 model of the same shape quantized by {@link ModelQuantizer}.
     */
    static Path model(Options o, String type, TokenizerConfig vocab) {
        String moe = o.experts() > 0
                ? String.format(Locale.ROOT, "-%de%dx%d", o.experts(), o.expertsUsed(), expertFfn(o)) : "";
        Path file = o.dir().resolve(String.format(Locale.ROOT, "%s-%dx%d%s-%s.gguf", o.arch().ggufName(), o.dim(), o.layers(),
                moe, type.toLowerCase(Locale.ROOT)));
        if (Files.isRegularFile(file)) {
            return file;
        }
        GgmlType direct = Arrays.stream(GgmlType.values()).filter(t -> t.name().equalsIgnoreCase(type)).findFirst().orElse(null);
        if (direct == null) {
            FileType mix = FileType.parse(type);
            Path f32 = model(o, "f32", vocab);
            System.out.println("quantizing " + f32 + " as " + mix + " ...");
            ModelQuantizer.quantize(f32, file, mix, false, (done, total) -> { });
            return file;
        }
        System.out.println("writing " + file + " ...");
        RandomModelFactory.write(new RandomModelFactory.Spec(o.arch(), o.dim(), o.ffn(), o.layers(), o.heads(),
                o.kvHeads(), o.headDim(), VOCAB, 2048, direct, o.arch() == Architecture.GEMMA2, 42, o.window(),
                o.experts() > 0 ? new ModelConfig.Experts(o.experts(), o.expertsUsed(), expertFfn(o),
                        o.arch() == Architecture.GPT_OSS ? ModelConfig.Experts.Style.GPT_OSS
                                : ModelConfig.Experts.Style.MIXTRAL) : null), vocab, file);
        return file;
    }

    /** Each expert's hidden length: --expert-ffn for qwen3moe and gpt-oss, the model's --ffn for a Mixtral-style llama. */
    static int expertFfn(Options o) {
        return o.arch() == Architecture.LLAMA ? o.ffn() : o.expertFfn();
    }

    /** Per-round speeds of our fast and deterministic modes and of llama.cpp, measured in turn. */
    record Rounds(List<Speed> fast, List<Speed> det, List<Speed> theirs) {
        Speed median(List<Speed> runs) {
            return new Speed(median(runs.stream().mapToDouble(Speed::ppTokensPerSecond).toArray()),
                    median(runs.stream().mapToDouble(Speed::tgTokensPerSecond).toArray()));
        }

        /** Lowest and highest ours/llama.cpp ratio of single rounds (fast mode), for prompt or generation. */
        String ratioRange(boolean prompt) {
            double lo = Double.MAX_VALUE;
            double hi = 0;
            for (int i = 0; i < fast.size(); i++) {
                double ratio = prompt ? fast.get(i).ppTokensPerSecond() / theirs.get(i).ppTokensPerSecond()
                        : fast.get(i).tgTokensPerSecond() / theirs.get(i).tgTokensPerSecond();
                lo = Math.min(lo, ratio);
                hi = Math.max(hi, ratio);
            }
            return r(lo) + "-" + r(hi);
        }

        static double median(double[] v) {
            double[] s = v.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }
    }

    /**
     * Warm-up (ours: two whole runs per mode, because C2 takes that long to settle on the vector kernels; llama.cpp:
     * one short run), then {@code o.rounds()} rounds of ours fast, ours deterministic and llama.cpp, one after another.
     */
    static Rounds interleaved(Driver llama, Path file, int[] prompt, Options o) throws Exception {
        Model.Options engine = Model.Options.defaults().withThreads(o.threads()).withBatchSize(o.batch());
        List<Speed> fast = new ArrayList<>();
        List<Speed> det = new ArrayList<>();
        List<Speed> theirs = new ArrayList<>();
        try (GgufFile gguf = GgufFile.open(file);
             Model fastModel = Model.load(gguf, engine.withDeterministic(false));
             Model detModel = Model.load(gguf, engine.withDeterministic(true))) {
            for (int round = 0; round < 2; round++) {
                run(fastModel, prompt, o.generate());
                run(detModel, prompt, o.generate());
            }
            llama.load(file, o.threads(), prompt.length + o.generate() + 16);
            llama.bench(Arrays.copyOf(prompt, 16), 4);
            for (int round = 0; round < o.rounds(); round++) {
                fast.add(run(fastModel, prompt, o.generate()));
                det.add(run(detModel, prompt, o.generate()));
                theirs.add(llama.bench(prompt, o.generate()));
            }
        }
        return new Rounds(fast, det, theirs);
    }

    static Speed run(Model model, int[] prompt, int generate) {
        Session session = model.newSession(prompt.length + generate + 1);
        long t0 = System.nanoTime();
        float[] logits = session.process(prompt);
        long t1 = System.nanoTime();
        for (int i = 0; i < generate; i++) {
            logits = session.process(new int[] {argmax(logits)});
        }
        long t2 = System.nanoTime();
        return new Speed(prompt.length * 1e9 / (t1 - t0), generate * 1e9 / (t2 - t1));
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Weights one generated token reads: every matrix once, but only one row of the token embedding and, of a stacked
     * expert tensor ({@code *_exps}), only the used experts' share.
     */
    static long weightBytesPerToken(Path file) {
        try (GgufFile gguf = GgufFile.open(file)) {
            String arch = gguf.architecture();
            long experts = gguf.integer(arch + ".expert_count").orElse(0L);
            long used = gguf.integer(arch + ".expert_used_count").orElse(0L);
            long total = 0;
            for (GgufTensor t : gguf.tensors()) {
                total += t.name().equals("token_embd.weight") ? t.byteSize() / t.rows()
                        : t.name().endsWith("_exps.weight") && experts > 0 ? t.byteSize() / experts * used
                        : t.byteSize();
            }
            return total;
        }
    }

    /** The prompt: the text's tokens, repeated until there are enough, after BOS. */
    static int[] prompt(Tokenizer tokenizer, int length) {
        int[] text = tokenizer.encode(PROMPT_TEXT.replace('\n', ' '), false, false);
        int[] out = new int[length];
        out[0] = tokenizer.bos();
        for (int i = 1; i < length; i++) {
            out[i] = text[(i - 1) % text.length];
        }
        return out;
    }

    /** The vocabulary grown to {@code size} tokens with unused entries, for a model of the usual 32000 rows. */
    static TokenizerConfig padded(TokenizerConfig c, int size) {
        List<String> tokens = new ArrayList<>(c.tokens());
        float[] scores = Arrays.copyOf(c.scores(), size);
        int[] types = Arrays.copyOf(c.tokenTypes(), size);
        for (int i = c.size(); i < size; i++) {
            tokens.add("<unused" + i + ">");
            scores[i] = -1e9f;
            types[i] = TokenType.UNUSED.id();
        }
        return new TokenizerConfig(c.model(), c.pre(), tokens, scores, types, c.merges(), c.bos(), c.eos(), c.unk(),
                c.pad(), c.eot(), c.addBos(), c.addEos(), c.addSpacePrefix(), c.chatTemplate());
    }

    /** llama.cpp alone with {@code threads}: median of {@code o.rounds()} runs after a warm-up. */
    static Speed llamaCpp(Driver llama, Path file, int[] prompt, Options o, int threads) throws Exception {
        llama.load(file, threads, prompt.length + o.generate() + 16);
        llama.bench(Arrays.copyOf(prompt, 16), 4); // warm-up
        List<Speed> runs = new ArrayList<>();
        for (int i = 0; i < o.rounds(); i++) {
            runs.add(llama.bench(prompt, o.generate()));
        }
        return new Rounds(runs, runs, runs).median(runs);
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String r(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    static Options parse(String[] args) {
        Path dir = Path.of("bench/out");
        List<String> types = List.of("q8_0", "q4_0", "q4_k");
        int threads = 2, prompt = 128, generate = 32, dim = 2048, ffn = 5632, layers = 16, heads = 32, kv = 4, batch = 32;
        Architecture arch = Architecture.LLAMA;
        int headDim = 0, window = 0, experts = 0, expertsUsed = 2, expertFfn = 0, rounds = 5;
        Path repo = Path.of("").toAbsolutePath();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--dir" -> { dir = Path.of(v); i++; }
                case "--types" -> { types = Arrays.stream(v.split(",")).map(String::strip).toList(); i++; }
                case "--threads" -> { threads = Integer.parseInt(v); i++; }
                case "--prompt" -> { prompt = Integer.parseInt(v); i++; }
                case "--generate" -> { generate = Integer.parseInt(v); i++; }
                case "--dim" -> { dim = Integer.parseInt(v); i++; }
                case "--ffn" -> { ffn = Integer.parseInt(v); i++; }
                case "--layers" -> { layers = Integer.parseInt(v); i++; }
                case "--heads" -> { heads = Integer.parseInt(v); i++; }
                case "--kv-heads" -> { kv = Integer.parseInt(v); i++; }
                case "--batch" -> { batch = Integer.parseInt(v); i++; }
                case "--repo" -> { repo = Path.of(v); i++; }
                case "--arch" -> { arch = Architecture.fromGguf(v); i++; }
                case "--head-dim" -> { headDim = Integer.parseInt(v); i++; }
                case "--window" -> { window = Integer.parseInt(v); i++; }
                case "--experts" -> { experts = Integer.parseInt(v); i++; }
                case "--experts-used" -> { expertsUsed = Integer.parseInt(v); i++; }
                case "--expert-ffn" -> { expertFfn = Integer.parseInt(v); i++; }
                case "--rounds" -> { rounds = Integer.parseInt(v); i++; }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see bench/README.md");
            }
        }
        return new Options(dir, types, threads, prompt, generate, dim, ffn, layers, heads, kv, batch, repo, arch,
                headDim > 0 ? headDim : dim / heads, window, experts, expertsUsed, expertFfn > 0 ? expertFfn : ffn, rounds);
    }

    /** llama.cpp through hypha-ml/src/test/node/llamacpp-driver.mjs (one JSON request and answer per line). */
    static final class Driver implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final Process process;
        private final BufferedWriter requests;
        private final BufferedReader answers;

        private Driver(Process process) {
            this.process = process;
            this.requests = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static Driver start(Path repo) throws Exception {
            Path log = repo.resolve("bench/out/llamacpp-driver.log");
            Files.createDirectories(log.getParent());
            return new Driver(new ProcessBuilder("node", repo.resolve("hypha-ml/src/test/node/llamacpp-driver.mjs").toString())
                    .directory(repo.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
        }

        void load(Path model, int threads, int contextSize) throws Exception {
            ObjectNode r = JSON.createObjectNode().put("cmd", "load").put("model", model.toAbsolutePath().toString())
                    .put("threads", threads).put("contextSize", contextSize).put("batchSize", 512);
            call(r);
        }

        Speed bench(int[] prompt, int generate) throws Exception {
            ObjectNode r = JSON.createObjectNode().put("cmd", "bench").put("generate", generate);
            var p = r.putArray("prompt");
            for (int t : prompt) {
                p.add(t);
            }
            JsonNode a = call(r);
            return new Speed(a.get("promptTokens").asInt() * 1000.0 / a.get("promptMs").asDouble(),
                    a.get("generated").asInt() * 1000.0 / a.get("generateMs").asDouble());
        }

        JsonNode call(ObjectNode request) throws Exception {
            requests.write(JSON.writeValueAsString(request));
            requests.newLine();
            requests.flush();
            String line = answers.readLine();
            if (line == null) {
                throw new IllegalStateException("the llama.cpp driver exited; see bench/out/llamacpp-driver.log");
            }
            JsonNode answer = JSON.readTree(line);
            if (!answer.path("ok").asBoolean()) {
                throw new IllegalStateException("llama.cpp: " + answer.path("error").asText());
            }
            return answer;
        }

        @Override
        public void close() throws Exception {
            call(JSON.createObjectNode().put("cmd", "quit"));
            process.waitFor();
        }
    }
}
