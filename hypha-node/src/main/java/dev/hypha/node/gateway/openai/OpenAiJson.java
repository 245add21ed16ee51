package dev.hypha.node.gateway.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.ToolCall;
import dev.hypha.node.gateway.TokenLogprob;
import dev.hypha.node.gateway.http.Logprobs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/** OpenAI's objects as Ollama's compatibility layer writes them (system_fingerprint "fp_ollama" included). */
final class OpenAiJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String FINGERPRINT = "fp_ollama";

    private OpenAiJson() {
    }

    /** OpenAI's error object; {@code type} as Ollama's layer names them. */
    static ObjectNode error(GatewayException.Kind kind, String message) {
        String type = switch (kind) {
            case BAD_REQUEST -> "invalid_request_error";
            case NOT_FOUND -> "not_found_error";
            case OVERLOADED, INTERNAL -> "api_error";
        };
        ObjectNode o = JSON.objectNode();
        o.putObject("error").put("message", message).put("type", type).putNull("param").putNull("code");
        return o;
    }

    static ObjectNode chatCompletion(String id, long created, String model, Completion c) {
        ObjectNode o = head(id, "chat.completion", created, model);
        ObjectNode choice = o.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (c.toolCalls().isEmpty() || !c.text().isEmpty()) {
            message.put("content", c.text());
        } else {
            message.putNull("content"); // OpenAI's way when the answer is only calls
        }
        if (!c.thinking().isEmpty()) {
            message.put("reasoning", c.thinking()); // Ollama's field for the model's reasoning
        }
        if (!c.toolCalls().isEmpty()) {
            message.set("tool_calls", toolCalls(c.toolCalls(), false));
        }
        choice.put("finish_reason", finishReason(c));
        choice.set("logprobs", chatLogprobs(c));
        o.set("usage", usage(c));
        return o;
    }

    /** A chat choice's {@code logprobs}: {@code {content: [...], refusal: null}}, or null when not asked for. */
    static com.fasterxml.jackson.databind.JsonNode chatLogprobs(Completion c) {
        if (c.logprobs().isEmpty()) {
            return JSON.nullNode();
        }
        ObjectNode l = JSON.objectNode();
        l.set("content", Logprobs.entries(c.logprobs()));
        l.putNull("refusal");
        return l;
    }

    /** A legacy completion's {@code logprobs}: parallel lists of tokens, their logprobs, alternatives and offsets. */
    static com.fasterxml.jackson.databind.JsonNode textLogprobs(Completion c) {
        if (c == null || c.logprobs().isEmpty()) {
            return JSON.nullNode();
        }
        ObjectNode l = JSON.objectNode();
        ArrayNode tokens = l.putArray("tokens");
        ArrayNode lps = l.putArray("token_logprobs");
        ArrayNode top = l.putArray("top_logprobs");
        ArrayNode offsets = l.putArray("text_offset");
        int offset = 0;
        for (TokenLogprob t : c.logprobs()) {
            tokens.add(t.token());
            lps.add(t.logprob());
            ObjectNode alternatives = top.addObject();
            t.top().forEach(a -> alternatives.put(a.token(), a.logprob()));
            offsets.add(offset);
            offset += t.token().length();
        }
        return l;
    }

    /** "tool_calls" when the model called tools, else the done reason. */
    static String finishReason(Completion c) {
        return c.toolCalls().isEmpty() ? c.doneReason().wire() : "tool_calls";
    }

    /** OpenAI's calls: {@code [{(index,) id, type: "function", function: {name, arguments: "<JSON text>"}}]}. */
    static ArrayNode toolCalls(List<ToolCall> calls, boolean indexed) {
        ArrayNode list = JSON.arrayNode();
        for (int i = 0; i < calls.size(); i++) {
            ObjectNode c = list.addObject();
            if (indexed) {
                c.put("index", i);
            }
            c.put("id", calls.get(i).id()).put("type", "function");
            c.putObject("function").put("name", calls.get(i).name()).put("arguments", calls.get(i).arguments());
        }
        return list;
    }

    /** The streamed chunk carrying the calls (each whole, with its index), sent before the finishing chunk. */
    static ObjectNode toolCallChunk(String id, long created, String model, List<ToolCall> calls, boolean first) {
        ObjectNode o = chatChunk(id, created, model, null, first, null);
        ((ObjectNode) o.get("choices").get(0).get("delta")).set("tool_calls", toolCalls(calls, true));
        return o;
    }

    /** A streamed piece; the first carries the role, the last (piece null) the finish reason. */
    static ObjectNode chatChunk(String id, long created, String model, String piece, boolean first, String finish) {
        ObjectNode o = head(id, "chat.completion.chunk", created, model);
        ObjectNode choice = o.putArray("choices").addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", "assistant");
        }
        if (piece != null) {
            delta.put("content", piece);
        }
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return o;
    }

    /** A streamed piece of the model's reasoning: {@code delta.reasoning}, as Ollama streams it. */
    static ObjectNode reasoningChunk(String id, long created, String model, String piece, boolean first) {
        ObjectNode o = chatChunk(id, created, model, null, first, null);
        ((ObjectNode) o.get("choices").get(0).get("delta")).put("reasoning", piece);
        return o;
    }

    /** The extra last chunk {@code stream_options.include_usage} asks for: no choices, only usage. */
    static ObjectNode usageChunk(String id, long created, String model, String object, Completion c) {
        ObjectNode o = head(id, object, created, model);
        o.putArray("choices");
        o.set("usage", usage(c));
        return o;
    }

    static ObjectNode textCompletion(String id, long created, String model, String text, String finish, Completion usage) {
        ObjectNode o = head(id, "text_completion", created, model);
        ObjectNode choice = o.putArray("choices").addObject().put("text", text).put("index", 0);
        choice.set("logprobs", textLogprobs(usage));
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        if (usage != null) {
            o.set("usage", usage(usage));
        }
        return o;
    }

    static ObjectNode models(List<ModelInfo> models) {
        ObjectNode o = JSON.objectNode().put("object", "list");
        ArrayNode data = o.putArray("data");
        models.forEach(m -> data.add(model(m)));
        return o;
    }

    static ObjectNode model(ModelInfo m) {
        int slash = m.name().indexOf('/');
        return JSON.objectNode().put("id", m.name()).put("object", "model").put("created", m.modifiedAt().getEpochSecond())
                .put("owned_by", slash > 0 ? m.name().substring(0, slash) : "library");
    }

    static ObjectNode embeddings(String model, Embeddings e, boolean base64) {
        ObjectNode o = JSON.objectNode().put("object", "list");
        ArrayNode data = o.putArray("data");
        for (int i = 0; i < e.vectors().size(); i++) {
            ObjectNode item = data.addObject().put("object", "embedding");
            float[] v = e.vectors().get(i);
            if (base64) {
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    b.putFloat(f);
                }
                item.put("embedding", Base64.getEncoder().encodeToString(b.array()));
            } else {
                ArrayNode a = item.putArray("embedding");
                for (float f : v) {
                    a.add(f);
                }
            }
            item.put("index", i);
        }
        o.put("model", model);
        o.putObject("usage").put("prompt_tokens", e.promptTokens()).put("total_tokens", e.promptTokens());
        return o;
    }

    private static ObjectNode head(String id, String object, long created, String model) {
        return JSON.objectNode().put("id", id).put("object", object).put("created", created).put("model", model)
                .put("system_fingerprint", FINGERPRINT);
    }

    private static ObjectNode usage(Completion c) {
        return JSON.objectNode().put("prompt_tokens", c.promptTokens()).put("completion_tokens", c.generatedTokens())
                .put("total_tokens", c.promptTokens() + c.generatedTokens());
    }
}
