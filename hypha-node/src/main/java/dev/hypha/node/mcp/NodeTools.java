package dev.hypha.node.mcp;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.coordinator.CoordinatorPrompt;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.x402.ExactRequirement;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The node's own services as MCP tools: {@code models} (free: the models it serves) and {@code generate} (paid per
 * call over x402: a completion from the node's inference, the gateway that buys from the network's providers or the
 * local engine).
 */
public final class NodeTools {
    /** Most tokens one paid {@code generate} call produces (its price covers at most this). */
    public static final int MAX_TOKENS = 512;

    private static final String MODELS_SCHEMA = "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}";
    private static final String GENERATE_SCHEMA = """
            {"type":"object","properties":{
              "prompt":{"type":"string","minLength":1,"maxLength":8000},
              "model":{"type":"string","maxLength":200},
              "max_tokens":{"type":"integer","minimum":1,"maximum":%d}},
             "required":["prompt"],"additionalProperties":false}""".formatted(MAX_TOKENS);

    private NodeTools() {}

    /** {@code models} and {@code generate} over {@code inference}, {@code generate} costing {@code price} a call. */
    public static List<McpTool> inference(InferenceBackend inference, ExactRequirement price) {
        McpTool models = new McpTool("models", "Lists the models this node serves (free).", MODELS_SCHEMA,
                Optional.empty(), args -> inference.models().stream().map(ModelInfo::name).collect(Collectors.joining("\n")));
        McpTool generate = new McpTool("generate", "Completes a prompt with a model this node serves (default: the first"
                + " listed), up to " + MAX_TOKENS + " tokens; paid per call over x402.", GENERATE_SCHEMA, Optional.of(price),
                args -> {
                    String model = args.get("model") instanceof String m && !m.isBlank() ? m
                            : inference.models().stream().map(ModelInfo::name).findFirst().orElseThrow(
                                    () -> HyphaException.input("this node serves no model"));
                    int maxTokens = args.get("max_tokens") instanceof Number n ? n.intValue() : 128;
                    return inference.generate(CoordinatorPrompt.call(model, (String) args.get("prompt"), maxTokens),
                            TextSink.of(piece -> { }, piece -> { })).text();
                });
        return List.of(models, generate);
    }
}
