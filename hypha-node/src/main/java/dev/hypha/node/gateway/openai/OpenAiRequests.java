package dev.hypha.node.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.http.Fields;
import dev.hypha.node.gateway.http.Logprobs;
import dev.hypha.node.gateway.http.StructuredOutput;
import dev.hypha.node.gateway.http.ToolFields;
import dev.hypha.node.gateway.Tool;
import dev.hypha.node.gateway.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * Parses OpenAI request bodies. Defaults follow Ollama's compatibility layer (openai/openai.go): temperature and
 * top_p 1.0 when absent (not the native 0.8 / 0.9), no top-k or min-p, {@code max_tokens} (or
 * {@code max_completion_tokens}) as the token limit, {@code frequency_penalty} / {@code presence_penalty} passed on.
 */
public final class OpenAiRequests {
    static final int MAX_MESSAGES = 100_000;

    private final LongSupplier randomSeeds;

    public OpenAiRequests(LongSupplier randomSeeds) {
        this.randomSeeds = randomSeeds;
    }

    /** Where seeds come from when a request names none. */
    LongSupplier randomSeeds() {
        return randomSeeds;
    }

    /** A parsed chat or completion request: the call, whether to stream, and whether the last chunk carries usage. */
    public record Parsed(GenerateCall call, boolean stream, boolean includeUsage) {}

