package dev.hypha.node.mcp;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.Settlement;
import dev.hypha.node.x402.X402;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Calls an MCP server's tools (the official Java SDK's client over Streamable HTTP) and pays the ones that ask,
 * through x402's MCP binding: on a payment-required result it takes the first {@code exact} offer on its chain that
 * costs at most its per-call limit, has its {@link X402Payer} sign it and calls once more with the payment. One
 * payment per call at most: a second payment-required answer is returned as is, never paid again.
 */
public final class PayingMcpClient implements AutoCloseable {
    /**
     * A tool's answer and, when the client paid for it, the payment and the server's settlement.
     *
     * @param result     the final tool result
     * @param payment    the payment sent, if one was
     * @param settlement the settlement the paid answer carried, if any
     */
    public record Call(McpSchema.CallToolResult result, Optional<ExactPayment> payment, Optional<Settlement> settlement) {
        /** The result's text. */
        public String text() {
            return X402McpBinding.text(result);
        }

        /** Whether the tool answered with an error (including an unpaid payment-required answer). */
        public boolean failed() {
            return Boolean.TRUE.equals(result.isError());
        }
    }

    private final String url;
    private final McpSyncClient client;
    private final X402Payer payer;
    private final long chainId;
    private final BigInteger maxPerCall;

    /**
     * Connects and runs MCP's initialize handshake.
     *
     * @param url        the server's MCP endpoint (http://host:port/mcp)
     * @param payer      signs payments
     * @param chainId    the chain it pays on
     * @param maxPerCall the most one call may cost, in the token's smallest units
     * @throws HyphaException NETWORK when the server cannot be reached or does not speak MCP
     */
    public PayingMcpClient(String url, X402Payer payer, long chainId, BigInteger maxPerCall) {
        this.url = Objects.requireNonNull(url, "url");
        this.payer = Objects.requireNonNull(payer, "payer");
        this.chainId = chainId;
        this.maxPerCall = Objects.requireNonNull(maxPerCall, "maxPerCall");
        URI uri = URI.create(url);
        String base = uri.getScheme() + "://" + uri.getAuthority();
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(base)
                .endpoint(uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                .openConnectionOnStartup(false)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        client = McpClient.sync(transport).requestTimeout(Duration.ofMinutes(5))
                .clientInfo(new McpSchema.Implementation("hypha-agent", "0.1.0")).build();
        try {
            client.initialize();
        } catch (RuntimeException e) {
            client.close();
            throw new HyphaException(ErrorCategory.NETWORK, "cannot open an MCP session with " + url + ": " + e.getMessage(), e);
        }
    }

    /** The server's tools (every page). */
    public List<McpSchema.Tool> tools() {
        List<McpSchema.Tool> all = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 100; page++) {
            McpSchema.ListToolsResult r = cursor == null ? client.listTools() : client.listTools(cursor);
            all.addAll(r.tools());
            cursor = r.nextCursor();
            if (cursor == null || cursor.isEmpty()) {
                break;
            }
        }
        return all;
    }

    /**
     * Calls {@code tool}, paying once if it asks.
     *
     * @throws HyphaException INPUT when the tool asks for a payment this client may not make (naming what it asked)
     */
    public Call call(String tool, Map<String, Object> arguments) {
        McpSchema.CallToolResult first = client.callTool(new McpSchema.CallToolRequest(tool, arguments));
        Optional<PaymentRequired> required = X402McpBinding.requiredOf(first);
        if (required.isEmpty()) {
            return new Call(first, Optional.empty(), Optional.empty());
        }
        PaymentRequired asked = required.get();
        int chosen = -1;
        for (int i = 0; i < asked.accepts().size() && chosen < 0; i++) {
            ExactRequirement a = asked.accepts().get(i);
            if (a.chainId() == chainId && a.amount().compareTo(maxPerCall) <= 0) {
                chosen = i;
            }
        }
        if (chosen < 0) {
            throw HyphaException.input("MCP tool " + tool + " at " + url + " asks for " + describe(asked)
                    + "; this client pays exact EIP-3009 on " + X402.network(chainId) + " up to " + maxPerCall + " per call");
        }
        ExactPayment payment = payer.pay(asked.accepts().get(chosen), asked.acceptsJson().get(chosen), asked.resourceUrl());
        McpSchema.CallToolResult second = client.callTool(new McpSchema.CallToolRequest(tool, arguments,
                X402McpBinding.paymentMeta(payment)));
        return new Call(second, Optional.of(payment), X402McpBinding.settlementOf(second));
    }

    private static String describe(PaymentRequired required) {
        if (required.accepts().isEmpty()) {
            return "no exact EVM payment (error: '" + required.error() + "')";
        }
        StringBuilder s = new StringBuilder();
        for (ExactRequirement a : required.accepts()) {
            s.append(s.isEmpty() ? "" : ", ").append(a.amount()).append(" of ").append(a.asset().toChecksumString())
                    .append(" on ").append(a.network());
        }
        return s.toString();
    }

    @Override
    public void close() {
        client.closeGracefully();
    }
}
