package dev.hypha.node.gateway.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.RunningModel;
import dev.hypha.node.gateway.ToolCall;
import dev.hypha.node.gateway.http.Logprobs;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Ollama's response shapes (api/types.go), field for field. */
public final class OllamaJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** What /api/ps shows for a model that stays loaded: Ollama shows a time far in the future too. */
    private static final Instant FOREVER = Instant.parse("2318-01-01T00:00:00Z");

    private OllamaJson() {
    }

    public static ObjectNode error(String message) {
        return JSON.objectNode().put("error", message);
    }

    /** A streamed piece of /api/generate. */
    public static ObjectNode generateChunk(String model, Instant now, String piece) {
        return JSON.objectNode().put("model", model).put("created_at", now.toString()).put("response", piece).put("done", false);
    }

    /** A streamed piece of /api/generate's reasoning (Ollama sends it with an empty response). */
    public static ObjectNode generateThinkingChunk(String model, Instant now, String piece) {
        return JSON.objectNode().put("model", model).put("created_at", now.toString()).put("response", "")
                .put("thinking", piece).put("done", false);
    }

    /** A streamed piece of /api/chat. */
    public static ObjectNode chatChunk(String model, Instant now, String piece) {
        ObjectNode o = JSON.objectNode().put("model", model).put("created_at", now.toString());
        o.set("message", message(piece));
        return o.put("done", false);
    }

    /** A streamed piece of /api/chat's reasoning: {@code message.thinking}, with empty content. */
    public static ObjectNode chatThinkingChunk(String model, Instant now, String piece) {
        ObjectNode o = JSON.objectNode().put("model", model).put("created_at", now.toString());
        o.set("message", message("").put("thinking", piece));
        return o.put("done", false);
    }

    /**
     * The last object of /api/generate: the whole text (and reasoning, when there is some) when not streamed, empty
     * when it was.
     */
    public static ObjectNode generateDone(String model, Instant now, String text, String thinking, Completion c) {
        ObjectNode o = JSON.objectNode().put("model", model).put("created_at", now.toString()).put("response", text);
        if (!thinking.isEmpty()) {
            o.put("thinking", thinking);
        }
        if (!c.context().isEmpty()) {
            ArrayNode context = o.putArray("context");
            c.context().forEach(context::add);
        }
        return stats(o, c);
    }

    /**
     * The last object of /api/chat: the whole text and reasoning when not streamed, empty when it was; the tool calls the model
     * made in either case (a streamed answer's calls are parsed once it is complete, so they come with the end).
     */
    public static ObjectNode chatDone(String model, Instant now, String text, String thinking, Completion c) {
        ObjectNode o = JSON.objectNode().put("model", model).put("created_at", now.toString());
        ObjectNode m = message(text);
        if (!thinking.isEmpty()) {
            m.put("thinking", thinking);
        }
        addCalls(m, c.toolCalls());
        o.set("message", m);
        return stats(o, c);
    }

    /** Ollama's tool calls: {@code [{function: {index, name, arguments: {...}}}]}, the arguments an object. */
    private static void addCalls(ObjectNode message, List<ToolCall> calls) {
        if (calls.isEmpty()) {
            return;
        }
        ArrayNode list = message.putArray("tool_calls");
        for (int i = 0; i < calls.size(); i++) {
            ObjectNode f = list.addObject().putObject("function").put("index", i).put("name", calls.get(i).name());
            f.set("arguments", parse(calls.get(i).arguments()));
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return dev.hypha.node.gateway.http.JsonBody.MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tool call's arguments are not JSON: " + json, e);
        }
    }

    /** The answer to a request that only loads ("load") or unloads ("unload") a model. */
    static ObjectNode loaded(String model, Instant now, boolean chat, String reason) {
        ObjectNode o = JSON.objectNode().put("model", model).put("created_at", now.toString());
        if (chat) {
            o.set("message", message(""));
        } else {
            o.put("response", "");
        }
        return o.put("done", true).put("done_reason", reason);
    }

    private static ObjectNode message(String content) {
        return JSON.objectNode().put("role", "assistant").put("content", content);
    }

    private static ObjectNode stats(ObjectNode o, Completion c) {
        if (!c.logprobs().isEmpty()) {
            o.set("logprobs", Logprobs.entries(c.logprobs())); // streamed answers get all of them with the end
        }
        return o.put("done", true).put("done_reason", c.doneReason().wire())
                .put("total_duration", c.totalNanos()).put("load_duration", c.loadNanos())
                .put("prompt_eval_count", c.promptTokens()).put("prompt_eval_duration", c.promptEvalNanos())
                .put("eval_count", c.generatedTokens()).put("eval_duration", c.evalNanos());
    }

    static ObjectNode tags(List<ModelInfo> models) {
        ObjectNode o = JSON.objectNode();
        ArrayNode list = o.putArray("models");
        for (ModelInfo m : models) {
            ObjectNode e = list.addObject().put("name", m.name()).put("model", m.name())
                    .put("modified_at", m.modifiedAt().toString()).put("size", m.size()).put("digest", m.digest());
            e.set("details", details(m));
        }
        return o;
    }

    static ObjectNode ps(List<RunningModel> running) {
        ObjectNode o = JSON.objectNode();
        ArrayNode list = o.putArray("models");
        for (RunningModel r : running) {
            ModelInfo m = r.info();
            ObjectNode e = list.addObject().put("name", m.name()).put("model", m.name()).put("size", m.size())
                    .put("digest", m.digest());
            e.set("details", details(m));
            e.put("expires_at", r.expiresAt().orElse(FOREVER).toString()).put("size_vram", 0)
                    .put("context_length", r.contextLength());
        }
        return o;
    }

    static ObjectNode show(ModelDetails d) {
        ObjectNode o = JSON.objectNode().put("license", "").put("modelfile", "# Modelfile of " + d.info().name()
                + " (served by Hypha)\nFROM " + d.info().digest() + "\n").put("parameters", "").put("template", d.template());
        o.set("details", details(d.info()));
        ObjectNode info = o.putObject("model_info");
        for (Map.Entry<String, Object> e : d.metadata().entrySet()) {
            info.set(e.getKey(), JSON.pojoNode(e.getValue()));
        }
        info.put("general.parameter_count", d.info().parameterCount());
        ArrayNode caps = o.putArray("capabilities");
        d.capabilities().forEach(caps::add);
        return o.put("modified_at", d.info().modifiedAt().toString());
    }

    public static ObjectNode embed(String model, Embeddings e) {
        ObjectNode o = JSON.objectNode().put("model", model);
        ArrayNode list = o.putArray("embeddings");
        for (float[] v : e.vectors()) {
            ArrayNode a = list.addArray();
            for (float f : v) {
                a.add(f);
            }
        }
        return o.put("total_duration", e.totalNanos()).put("load_duration", e.loadNanos())
                .put("prompt_eval_count", e.promptTokens());
    }

    static ObjectNode legacyEmbedding(Embeddings e) {
        ObjectNode o = JSON.objectNode();
        ArrayNode a = o.putArray("embedding");
        for (float f : e.vectors().getFirst()) {
            a.add(f);
        }
        return o;
    }

    private static ObjectNode details(ModelInfo m) {
        ObjectNode d = JSON.objectNode().put("parent_model", "").put("format", "gguf").put("family", m.family());
        d.putArray("families").add(m.family());
        return d.put("parameter_size", parameterSize(m.parameterCount())).put("quantization_level", m.quantization());
    }

    /** Ollama's way of writing a parameter count: "8.0B", "494.0M". */
    static String parameterSize(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.1fK", n / 1e3);
        }
        return Long.toString(n);
    }
}
