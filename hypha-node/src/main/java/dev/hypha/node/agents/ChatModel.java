package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's model: chat completions from a Hypha gateway ({@code POST /v1/chat/completions}, the OpenAI API the node
 * serves), i.e. the network's paid inference when the node buys from providers. Each turn asks for an answer held to
 * a JSON Schema ({@code response_format: json_schema}, enforced by the engine's constrained decoding), sampled
 * greedily with a fixed seed so a run can be replayed.
 */
public final class ChatModel {
    /** Largest answer body read. */
    static final int MAX_BODY_BYTES = 1 << 20;
    /** Most tokens one turn may write. */
    static final int MAX_TOKENS = 160;

    /** One chat message. */
    public record Message(String role, String content) {}

    /** The answer text and the model that wrote it. */
    public record Reply(String text, String model, String finishReason) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String baseUrl;
    private final Optional<String> apiKey;
    private final HttpClient http;

    /**
     * @param baseUrl the node's API, e.g. {@code http://127.0.0.1:11434}
     * @param apiKey  a key for a node that asks for one (beyond loopback)
     */
    public ChatModel(String baseUrl, Optional<String> apiKey, HttpClient http) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl").replaceAll("/+$", "");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.http = Objects.requireNonNull(http, "http");
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The first model the gateway lists (the default when a spec names none). */
    public String defaultModel() {
        JsonNode models = send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/models")).GET(), "/v1/models");
        for (JsonNode m : models.path("data")) {
            if (m.path("id").isTextual()) {
                return m.get("id").textValue();
            }
        }
        throw HyphaException.input("the gateway at " + baseUrl + " serves no model");
    }

    /** One turn: {@code messages} answered by {@code model} with JSON following {@code schema}. */
    public Reply complete(String model, List<Message> messages, ObjectNode schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model).put("temperature", 0).put("seed", 0).put("max_tokens", MAX_TOKENS);
        ArrayNode ms = body.putArray("messages");
        messages.forEach(m -> ms.addObject().put("role", m.role()).put("content", m.content()));
        body.putObject("response_format").put("type", "json_schema").putObject("json_schema")
                .put("name", "agent_step").put("strict", true).set("schema", schema);
        JsonNode answer = send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toString().getBytes(StandardCharsets.UTF_8))),
                "/v1/chat/completions");
        JsonNode choice = answer.path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        if (!content.isTextual()) {
            throw HyphaException.input("the gateway's answer has no message content: " + AgentLog.quote(answer.toString()));
        }
        return new Reply(content.textValue(), answer.path("model").asText(model), choice.path("finish_reason").asText(""));
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k));
        try {
            HttpResponse<InputStream> r = http.send(request.timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            try (InputStream in = r.body()) {
                bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (bytes.length > MAX_BODY_BYTES) {
                throw HyphaException.input("the gateway's answer to " + path + " is larger than " + MAX_BODY_BYTES + " bytes");
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (r.statusCode() != 200) {
                throw new HyphaException(ErrorCategory.NETWORK, "the gateway at " + baseUrl + " answered " + path + " with "
                        + r.statusCode() + ": " + AgentLog.quote(text));
            }
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot reach the gateway at " + baseUrl + path + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted asking the gateway at " + baseUrl, e);
        }
    }
}
