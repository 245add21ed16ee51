package dev.hypha.node.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.VoucherRejectedException;
import dev.hypha.node.x402.ExactFacilitator;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.x402.MalformedPayment;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.Settlement;
import dev.hypha.node.x402.UptoMeter;
import dev.hypha.node.x402.UptoRequirement;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The node's MCP server: {@link McpTool}s served over Streamable HTTP at {@link #PATH}. A free tool runs at once; a
 * paid tool called without payment answers x402's payment-required result, and with one settles it through the
 * facilitator first and runs only when it settled (decision, as {@link dev.hypha.node.x402.Paywall}: settle before
 * the work, so a payment that fails to settle or a replay racing it never gets the answer for free). A metered tool
 * ({@link MeteredMcpTool}, x402 {@code upto} over the provider's payment channels) is admitted and charged by the
 * provider's {@link UptoMeter}, the same as its metered HTTP endpoints: the maximum reserved before the work, the
 * actual cost charged before the result is released, the settlement in the result's {@code _meta}.
 */
public final class McpToolServer implements AutoCloseable {
    /** Where the node serves MCP. */
    public static final String PATH = "/mcp";
    /** Longest a tool may run before its caller gets an error. */
    static final Duration TOOL_TIMEOUT = Duration.ofMinutes(5);

    private final Optional<ExactFacilitator> facilitator;
    private final Optional<UptoMeter> meter;
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
        this(PATH, facilitator, Optional.empty(), name, version, tools, List.of());
    }

    /**
     * A server that also has metered tools, paid with x402 {@code upto} over the provider's payment channels.
     *
     * @param path    where it is served ({@link #PATH} on a node; a provider serves it under its own prefix)
     * @param meter   the provider's admission and charging of channel vouchers (empty when no tool is metered)
     * @param metered the metered tools
     * @throws IllegalArgumentException when a tool has a price the server cannot take, or two share a name
     */
    public McpToolServer(String path, Optional<ExactFacilitator> facilitator, Optional<UptoMeter> meter, String name,
                         String version, List<McpTool> tools, List<MeteredMcpTool> metered) {
        this.facilitator = Objects.requireNonNull(facilitator, "facilitator");
        this.meter = Objects.requireNonNull(meter, "meter");
        List<String> names = new java.util.ArrayList<>(tools.stream().map(McpTool::name).toList());
        metered.forEach(m -> names.add(m.name()));
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("two MCP tools share a name");
        }
        if (!metered.isEmpty() && meter.isEmpty()) {
            throw new IllegalArgumentException("MCP tool " + metered.getFirst().name() + " is metered but the server has no"
                    + " provider ledger to charge it against");
        }
        McpJsonMapper json = McpJsonDefaults.getMapper();
        transport = new McpHttpTransport(path, json, TOOL_TIMEOUT);
        List<McpStatelessServerFeatures.SyncToolSpecification> specs = new java.util.ArrayList<>(
                tools.stream().map(t -> spec(t, json)).toList());
        metered.forEach(m -> specs.add(spec(m, json)));
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

    private McpStatelessServerFeatures.SyncToolSpecification spec(MeteredMcpTool tool, McpJsonMapper json) {
        UptoRequirement price = meter.orElseThrow().requirement(tool.maxAmount());
        McpSchema.Tool t = McpSchema.Tool.builder().name(tool.name()).description(tool.description())
                .inputSchema(json, tool.inputSchemaJson())
                .meta(Map.of("x402/price", Map.of("scheme", UptoRequirement.SCHEME, "network", price.network(),
                        "amount", price.maxAmount().toString(), "asset", price.asset().toChecksumString())))
                .build();
        return McpStatelessServerFeatures.SyncToolSpecification.builder().tool(t)
                .callHandler((McpTransportContext context, McpSchema.CallToolRequest request) -> call(tool, request))
                .build();
    }

    /**
     * A metered call: admit the voucher (the maximum reserved on disk), run the work, charge what it cost (on disk),
     * and only then return the result with the settlement: a crash before the charge leaves the reservation, never a
     * released result that was not charged.
     */
    private McpSchema.CallToolResult call(MeteredMcpTool tool, McpSchema.CallToolRequest request) {
        UptoMeter m = meter.orElseThrow();
        Optional<PaymentHeaders.ChannelPayment> payment;
        try {
            payment = X402McpBinding.channelPayment(request.meta());
        } catch (PaymentHeaders.Malformed e) {
            return required(tool, e.getMessage(), Optional.empty());
        }
        if (payment.isEmpty()) {
            return required(tool, "", Optional.empty());
        }
        UptoMeter.Admitted admitted;
        try {
            admitted = m.admit(payment.get(), tool.maxAmount());
        } catch (VoucherRejectedException e) {
            return required(tool, e.getMessage(), e.charged());
        }
        MeteredMcpTool.Metered out;
        try {
            out = tool.function().call(request.arguments() == null ? Map.of() : request.arguments());
        } catch (HyphaException e) {
            // the work refused the arguments: charged nothing, and the settlement says so
            return McpSchema.CallToolResult.builder().meta(X402McpBinding.settlementMeta(m.charge(admitted, BigInteger.ZERO)))
                    .addTextContent(tool.name() + " failed: " + e.getMessage()).isError(true).build();
        } catch (RuntimeException | Error e) {
            m.failed(admitted);
            throw e;
        }
        ObjectNode settlement = m.charge(admitted, out.cost());
        return McpSchema.CallToolResult.builder().meta(X402McpBinding.settlementMeta(settlement))
                .addTextContent(out.text()).isError(false).build();
    }

    private McpSchema.CallToolResult required(MeteredMcpTool tool, String error, Optional<BigInteger> charged) {
        return X402McpBinding.paymentRequired(meter.orElseThrow().paymentRequired(error, tool.resourceUrl(),
                tool.description(), tool.maxAmount(), charged));
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
