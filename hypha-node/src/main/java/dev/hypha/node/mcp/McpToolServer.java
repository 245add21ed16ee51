package dev.hypha.node.mcp;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.x402.ExactFacilitator;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.x402.MalformedPayment;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.Settlement;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The node's MCP server: {@link McpTool}s served over Streamable HTTP at {@link #PATH}. A free tool runs at once; a
 * paid tool called without payment answers x402's payment-required result, and with one settles it through the
 * facilitator first and runs only when it settled (decision, as {@link dev.hypha.node.x402.Paywall}: settle before
 * the work, so a payment that fails to settle or a replay racing it never gets the answer for free).
 */
public final class McpToolServer implements AutoCloseable {
    /** Where the node serves MCP. */
    public static final String PATH = "/mcp";
    /** Longest a tool may run before its caller gets an error. */
    static final Duration TOOL_TIMEOUT = Duration.ofMinutes(5);

    private final Optional<ExactFacilitator> facilitator;
    private final McpHttpTransport transport;
    private final McpStatelessSyncServer server;

    /**
     * @param facilitator settles the paid tools' payments (empty when every tool is free)
     * @param name        the server's name in MCP's initialize answer
     * @param version     its version
     * @param tools       the tools
     * @throws IllegalArgumentException when a tool has a price and there is no facilitator, or two share a name
     */
    public McpToolServer(Optional<ExactFacilitator> facilitator, String name, String version, List<McpTool> tools) {
        this.facilitator = Objects.requireNonNull(facilitator, "facilitator");
        if (tools.stream().map(McpTool::name).distinct().count() != tools.size()) {
            throw new IllegalArgumentException("two MCP tools share a name");
        }
        McpJsonMapper json = McpJsonDefaults.getMapper();
        transport = new McpHttpTransport(PATH, json, TOOL_TIMEOUT);
        List<McpStatelessServerFeatures.SyncToolSpecification> specs = tools.stream().map(t -> spec(t, json)).toList();
        server = McpServer.sync(transport)
                .serverInfo(name, version)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .jsonMapper(json)
                .validateToolInputs(true)
                .requestTimeout(TOOL_TIMEOUT)
                .tools(specs)
                .build();
    }

    /** The endpoint, to add to the node's {@link dev.hypha.node.http.ApiServer}. */
    public ApiRoutes routes() {
        return transport;
    }

    private McpStatelessServerFeatures.SyncToolSpecification spec(McpTool tool, McpJsonMapper json) {
        if (tool.price().isPresent() && facilitator.isEmpty()) {
            throw new IllegalArgumentException("MCP tool " + tool.name() + " has a price but the server has no facilitator");
        }
        McpSchema.Tool.Builder t = McpSchema.Tool.builder().name(tool.name()).description(tool.description())
                .inputSchema(json, tool.inputSchemaJson());
        tool.price().ifPresent(p -> t.meta(Map.of("x402/price", Map.of("scheme", "exact", "network", p.network(),
                "amount", p.amount().toString(), "asset", p.asset().toChecksumString()))));
        return McpStatelessServerFeatures.SyncToolSpecification.builder().tool(t.build())
                .callHandler((McpTransportContext context, McpSchema.CallToolRequest request) -> call(tool, request))
                .build();
    }

    private McpSchema.CallToolResult call(McpTool tool, McpSchema.CallToolRequest request) {
        Map<String, Object> arguments = request.arguments() == null ? Map.of() : request.arguments();
        if (tool.price().isEmpty()) {
            return run(tool, arguments, Map.of());
        }
        ExactRequirement price = tool.price().get();
        Optional<ExactPayment> payment;
        try {
            payment = X402McpBinding.payment(request.meta());
        } catch (MalformedPayment e) {
            return X402McpBinding.paymentRequired(required(tool, e.getMessage()));
        }
        if (payment.isEmpty()) {
            return X402McpBinding.paymentRequired(required(tool, ""));
        }
        Settlement settlement = facilitator.orElseThrow().settle(payment.get(), price);
        if (!settlement.success()) {
            return X402McpBinding.paymentRequired(required(tool, settlement.reason() + ": " + settlement.message()));
        }
        return run(tool, arguments, X402McpBinding.settlementMeta(settlement));
    }

    private static McpSchema.CallToolResult run(McpTool tool, Map<String, Object> arguments, Map<String, Object> meta) {
        McpSchema.CallToolResult.Builder result = McpSchema.CallToolResult.builder().meta(meta.isEmpty() ? null : meta);
        try {
            return result.addTextContent(tool.function().call(arguments)).isError(false).build();
        } catch (HyphaException e) {
            // paid and settled, the work failed: the caller learns why, and keeps the settlement as its receipt
            return result.addTextContent(tool.name() + " failed: " + e.getMessage()).isError(true).build();
        }
    }

    private static PaymentRequired required(McpTool tool, String error) {
        return new PaymentRequired(error, tool.resourceUrl(), tool.description(), List.of(tool.price().orElseThrow()));
    }

    @Override
    public void close() {
        server.close();
    }
}
