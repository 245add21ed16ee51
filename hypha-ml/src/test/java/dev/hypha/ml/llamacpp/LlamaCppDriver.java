package dev.hypha.ml.llamacpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp (node-llama-cpp 3.21.1, CPU build from node_modules) as a subprocess speaking the JSON-lines protocol of
 * {@code src/test/node/llamacpp-driver.mjs}. One driver holds one loaded model at a time.
 */
public final class LlamaCppDriver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BufferedWriter requests;
    private final BufferedReader answers;

    private LlamaCppDriver(Process process) {
        this.process = process;
        this.requests = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The repository root (Surefire passes it; the working directory is the fallback for IDE runs). */
    public static Path repoRoot() {
        String root = System.getProperty("hypha.repo.root");
        Path dir = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
        return Files.isDirectory(dir.resolve("hypha-ml")) ? dir : dir.getParent();
    }

    /**
     * Starts the driver. llama.cpp's own log lines go to {@code target/llamacpp-driver.log}.
     *
     * @throws IllegalStateException naming what to install when node or node-llama-cpp is missing
     */
    public static LlamaCppDriver start() {
        Path root = repoRoot();
        Path script = root.resolve("hypha-ml/src/test/node/llamacpp-driver.mjs");
        Path module = root.resolve("node_modules/node-llama-cpp/package.json");
        if (!Files.isRegularFile(module)) {
            throw new IllegalStateException("node-llama-cpp is not installed in " + root.resolve("node_modules")
                    + "; run `npm ci` in the repository root (package.json pins node-llama-cpp 3.21.1)");
        }
        Path log = root.resolve("hypha-ml/target/llamacpp-driver.log");
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder("node", script.toString())
                    .directory(root.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new LlamaCppDriver(p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start `node` (Node.js 20+ must be on PATH): " + e.getMessage(), e);
        }
    }

    /** What llama.cpp reports about a loaded model. */
    public record Loaded(int vocabSize, int bos, int eos, boolean addBos, String architecture) {}

    /** A greedy decode: the tokens, and per step the top entries as (token, logit minus the step's max logit). */
    public record Greedy(int[] tokens, List<int[]> topTokens, List<double[]> topLogitGaps) {}

    /** Timings of {@link #bench}. */
    public record Bench(int promptTokens, double promptMs, int generated, double generateMs) {}

    /** Loads with llama.cpp's default F16 KV cache. */
    public Loaded load(Path model, int threads, int contextSize) {
        return load(model, threads, contextSize, "F16");
    }

    /** @param kvCacheType ggml type name of the KV cache, "F16" (llama.cpp's default) or "F32" */
    public Loaded load(Path model, int threads, int contextSize, String kvCacheType) {
        return load(model, threads, contextSize, kvCacheType, null);
    }

    /** As {@link #load(Path, int, int, String)} with llama.cpp's flash attention on or off (a Q8_0 V cache needs it on). */
    public Loaded load(Path model, int threads, int contextSize, String kvCacheType, boolean flashAttention) {
        return load(model, threads, contextSize, kvCacheType, null, flashAttention);
    }

    /** As {@link #load(Path, int, int, String)} with a GGUF LoRA adapter applied at scale 1 (null: none). */
    public Loaded load(Path model, int threads, int contextSize, String kvCacheType, Path lora) {
        return load(model, threads, contextSize, kvCacheType, lora, false);
    }

    private Loaded load(Path model, int threads, int contextSize, String kvCacheType, Path lora, boolean flashAttention) {
        ObjectNode req = request("load");
        if (lora != null) {
            req.put("lora", lora.toAbsolutePath().toString());
        }
        req.put("kvCacheType", kvCacheType);
        req.put("flashAttention", flashAttention);
        req.put("model", model.toAbsolutePath().toString());
        req.put("threads", threads);
        req.put("contextSize", contextSize);
        req.put("batchSize", Math.min(contextSize, 512));
        JsonNode a = call(req);
        return new Loaded(a.path("vocabSize").asInt(-1), a.path("bos").asInt(-1), a.path("eos").asInt(-1),
                a.path("addBos").asBoolean(), a.path("architecture").asText());
    }

    /** llama.cpp's tokenization of each text (never adds BOS/EOS). */
    public List<int[]> tokenize(List<String> texts, boolean special) {
        ObjectNode req = request("tokenize");
        texts.forEach(req.putArray("texts")::add);
        req.put("special", special);
        List<int[]> out = new ArrayList<>();
        for (JsonNode tokens : call(req).path("tokens")) {
            out.add(ints(tokens));
        }
        return out;
    }

    /** llama.cpp's text for each token list. */
    public List<String> detokenize(List<int[]> tokenLists, boolean special) {
        ObjectNode req = request("detokenize");
        var lists = req.putArray("tokens");
        for (int[] tokens : tokenLists) {
            var list = lists.addArray();
            for (int t : tokens) {
                list.add(t);
            }
        }
        req.put("special", special);
        List<String> out = new ArrayList<>();
        call(req).path("texts").forEach(t -> out.add(t.asText()));
        return out;
    }

    public Greedy greedy(int[] prompt, int maxTokens, int top) {
        ObjectNode req = request("greedy");
        var p = req.putArray("prompt");
        for (int t : prompt) {
            p.add(t);
        }
        req.put("maxTokens", maxTokens);
        req.put("top", top);
        JsonNode a = call(req);
        List<int[]> topTokens = new ArrayList<>();
        List<double[]> gaps = new ArrayList<>();
        for (JsonNode step : a.path("steps")) {
            int[] ids = new int[step.size()];
            double[] g = new double[step.size()];
            for (int i = 0; i < step.size(); i++) {
                ids[i] = step.get(i).get(0).asInt();
                g[i] = step.get(i).get(1).isNull() ? Double.NEGATIVE_INFINITY : step.get(i).get(1).asDouble();
            }
            topTokens.add(ids);
            gaps.add(g);
        }
        return new Greedy(ints(a.path("tokens")), topTokens, gaps);
    }

    /** llama.cpp's pooled embeddings of an embedding model, and its tokenization of {@code texts} (no specials). */
    public record Embeddings(List<float[]> vectors, List<int[]> tokens) {}

    /** Loads {@code model} on an embedding context just for this call; a model loaded with {@link #load} stays. */
    public Embeddings embed(Path model, List<int[]> inputs, List<String> texts) {
        ObjectNode req = request("embed");
        req.put("model", model.toString());
        var in = req.putArray("inputs");
        for (int[] tokens : inputs) {
            var list = in.addArray();
            for (int t : tokens) {
                list.add(t);
            }
        }
        texts.forEach(req.putArray("texts")::add);
        JsonNode a = call(req);
        List<float[]> vectors = new ArrayList<>();
        for (JsonNode v : a.path("vectors")) {
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) v.get(i).asDouble();
            }
            vectors.add(f);
        }
        List<int[]> tokens = new ArrayList<>();
        a.path("tokens").forEach(t -> tokens.add(ints(t)));
        return new Embeddings(vectors, tokens);
    }

    public Bench bench(int[] prompt, int generate) {
        ObjectNode req = request("bench");
        var p = req.putArray("prompt");
        for (int t : prompt) {
            p.add(t);
        }
        req.put("generate", generate);
        JsonNode a = call(req);
        return new Bench(a.path("promptTokens").asInt(), a.path("promptMs").asDouble(), a.path("generated").asInt(),
                a.path("generateMs").asDouble());
    }

    @Override
    public void close() {
        try {
            call(request("quit"));
        } catch (RuntimeException e) {
            // Already gone: destroy below.
        }
        try {
            requests.close();
        } catch (IOException e) {
            // The pipe is closed with the process.
        }
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static ObjectNode request(String cmd) {
        ObjectNode req = JSON.createObjectNode();
        req.put("cmd", cmd);
        return req;
    }

    private JsonNode call(ObjectNode request) {
        try {
            requests.write(JSON.writeValueAsString(request));
            requests.newLine();
            requests.flush();
            String line = answers.readLine();
            if (line == null) {
                throw new IllegalStateException("the llama.cpp driver exited (see hypha-ml/target/llamacpp-driver.log)");
            }
            JsonNode answer = JSON.readTree(line);
            if (!answer.path("ok").asBoolean()) {
                throw new IllegalStateException("llama.cpp driver: " + request.path("cmd").asText() + " failed: "
                        + answer.path("error").asText());
            }
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException("talking to the llama.cpp driver failed", e);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