    public Parsed chat(ObjectNode body) {
        String model = Fields.requiredString(body, "model");
        refuse(body);
        JsonNode node = body.get("messages");
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw GatewayException.badRequest("messages is required: a non-empty list of {role, content}");
        }
        if (node.size() > MAX_MESSAGES) {
            throw GatewayException.badRequest("messages has " + node.size() + " entries; at most " + MAX_MESSAGES);
        }
        List<Prompt.Message> messages = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String at = "messages[" + i + "]";
            if (!(node.get(i) instanceof ObjectNode m)) {
                throw Fields.wrongType(at, "an object with role and content", node.get(i));
            }
            String role = Fields.string(m, "role").orElseThrow(() -> GatewayException.badRequest(at + ".role is required"));
            if (role.equals("developer")) {
                role = "system"; // OpenAI's newer name for the system role
            }
            if (!Prompt.ROLES.contains(role)) {
                throw GatewayException.badRequest(at + ".role must be one of system, developer, user, assistant, tool; got \""
                        + role + "\"");
            }
            List<ToolCall> calls = ToolFields.calls(m, at);
            String callId = Fields.string(m, "tool_call_id").orElse("");
            messages.add(new Prompt.Message(role, content(m.get("content"), at + ".content"), calls,
                    role.equals("tool") ? toolName(messages, callId) : "", callId));
        }
        return parsed(body, model, new Prompt.Chat(messages), Logprobs.requested(body));
    }

    /** The name of the function whose call had {@code id}, from the assistant turns before; "" when none did. */
    private static String toolName(List<Prompt.Message> before, String id) {
        for (int i = before.size() - 1; i >= 0; i--) {
            for (ToolCall c : before.get(i).toolCalls()) {
                if (c.id().equals(id)) {
                    return c.name();
                }
            }
        }
        return "";
    }

    public Parsed completion(ObjectNode body) {
        String model = Fields.requiredString(body, "model");
        refuse(body);
        if (body.has("tools") && !body.get("tools").isNull() && !body.get("tools").isEmpty()) {
            throw GatewayException.badRequest("tools belong to /v1/chat/completions; completions take none");
        }
        if (body.has("suffix") && !body.get("suffix").isNull()) {
            throw GatewayException.badRequest("suffix is not supported by this gateway yet; leave it out");
        }
        List<String> prompts = Fields.stringOrStrings(body, "prompt")
                .orElseThrow(() -> GatewayException.badRequest("prompt is required (a string)"));
        if (prompts.size() != 1) {
            throw GatewayException.badRequest("prompt must be one string; lists of prompts are not supported");
        }
        if (prompts.getFirst().isEmpty()) {
            throw GatewayException.badRequest("prompt must not be empty");
        }
        // A completion continues the text as given: no chat template (OpenAI's legacy completions are plain text).
        // The legacy API's logprobs is the number of alternatives (0 to 5), not a boolean.
        OptionalInt logprobs = Fields.intIn(body, "logprobs", 0, 5).map(OptionalInt::of).orElse(OptionalInt.empty());
        return parsed(body, model, new Prompt.Text(prompts.getFirst(), null, true), logprobs);
    }

    public EmbedCall embeddings(ObjectNode body) {
        String model = Fields.requiredString(body, "model");
        if (body.has("dimensions") && !body.get("dimensions").isNull()) {
            throw GatewayException.badRequest("dimensions is not supported by this gateway yet; leave it out");
        }
        JsonNode input = body.get("input");
        if (input != null && input.isArray() && !input.isEmpty() && input.get(0).isNumber()) {
            throw GatewayException.badRequest("input as token ids is not supported; send text");
        }
        List<String> inputs = Fields.stringOrStrings(body, "input")
                .orElseThrow(() -> GatewayException.badRequest("input is required (a string or a list of strings)"));
        if (inputs.isEmpty()) {
            throw GatewayException.badRequest("input must not be an empty list");
        }
        return new EmbedCall(model, inputs, true, KeepAlive.DEFAULT);
    }

    /** "float" (default) or "base64" (little-endian float32, as the official SDKs ask for by default). */
    public static boolean base64(ObjectNode body) {
        String f = Fields.string(body, "encoding_format").orElse("float");
        return switch (f) {
            case "float" -> false;
            case "base64" -> true;
            default -> throw GatewayException.badRequest("encoding_format must be \"float\" or \"base64\"; got \"" + f + "\"");
        };
    }

    private Parsed parsed(ObjectNode body, String model, Prompt prompt, OptionalInt logprobs) {
        SamplingOptions s;
        try {
            s = new SamplingOptions((float) Fields.number(body, "temperature").orElse(1.0), 0,
                    (float) Fields.number(body, "top_p").orElse(1.0), 0f, 1.0f,
                    (float) Fields.number(body, "presence_penalty").orElse(0.0),
                    (float) Fields.number(body, "frequency_penalty").orElse(0.0), 64,
                    Fields.integer(body, "seed").orElseGet(randomSeeds));
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest(e.getMessage());
        }
        int maxTokens = Fields.intIn(body, "max_completion_tokens", 1, Integer.MAX_VALUE)
                .or(() -> Fields.intIn(body, "max_tokens", 1, Integer.MAX_VALUE)).orElse(GenerateCall.UNLIMITED);
        List<String> stop = Fields.stringOrStrings(body, "stop").orElse(List.of()).stream().filter(x -> !x.isEmpty()).toList();
        boolean stream = Fields.bool(body, "stream").orElse(false);
        boolean usage = Fields.object(body, "stream_options").flatMap(o -> Fields.bool(o, "include_usage")).orElse(false);
        Optional<String> schema = schema(body);
        GenerateCall.Format format = schema.isPresent() ? GenerateCall.Format.JSON : format(body);
        List<Tool> tools = ToolFields.tools(body);
        Optional<String> required = Optional.empty();
        switch (ToolChoice.of(body, tools)) {
            case ToolChoice.None none -> tools = List.of(); // the model must answer in text: it is shown no tools
            case ToolChoice.Auto auto -> { }
            case ToolChoice.Named named -> required = Optional.of(named.name());
        }
        return new Parsed(new GenerateCall(model, prompt, s, maxTokens, stop, OptionalInt.empty(), KeepAlive.DEFAULT,
                format, schema, tools, logprobs, required, think(body)), stream, usage);
    }

    /**
     * Whether to think, from {@code reasoning_effort} (or {@code reasoning.effort}), as Ollama's OpenAI layer reads
     * it: "none" is false, any effort level true (this engine has no levels), absent leaves it to the model; else from
     * {@code chat_template_kwargs.enable_thinking}, as llama.cpp's server and vLLM take it.
     */
    static Optional<Boolean> think(ObjectNode body) {
        Optional<String> effort = Fields.object(body, "reasoning").flatMap(r -> Fields.string(r, "effort"))
                .or(() -> Fields.string(body, "reasoning_effort"));
        if (effort.isEmpty() || effort.get().isEmpty()) {
            return Fields.object(body, "chat_template_kwargs").flatMap(k -> Fields.bool(k, "enable_thinking"));
        }
        return switch (effort.get()) {
            case "none" -> Optional.of(false);
            case "minimal", "low", "medium", "high", "xhigh", "max", "ultra" -> Optional.of(true);
            default -> throw GatewayException.badRequest("reasoning_effort must be \"none\", \"minimal\", \"low\", "
                    + "\"medium\", \"high\", \"xhigh\", \"max\" or \"ultra\"; got \"" + effort.get() + "\"");
        };
    }

    /** {@code response_format}: text, {@code json_object} (one JSON object), or {@code json_schema} (see {@link #schema}). */
    private static GenerateCall.Format format(ObjectNode body) {
        Optional<ObjectNode> f = Fields.object(body, "response_format");
        String type = f.flatMap(o -> Fields.string(o, "type")).orElse("text");
        return switch (type) {
            case "text" -> GenerateCall.Format.TEXT;
            case "json_object", "json_schema" -> GenerateCall.Format.JSON;
            default -> throw GatewayException.badRequest("response_format.type must be text, json_object or json_schema; "
                    + "got \"" + type + "\"");
        };
    }

    /**
     * The schema of {@code response_format: {type: "json_schema", json_schema: {name, schema, strict}}}. The answer
     * follows it whether or not {@code strict} is set (a constraint costs nothing extra here).
     */
    private static Optional<String> schema(ObjectNode body) {
        Optional<ObjectNode> f = Fields.object(body, "response_format");
        if (f.isEmpty() || !Fields.string(f.get(), "type").orElse("").equals("json_schema")) {
            return Optional.empty();
        }
        ObjectNode js = Fields.object(f.get(), "json_schema").orElseThrow(() -> GatewayException.badRequest(
                "response_format.json_schema is required when type is json_schema: {name, schema}"));
        Fields.requiredString(js, "name");
        ObjectNode schema = Fields.object(js, "schema").orElseThrow(() -> GatewayException.badRequest(
                "response_format.json_schema.schema is required (a JSON Schema object)"));
        return StructuredOutput.schema(schema, "response_format.json_schema.schema");
    }

    /** Content is a string or a list of parts; only text parts can be read by these models. */
    private static String content(JsonNode n, String at) {
        if (n == null || n.isNull()) {
            return "";
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (!n.isArray()) {
            throw Fields.wrongType(at, "a string or a list of content parts", n);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n.size(); i++) {
            if (!(n.get(i) instanceof ObjectNode part)) {
                throw Fields.wrongType(at + "[" + i + "]", "a content part object", n.get(i));
            }
            String type = Fields.string(part, "type").orElse("");
            if (!type.equals("text")) {
                throw GatewayException.badRequest(at + "[" + i + "] is of type \"" + type
                        + "\"; this model reads text parts only");
            }
            text.append(Fields.requiredString(part, "text"));
        }
        return text.toString();
    }

    private static void refuse(ObjectNode body) {
        int n = Fields.intIn(body, "n", 1, Integer.MAX_VALUE).orElse(1);
        if (n != 1) {
            throw GatewayException.badRequest("n must be 1; several choices per request are not supported");
        }
    }
}
