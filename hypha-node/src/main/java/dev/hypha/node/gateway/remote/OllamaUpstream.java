package dev.hypha.node.gateway.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.hypha.node.gateway.http.JsonBody;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An engine the operator already runs, reached over Ollama's API (an Ollama server, or anything that speaks it), as a
 * backend a provider can sell: {@code hypha provider start --upstream URL}. Generation streams through; what the
 * upstream reports (its token counts) is what the answer is charged.
 *
 * <p>Pricing before the run needs the prompt's tokens, which Ollama's API cannot tell without running: {@link #budget}
 * bounds them instead ({@link PromptBound}); the charge is what the upstream counted, capped by that bound.
 */
public final class OllamaUpstream implements InferenceBackend {
    private static final Duration LISTING_MAX_AGE = Duration.ofSeconds(5);
    private final UpstreamHttp http;
    private List<ModelInfo> listing;
    private long listedAt;

    public OllamaUpstream(URI base) {
        this(base, UpstreamHttp.DEFAULT_IDLE);
    }

    /** @param idle how long the engine may stay silent before its answer or in the middle of it */
    public OllamaUpstream(URI base, Duration idle) {
        this.http = new UpstreamHttp(base, idle);
    }

    @Override
    public List<ModelInfo> models() {
        return listing(false);
    }

    /**
     * The upstream's models ({@code /api/tags}), read again only when older than {@link #LISTING_MAX_AGE} or when asked
     * to: every paid request looks its model up twice (pricing, then the receipt's model id), which would otherwise be
     * two more round trips to the upstream per request.
     */
    private synchronized List<ModelInfo> listing(boolean fresh) {
        long now = System.nanoTime();
        if (fresh || listing == null || now - listedAt > LISTING_MAX_AGE.toNanos()) {
            JsonNode models = http.get("/api/tags").path("models");
            List<ModelInfo> out = new ArrayList<>();
            for (JsonNode m : models) {
                if (m.path("name").isTextual()) {
                    out.add(info(m.path("name").textValue(), m));
                }
            }
            out.sort(java.util.Comparator.comparing(ModelInfo::name));
            listing = List.copyOf(out);
            listedAt = now;
        }
        return listing;
    }

    /** The listed model of that name (re-reading the list once when it is not there); NOT_FOUND otherwise. */
    private ModelInfo listed(String model) {
        for (boolean fresh : new boolean[] {false, true}) {
            for (ModelInfo m : listing(fresh)) {
                if (sameModel(m.name(), model)) {
                    return m;
                }
            }
        }
        throw GatewayException.modelNotFound(model);
    }

    @Override
    public ModelDetails show(String model, boolean verbose) {
        ModelInfo info = listed(model);
        JsonNode d = http.post("/api/show", JsonBody.write(JsonBody.MAPPER.createObjectNode().put("model", model)));
        List<String> capabilities = new ArrayList<>();
        d.path("capabilities").forEach(c -> capabilities.add(c.asText()));
        return new ModelDetails(info, Map.of(), d.path("template").asText(""),
                capabilities.isEmpty() ? List.of("completion") : capabilities);
    }

    private static boolean sameModel(String a, String b) {
        return (a.contains(":") ? a : a + ":latest").equals(b.contains(":") ? b : b + ":latest");
    }

    private static ModelInfo info(String name, JsonNode m) {
        Instant modified;
        try {
            modified = Instant.parse(m.path("modified_at").asText(Instant.EPOCH.toString()));
        } catch (DateTimeParseException e) {
            modified = Instant.EPOCH;
        }
        JsonNode details = m.path("details");
        String digest = m.path("digest").asText("");
        if (digest.startsWith("sha256:")) {
            digest = digest.substring(7);
        }
        return new ModelInfo(name, digest, Math.max(0, m.path("size").asLong(0)), modified,
                details.path("family").asText(""), 0, details.path("quantization_level").asText(""), 0);
    }

    @Override
    public List<RunningModel> running() {
        return List.of(); // the upstream manages its own memory
    }

    @Override
    public long load(String model, KeepAlive keepAlive) {
        listed(model);
        return 0;
    }

    @Override
    public Completion generate(GenerateCall call, TextSink sink) {
        if (call.requiredTool().isPresent()) {
            throw GatewayException.badRequest("a required tool (tool_choice naming a function) cannot be sold from an "
                    + "Ollama upstream: Ollama's API has no tool_choice, so the model might answer without the call");
        }
        boolean chat = OllamaRequestBody.isChat(call);
        sink.starting(budget(call));
        HttpResponse<InputStream> r = http.postStreaming(chat ? "/api/chat" : "/api/generate", OllamaRequestBody.of(call));
        try (InputStream in = r.body()) {
            http.requireOk(r);
            AnswerLines lines = new AnswerLines(in);
            StringBuilder text = new StringBuilder();
            StringBuilder thinking = new StringBuilder();
            List<dev.hypha.node.gateway.TokenLogprob> logprobs = new ArrayList<>();
            for (byte[] line = lines.next(); line != null; line = lines.next()) {
                ObjectNode o = ProviderAnswer.object(line);
                if (o.has("error")) {
                    throw new GatewayException(GatewayException.Kind.INTERNAL, "the upstream engine failed: "
                            + o.path("error").asText(""));
                }
                String piece = ProviderAnswer.piece(o, chat);
                String reasoning = ProviderAnswer.thinking(o, chat);
                if (o.path("done").asBoolean(false)) {
                    return ProviderAnswer.done(o, text + piece, thinking + reasoning, logprobs);
                }
                logprobs.addAll(ProviderAnswer.logprobs(o)); // Ollama sends each token's with its piece
                if (!reasoning.isEmpty()) {
                    thinking.append(reasoning);
                    sink.thinking(reasoning); // Ollama streams a thinking model's reasoning in its own field
                }
                text.append(piece);
                sink.accept(piece); // a client gone throws here and closing the stream stops the upstream
            }
            throw new GatewayException(GatewayException.Kind.INTERNAL, "the upstream engine ended its answer early");
        } catch (IOException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, http.name() + " broke off: " + e.getMessage(), e);
        }
    }

    /** Bounded without a tokenizer ({@link PromptBound}): Ollama's API cannot count a prompt without running it. */
    @Override
    public TokenBudget budget(GenerateCall call) {
        listed(call.model()); // NOT_FOUND before anything is priced
        return PromptBound.of(call);
    }

    @Override
    public Embeddings embed(EmbedCall call) {
        String model = listed(call.model()).name();
        EmbedCall asListed = new EmbedCall(model, call.inputs(), call.truncate(), call.keepAlive());
        return EmbedAnswer.parse(http.post("/api/embed", OllamaRequestBody.of(asListed)), call.inputs().size(), http.name());
    }

    @Override
    public void close() {
        http.close();
    }
}
