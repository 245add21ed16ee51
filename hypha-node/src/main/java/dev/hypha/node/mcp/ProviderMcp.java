package dev.hypha.node.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderRoutes;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.x402.MeteredCompletions;
import dev.hypha.node.x402.UptoMeter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A provider's own MCP endpoint, {@value #PATH}: its model as the metered tool {@value #TOOL}, paid with x402
 * {@code upto} over the provider's payment channels (the same completion, maximum and per-token charge as
 * {@link MeteredCompletions}' HTTP route, over the same gate and ledger, redeemed with the provider's other vouchers).
 * It lives on the provider, not on the node's {@code /mcp}, because a metered call is charged against a provider ledger.
 */
public final class ProviderMcp {
    /** Where a provider serves MCP. */
    public static final String PATH = ProviderRoutes.PREFIX + "/mcp";
    /** The metered completion tool. */
    public static final String TOOL = "complete";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"type":"object","properties":{
              "prompt":{"type":"string","minLength":1,"maxLength":%d},
              "model":{"type":"string","maxLength":256},
              "max_tokens":{"type":"integer","minimum":1,"maximum":%d}},
             "required":["prompt"],"additionalProperties":false}""".formatted(MeteredCompletions.MAX_PROMPT_BYTES,
            MeteredCompletions.MAX_TOKENS);

    private ProviderMcp() {}

    /** The paid area a provider serves this endpoint with (beside {@link MeteredCompletions#areas}). */
    public static ProviderService.PaidAreas areas(InferenceBackend backend) {
        Objects.requireNonNull(backend, "backend");
        // McpToolServer's stateless server holds no threads or connections, so it is never closed here.
        return (terms, gate, ledger) -> new McpToolServer(PATH, Optional.empty(),
                Optional.of(new UptoMeter(terms, gate, ledger)), "hypha-provider", "0.1.0", List.of(),
                List.of(tool(backend, terms.prices()))).routes();
    }

    /** The metered completion over {@code backend} at {@code prices}. */
    public static MeteredMcpTool tool(InferenceBackend backend, Prices prices) {
        return new MeteredMcpTool(TOOL, "Completes a prompt with this provider's model: " + MeteredCompletions.DESCRIPTION
                + ". Answers JSON {model, text, prompt_tokens, completion_tokens, cost}.", SCHEMA,
                MeteredCompletions.maximum(prices), args -> {
                    JsonNode req = JSON.valueToTree(args);
                    String problem = MeteredCompletions.problem(req);
                    if (problem != null) {
                        throw HyphaException.input(problem); // charged 0, the caller told why
                    }
                    MeteredCompletions.Answer a = MeteredCompletions.complete(backend, prices, req);
                    try {
                        return new MeteredMcpTool.Metered(JSON.writeValueAsString(a.json()), a.cost());
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("cannot write a completion as JSON", e);
                    }
                });
    }
}
