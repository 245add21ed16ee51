package dev.hypha.node.gateway.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.http.Fields;
import dev.hypha.node.gateway.http.KeepAliveParser;
import dev.hypha.node.gateway.http.Logprobs;
import dev.hypha.node.gateway.http.StructuredOutput;
import dev.hypha.node.gateway.http.ToolFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * Parses Ollama request bodies into backend calls with Ollama's own defaults (api/types.go {@code DefaultOptions}:
 * temperature 0.8, top_k 40, top_p 0.9, min_p 0, repeat_penalty 1.0 over the last 64 tokens, a random seed, no
 * token limit). Fields Ollama has but this engine cannot honour yet (images, a custom template, tools on
 * /api/generate) are refused by name rather than silently ignored; unknown fields are ignored, as Ollama does.
 */
public final class OllamaRequests {
    /** Most messages in one chat: far beyond any context, small enough to bound the work of validating them. */
    static final int MAX_MESSAGES = 100_000;

    private final LongSupplier randomSeeds;

    /** @param randomSeeds where seeds come from when a request asks for a random one (seed absent or -1) */
    public OllamaRequests(LongSupplier randomSeeds) {
        this.randomSeeds = randomSeeds;
    }

    /**
     * A parsed /api/generate or /api/chat request.
     *
     * @param model     the model's name
     * @param stream    whether to stream NDJSON (the default) or answer with one object
     * @param keepAlive how long the model stays loaded
     * @param call      the generation; empty when the request only loads (or, with keep_alive 0, unloads) the model
     */
    public record Parsed(String model, boolean stream, KeepAlive keepAlive, Optional<GenerateCall> call) {}

    public Parsed generate(ObjectNode body) {
        String model = model(body);
        refuseUnsupported(body, "images", "template", "tools");
        Structure format = structure(body);
        boolean stream = Fields.bool(body, "stream").orElse(true);
        KeepAlive keepAlive = KeepAliveParser.parse(body);
        String prompt = Fields.string(body, "prompt").orElse("");
        String system = Fields.string(body, "system").orElse(null);
        boolean raw = Fields.bool(body, "raw").orElse(false);
        Options o = options(body);
        String suffix = Fields.string(body, "suffix").orElse("");
        if (prompt.isEmpty() && suffix.isEmpty()) {
            return new Parsed(model, stream, keepAlive, Optional.empty());
        }
        if (!suffix.isEmpty()) {
            // Filling in the middle: the model's FIM tokens lay the texts out, so no template, system or context applies.
            if (raw) {
                throw GatewayException.badRequest("suffix cannot be combined with raw (filling in the middle lays the "
                        + "prompt out with the model's own tokens)");
            }
            if (!context(body).isEmpty()) {
                throw GatewayException.badRequest("suffix cannot be combined with context");
            }
            return new Parsed(model, stream, keepAlive, Optional.of(new GenerateCall(model,
                    new Prompt.Infill(prompt, suffix), o.sampling, o.maxTokens, o.stop, o.numCtx, keepAlive,
                    format.format(), format.schema(), List.of(), Logprobs.requested(body), Optional.empty(), think(body))));
        }
        return new Parsed(model, stream, keepAlive, Optional.of(new GenerateCall(model, new Prompt.Text(prompt, system, raw),
                o.sampling, o.maxTokens, o.stop, o.numCtx, keepAlive, format.format(), format.schema(), List.of(),
                Logprobs.requested(body), Optional.empty(), think(body), raw ? List.of() : context(body))));
    }

