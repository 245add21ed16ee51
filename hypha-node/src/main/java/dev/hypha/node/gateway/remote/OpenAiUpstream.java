package dev.hypha.node.gateway.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Hex;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.RunningModel;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An engine the operator already runs behind an OpenAI-compatible API (llama.cpp's {@code llama-server}, vLLM, or
 * anything else that speaks {@code /v1}), as a backend a provider can sell: {@code hypha provider start --upstream URL
 * --upstream-api openai}. Models from {@code /v1/models}; chats (and templated texts) from {@code /v1/chat/completions},
 * raw texts from {@code /v1/completions}, both streamed with {@code stream_options.include_usage} ({@link OpenAiStream});
 * embeddings from {@code /v1/embeddings}. Tools, a required tool, a JSON schema or object and log-probabilities pass
 * through ({@link OpenAiUpstreamBody}).
 *
 * <p>Charging (decision): what the upstream counted ({@code usage}) is what the answer is charged, capped by the bound
 * it was priced at ({@link PromptBound}, as for an Ollama upstream). An answer or embedding without usage is refused
 * (the provider then charges nothing and the payer's stream ends with the error), rather than counted by guesswork:
 * the provider cannot know the upstream's tokenizer.
 *
 * <p>Model ids (decision): an OpenAI-compatible server names its models but does not identify their weights, so the id
 * receipts and offers carry is the SHA-256 of the server's model name ({@link ModelInfo#digest()}); it pins the name,
 * not the file. Names match with or without Ollama's {@code :latest} tag, and requests reach the server under its own
 * name.
 */
public final class OpenAiUpstream implements InferenceBackend {
    private static final Duration LISTING_MAX_AGE = Duration.ofSeconds(5);

    private final UpstreamHttp http;
    private List<ModelInfo> listing;
    private long listedAt;

    public OpenAiUpstream(URI base) {
        this(base, UpstreamHttp.DEFAULT_IDLE);
    }

    /**
     * @param base the server's root (requests go to {@code base/v1/...}); a base already ending in {@code /v1} is
     *             taken as it is
     * @param idle how long the server may stay silent before its answer or in the middle of it
     */
    public OpenAiUpstream(URI base, Duration idle) {
        String s = base.toString().replaceAll("/+$", "");
        this.http = new UpstreamHttp(URI.create(s.endsWith("/v1") ? s.substring(0, s.length() - 3) : s), idle);
    }

    @Override
    public List<ModelInfo> models() {
        return listing(false);
    }

    /** The server's models, read again when older than {@link #LISTING_MAX_AGE} (paid requests look theirs up twice). */
    private synchronized List<ModelInfo> listing(boolean fresh) {
        long now = System.nanoTime();
        if (fresh || listing == null || now - listedAt > LISTING_MAX_AGE.toNanos()) {
            JsonNode data = http.get("/v1/models").path("data");
            if (!data.isArray()) {
                throw new GatewayException(GatewayException.Kind.INTERNAL, http.name()
                        + "'s /v1/models answer has no data list");
            }
            List<ModelInfo> out = new ArrayList<>();
            for (JsonNode m : data) {
                if (m.path("id").isTextual() && !m.path("id").textValue().isBlank()) {
                    out.add(info(m));
                }
            }
            out.sort(Comparator.comparing(ModelInfo::name));
            listing = List.copyOf(out);
            listedAt = now;
        }
        return listing;
    }

    private static ModelInfo info(JsonNode m) {
        String id = m.path("id").textValue();
        long created = m.path("created").asLong(0);
        // vLLM says max_model_len; llama.cpp's server puts the trained context in meta.n_ctx_train.
        long context = m.path("max_model_len").asLong(m.path("meta").path("n_ctx_train").asLong(0));
        return new ModelInfo(id, Hex.encodeNoPrefix(Hashes.sha256(id.getBytes(StandardCharsets.UTF_8))), 0,
                Instant.ofEpochSecond(Math.max(0, Math.min(created, Instant.MAX.getEpochSecond()))), "", 0, "",
                Math.max(0, context));
    }

    /** The listed model of that name (the list re-read once when it is not there); NOT_FOUND otherwise. */
    private ModelInfo listed(String model) {
        for (boolean fresh : new boolean[] {false, true}) {
            for (ModelInfo m : listing(fresh)) {
                if (untagged(m.name()).equals(untagged(model))) {
                    return m;
                }
            }
        }
        throw GatewayException.modelNotFound(model);
    }

    private static String untagged(String name) {
        return name.endsWith(":latest") ? name.substring(0, name.length() - 7) : name;
    }

    @Override
    public ModelDetails show(String model, boolean verbose) {
        return new ModelDetails(listed(model), Map.of(), "", List.of("completion"));
    }

    @Override
    public List<RunningModel> running() {
        return List.of(); // the server manages its own memory
    }

    @Override
    public long load(String model, KeepAlive keepAlive) {
        listed(model);
        return 0;
    }

    @Override
    public Completion generate(GenerateCall call, TextSink sink) {
        boolean chat = OpenAiUpstreamBody.isChat(call);
        String model = listed(call.model()).name();
        sink.starting(budget(call));
        long start = System.nanoTime();
        HttpResponse<InputStream> r = http.postStreaming(chat ? "/v1/chat/completions" : "/v1/completions",
                OpenAiUpstreamBody.of(call, model));
        try (InputStream in = r.body()) {
            http.requireOk(r);
            return OpenAiStream.read(in, http.name(), chat, sink, start);
        } catch (IOException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, http.name() + " broke off: " + e.getMessage(), e);
        }
    }

    @Override
    public TokenBudget budget(GenerateCall call) {
        listed(call.model()); // NOT_FOUND before anything is priced
        return PromptBound.of(call);
    }

    /** {@code /v1/embeddings}: one vector per input (by each entry's index), charged the upstream's usage.prompt_tokens. */
    @Override
    public Embeddings embed(EmbedCall call) {
        long start = System.nanoTime();
        JsonNode answer = http.post("/v1/embeddings", OpenAiUpstreamBody.of(call, listed(call.model()).name()));
        JsonNode data = answer.path("data");
        int n = call.inputs().size();
        if (!data.isArray() || data.size() != n) {
            throw malformed("holds " + (data.isArray() ? data.size() : 0) + " embeddings for " + n + " inputs");
        }
        // Reordered by index into Ollama's shape, then checked by the same rules as a provider's answer.
        var ollama = dev.hypha.node.gateway.http.JsonBody.MAPPER.createObjectNode();
        var vectors = ollama.putArray("embeddings");
        JsonNode[] byIndex = new JsonNode[n];
        for (JsonNode e : data) {
            int i = e.path("index").asInt(-1);
            if (i < 0 || i >= n || byIndex[i] != null || !e.path("index").isIntegralNumber()) {
                throw malformed("has a missing, repeated or out-of-range index " + e.path("index"));
            }
            byIndex[i] = e.path("embedding");
        }
        for (JsonNode v : byIndex) {
            vectors.add(v);
        }
        JsonNode tokens = answer.path("usage").path("prompt_tokens");
        if (tokens.isMissingNode() || tokens.isNull()) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, http.name() + " sent no usage.prompt_tokens with "
                    + "its embeddings: a provider charges what its engine counted, so they cannot be sold");
        }
        ollama.set("prompt_eval_count", tokens);
        Embeddings e = EmbedAnswer.parse(ollama, n, http.name());
        return new Embeddings(e.vectors(), e.promptTokens(), 0, System.nanoTime() - start);
    }

    private GatewayException malformed(String what) {
        return new GatewayException(GatewayException.Kind.INTERNAL, http.name() + "'s /v1/embeddings answer " + what);
    }

    @Override
    public void close() {
        http.close();
    }
}
