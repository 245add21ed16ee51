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
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.RunningModel;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.gateway.http.JsonBody;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An engine the operator already runs, reached over Ollama's API (an Ollama server, or anything that speaks it), as a
 * backend a provider can sell: {@code hypha provider start --upstream URL}. Generation streams through; what the
 * upstream reports (its token counts) is what the answer is charged.
 *
 * <p>Pricing before the run needs the prompt's tokens, which Ollama's API cannot tell without running: {@link #budget}
 * bounds them instead by the UTF-8 bytes of every text in the prompt (no tokenizer makes more tokens than bytes) plus
 * {@value #TEMPLATE_TOKENS_PER_MESSAGE} tokens per message for the chat template, and the output by the request's
 * {@code num_predict} (or {@value #DEFAULT_MAX_NEW_TOKENS} when it has none). The payer's exposure stays one such
 * maximum; the charge is what the upstream counted, capped by it.
 */
public final class OllamaUpstream implements InferenceBackend {
    /** Tokens a chat template may add around one message (role markers, separators), bounded generously. */
    static final int TEMPLATE_TOKENS_PER_MESSAGE = 16;
    /** The most a request without num_predict may generate through an upstream (the upstream's own cap is unknown). */
    static final int DEFAULT_MAX_NEW_TOKENS = 2048;
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final URI base;
    private static final Duration LISTING_MAX_AGE = Duration.ofSeconds(5);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private List<ModelInfo> listing;
    private long listedAt;

    public OllamaUpstream(URI base) {
        String s = Objects.requireNonNull(base, "base").toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        if (!"http".equals(this.base.getScheme()) && !"https".equals(this.base.getScheme())) {
            throw new IllegalArgumentException("the upstream must be an http(s) URL, was " + base);
        }
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
            JsonNode models = get("/api/tags").path("models");
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
        JsonNode d = post("/api/show", JsonBody.MAPPER.createObjectNode().put("model", model));
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + (chat ? "/api/chat" : "/api/generate")))
                .timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(OllamaRequestBody.of(call))).build();
        HttpResponse<InputStream> r = send(request);
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw upstreamError(r.statusCode(), in.readNBytes(4096));
            }
            AnswerLines lines = new AnswerLines(in);
            StringBuilder text = new StringBuilder();
            List<dev.hypha.node.gateway.TokenLogprob> logprobs = new ArrayList<>();
            for (byte[] line = lines.next(); line != null; line = lines.next()) {
                ObjectNode o = ProviderAnswer.object(line);
                if (o.has("error")) {
                    throw new GatewayException(GatewayException.Kind.INTERNAL, "the upstream engine failed: "
                            + o.path("error").asText(""));
                }
                String piece = ProviderAnswer.piece(o, chat);
                if (o.path("done").asBoolean(false)) {
                    return ProviderAnswer.done(o, text + piece, logprobs);
                }
                logprobs.addAll(ProviderAnswer.logprobs(o)); // Ollama sends each token's with its piece
                text.append(piece);
                sink.accept(piece); // a client gone throws here and closing the stream stops the upstream
            }
            throw new GatewayException(GatewayException.Kind.INTERNAL, "the upstream engine ended its answer early");
        } catch (IOException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "the upstream engine at " + base
                    + " broke off: " + e.getMessage(), e);
        }
    }

    @Override
    public TokenBudget budget(GenerateCall call) {
        listed(call.model()); // NOT_FOUND before anything is priced
        long bytes = 0;
        int messages = 1;
        switch (call.prompt()) {
            case Prompt.Chat c -> {
                messages = c.messages().size();
                for (Prompt.Message m : c.messages()) {
                    bytes += m.content().getBytes(StandardCharsets.UTF_8).length;
                }
            }
            case Prompt.Text t -> {
                bytes = t.text().getBytes(StandardCharsets.UTF_8).length
                        + (t.system() == null ? 0 : t.system().getBytes(StandardCharsets.UTF_8).length);
                messages = t.system() == null ? 1 : 2;
            }
        }
        long prompt = bytes + (long) TEMPLATE_TOKENS_PER_MESSAGE * messages + TEMPLATE_TOKENS_PER_MESSAGE;
        int maxNew = call.maxTokens() == GenerateCall.UNLIMITED ? DEFAULT_MAX_NEW_TOKENS : call.maxTokens();
        return new TokenBudget((int) Math.min(Integer.MAX_VALUE, prompt), maxNew);
    }

    @Override
    public Embeddings embed(EmbedCall call) {
        throw GatewayException.badRequest("embeddings through an upstream engine are not sold yet");
    }

    private JsonNode get(String path) {
        return json(send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET().build()));
    }

    private JsonNode post(String path, ObjectNode body) {
        return json(send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JsonBody.write(body))).build()));
    }

    private JsonNode json(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            byte[] bytes = in.readNBytes(JsonBody.MAX_BYTES + 1);
            if (r.statusCode() != 200) {
                throw upstreamError(r.statusCode(), bytes);
            }
            if (bytes.length > JsonBody.MAX_BYTES) {
                throw new GatewayException(GatewayException.Kind.INTERNAL, "the upstream engine answered more than "
                        + JsonBody.MAX_BYTES + " bytes");
            }
            return JsonBody.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "the upstream engine at " + base
                    + " sent an unreadable answer: " + e.getMessage(), e);
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "the upstream engine at " + base
                    + " is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(GatewayException.Kind.INTERNAL, "interrupted while asking the upstream engine", e);
        }
    }

    /** The upstream's own error, with its status: 404 stays NOT_FOUND, 400 BAD_REQUEST, the rest INTERNAL. */
    private GatewayException upstreamError(int status, byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        GatewayException.Kind kind = switch (status) {
            case 400 -> GatewayException.Kind.BAD_REQUEST;
            case 404 -> GatewayException.Kind.NOT_FOUND;
            case 503 -> GatewayException.Kind.OVERLOADED;
            default -> GatewayException.Kind.INTERNAL;
        };
        return new GatewayException(kind, "the upstream engine at " + base + " answered " + status + ": " + text);
    }

    @Override
    public void close() {
        http.close();
    }
}