    /**
     * Ollama's deprecated {@code context}: the token ids a previous /api/generate answer returned. Only their shape is
     * checked here (the model checks each id against its vocabulary); the body's size limit bounds their number.
     */
    static List<Integer> context(ObjectNode body) {
        JsonNode node = body.get("context");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw Fields.wrongType("context", "a list of token ids", node);
        }
        List<Integer> tokens = new ArrayList<>(node.size());
        for (JsonNode t : node) {
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0) {
                throw GatewayException.badRequest("context must hold token ids (non-negative integers); found " + t);
            }
            tokens.add(t.intValue());
        }
        return tokens;
    }

    public Parsed chat(ObjectNode body) {
        String model = model(body);
        Structure format = structure(body);
        boolean stream = Fields.bool(body, "stream").orElse(true);
        KeepAlive keepAlive = KeepAliveParser.parse(body);
        List<Prompt.Message> messages = messages(body.get("messages"));
        Options o = options(body);
        if (messages.isEmpty()) {
            return new Parsed(model, stream, keepAlive, Optional.empty());
        }
        return new Parsed(model, stream, keepAlive, Optional.of(new GenerateCall(model, new Prompt.Chat(messages),
                o.sampling, o.maxTokens, o.stop, o.numCtx, keepAlive, format.format(), format.schema(),
                ToolFields.tools(body), Logprobs.requested(body), Optional.empty(), think(body))));
    }

    /**
     * The field a provider's paid API reads beside Ollama's own (which has no {@code tool_choice}): the name of one of
     * the request's tools that the model must call. Hypha's gateway writes it when its client asked for a named or
     * required tool; Ollama ignores unknown fields, so an Ollama upstream is never sent it (it would be dropped).
     */
    public static final String REQUIRED_TOOL = "required_tool";

    /** {@code call} with the {@value #REQUIRED_TOOL} {@code body} names, checked to be one of its tools. */
    public static GenerateCall withRequiredTool(ObjectNode body, GenerateCall call) {
        Optional<String> name = Fields.string(body, REQUIRED_TOOL);
        if (name.isEmpty()) {
            return call;
        }
        if (call.tools().stream().noneMatch(t -> t.name().equals(name.get()))) {
            throw GatewayException.badRequest(REQUIRED_TOOL + " names \"" + name.get() + "\", which is not among the tools");
        }
        return new GenerateCall(call.model(), call.prompt(), call.sampling(), call.maxTokens(), call.stop(), call.numCtx(),
                call.keepAlive(), call.format(), call.schema(), call.tools(), call.logprobs(), name, call.think(),
                call.context());
    }

    public EmbedCall embed(ObjectNode body) {
        String model = model(body);
        refuseUnsupported(body, "dimensions");
        List<String> inputs = Fields.stringOrStrings(body, "input")
                .orElseThrow(() -> GatewayException.badRequest("input is required (a string or a list of strings)"));
        if (inputs.isEmpty()) {
            throw GatewayException.badRequest("input must not be an empty list");
        }
        return new EmbedCall(model, inputs, Fields.bool(body, "truncate").orElse(true), KeepAliveParser.parse(body));
    }

    /** The legacy /api/embeddings: one {@code prompt}, one vector. */
    public EmbedCall legacyEmbedding(ObjectNode body) {
        String model = model(body);
        String prompt = Fields.requiredString(body, "prompt");
        return new EmbedCall(model, List.of(prompt), true, KeepAliveParser.parse(body));
    }

    /** The model named by {@code model}, or by the older {@code name} field /api/show still accepts. */
    static String model(ObjectNode body) {
        Optional<String> model = Fields.string(body, "model").or(() -> Fields.string(body, "name"));
        String m = model.orElseThrow(() -> GatewayException.badRequest("model is required"));
        if (m.isBlank()) {
            throw GatewayException.badRequest("model is required");
        }
        return m;
    }

    static List<Prompt.Message> messages(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw Fields.wrongType("messages", "a list of messages", node);
        }
        if (node.size() > MAX_MESSAGES) {
            throw GatewayException.badRequest("messages has " + node.size() + " entries; at most " + MAX_MESSAGES);
        }
        List<Prompt.Message> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String at = "messages[" + i + "]";
            if (!(node.get(i) instanceof ObjectNode m)) {
                throw Fields.wrongType(at, "an object with role and content", node.get(i));
            }
            String role = Fields.string(m, "role").orElseThrow(() -> GatewayException.badRequest(at + ".role is required"));
            if (!Prompt.ROLES.contains(role)) {
                throw GatewayException.badRequest(at + ".role must be one of " + String.join(", ", Prompt.ROLES)
                        + "; got \"" + role + "\"");
            }
            JsonNode images = m.get("images");
            if (images != null && !images.isNull() && !images.isEmpty()) {
                throw GatewayException.badRequest(at + " has images, but this model has no vision (it reads text only)");
            }
            out.add(new Prompt.Message(role, Fields.string(m, "content").orElse(""), ToolFields.calls(m, at),
                    Fields.string(m, "tool_name").orElse(""), Fields.string(m, "tool_call_id").orElse("")));
        }
        return out;
    }

    private record Options(SamplingOptions sampling, int maxTokens, List<String> stop, OptionalInt numCtx) {}

    private Options options(ObjectNode body) {
        ObjectNode o = Fields.object(body, "options").orElse(body.objectNode());
        SamplingOptions s;
        try {
            s = new SamplingOptions(
                    (float) Fields.number(o, "temperature").orElse(0.8),
                    Fields.intIn(o, "top_k", Integer.MIN_VALUE, Integer.MAX_VALUE).orElse(40),
                    (float) Fields.number(o, "top_p").orElse(0.9),
                    (float) Fields.number(o, "min_p").orElse(0.0),
                    (float) Fields.number(o, "repeat_penalty").orElse(1.0),
                    (float) Fields.number(o, "presence_penalty").orElse(0.0),
                    (float) Fields.number(o, "frequency_penalty").orElse(0.0),
                    Fields.intIn(o, "repeat_last_n", -1, Integer.MAX_VALUE).orElse(64),
                    seed(o));
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest("options: " + e.getMessage());
        }
        int numPredict = Fields.intIn(o, "num_predict", Integer.MIN_VALUE, Integer.MAX_VALUE).orElse(-1);
        // Ollama: -1 is unbounded, -2 fills the context; both mean "until the context is full" here. 0 generates nothing
        // in Ollama, which no client wants from a generate call, so it is refused with the values that work.
        if (numPredict == 0 || numPredict < -2) {
            throw GatewayException.badRequest("options.num_predict must be a positive number of tokens, or -1 for no limit; got "
                    + numPredict);
        }
        int maxTokens = numPredict < 0 ? GenerateCall.UNLIMITED : numPredict;
        List<String> stop = Fields.stringOrStrings(o, "stop").orElse(List.of()).stream().filter(x -> !x.isEmpty()).toList();
        OptionalInt numCtx = Fields.intIn(o, "num_ctx", 1, Integer.MAX_VALUE).map(OptionalInt::of).orElse(OptionalInt.empty());
        return new Options(s, maxTokens, stop, numCtx);
    }

    private long seed(ObjectNode o) {
        long seed = Fields.integer(o, "seed").orElse(-1);
        return seed == -1 ? randomSeeds.getAsLong() : seed;
    }

    private static void refuseUnsupported(ObjectNode body, String... fields) {
        for (String f : fields) {
            JsonNode n = body.get(f);
            if (n != null && !n.isNull() && !(n.isTextual() && n.textValue().isEmpty()) && !(n.isContainerNode() && n.isEmpty())) {
                throw GatewayException.badRequest(f + " is not supported by this gateway yet; leave it out");
            }
        }
    }

    /** What {@code format} asks for: text, any JSON object, or a value following a schema. */
    record Structure(GenerateCall.Format format, Optional<String> schema) {}

    /** {@code format}: absent or "" for text, "json" for one JSON object, a JSON schema for a value that follows it. */
    private static Structure structure(ObjectNode body) {
        JsonNode format = body.get("format");
        Structure result = new Structure(GenerateCall.Format.TEXT, Optional.empty());
        if (format != null && !format.isNull() && !(format.isTextual() && format.textValue().isEmpty())) {
            if (format.isTextual() && format.textValue().equals("json")) {
                result = new Structure(GenerateCall.Format.JSON, Optional.empty());
            } else if (format.isObject()) {
                result = new Structure(GenerateCall.Format.JSON, StructuredOutput.schema(format, "format"));
            } else {
                throw GatewayException.badRequest("format must be \"json\" or a JSON schema; got " + format);
            }
        }
        return result;
    }

    /**
     * Ollama's {@code think}: true or false, or a level ("high", "medium", "low") that gpt-oss models read and others
     * take as true; absent or null leaves it to the model.
     */
    static Optional<Boolean> think(ObjectNode body) {
        JsonNode think = body.get("think");
        if (think == null || think.isNull()) {
            return Optional.empty();
        }
        if (think.isBoolean()) {
            return Optional.of(think.booleanValue());
        }
        if (think.isTextual() && List.of("high", "medium", "low").contains(think.textValue())) {
            return Optional.of(true);
        }
        throw GatewayException.badRequest("think must be true, false, \"high\", \"medium\" or \"low\"; got " + think);
    }
}
