package dev.hypha.node.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.x402.MalformedPayment;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.Settlement;
import dev.hypha.node.x402.UptoVouchers;
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
 * payment per call at most: a second payment-required answer is returned as is, never paid again. A client made with
 * an {@link UptoVouchers} pays x402 {@code upto} with its payment channel instead: one cumulative voucher per call
 * (the charged total so far plus the tool's maximum) under the same {@code _meta} key, and the result's settlement
 * (cost within the maximum, charged total within the voucher) checked before it is believed.
 */
public final class PayingMcpClient implements AutoCloseable {
    /**
     * A tool's answer and, when the client paid for it, the payment and the server's settlement.
     *
     * @param result     the final tool result
     * @param payment    the payment sent, if one was
     * @param settlement the settlement the paid answer carried, if any
     * @param channel    what paying over a channel ({@code upto}) did, if the client paid that way
     */
    public record Call(McpSchema.CallToolResult result, Optional<ExactPayment> payment, Optional<Settlement> settlement,
                       Optional<ChannelPaid> channel) {
        Call(McpSchema.CallToolResult result, Optional<ExactPayment> payment, Optional<Settlement> settlement) {
            this(result, payment, settlement, Optional.empty());
        }

        /** The result's text. */
        public String text() {
            return X402McpBinding.text(result);
        }

        /** Whether the tool answered with an error (including an unpaid payment-required answer). */
        public boolean failed() {
            return Boolean.TRUE.equals(result.isError());
        }
    }

    /**
     * A call paid with {@code upto} over the client's channel.
     *
     * @param voucher the voucher sent last
     * @param cost    what the server charged for the call (0 when it refused the voucher)
     * @param charged the channel's charged total after the call
     */
    public record ChannelPaid(Voucher voucher, BigInteger cost, BigInteger charged) {}

    private final String url;
    private final McpSyncClient client;
    private final Optional<X402Payer> payer;
    private final Optional<UptoVouchers> channel;
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
        this(url, Optional.of(payer), Optional.empty(), chainId, maxPerCall);
    }

    /**
     * Connects a client that pays x402 {@code upto} with one payment channel (its {@link UptoVouchers}: the channel,
     * the payer's ledger, the signer and the per-call limit), and nothing else.
     *
     * @throws HyphaException NETWORK when the server cannot be reached or does not speak MCP
     */
    public PayingMcpClient(String url, UptoVouchers channel) {
        this(url, Optional.empty(), Optional.of(channel), 0, BigInteger.ZERO);
    }

    private PayingMcpClient(String url, Optional<X402Payer> payer, Optional<UptoVouchers> channel, long chainId,
                            BigInteger maxPerCall) {
        this.url = Objects.requireNonNull(url, "url");
        this.payer = Objects.requireNonNull(payer, "payer");
        this.channel = Objects.requireNonNull(channel, "channel");
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
        Optional<JsonNode> required = X402McpBinding.requiredJsonOf(first);
        if (required.isEmpty()) {
            return new Call(first, Optional.empty(), Optional.empty());
        }
        if (channel.isPresent()) {
            return payOverChannel(channel.get(), tool, arguments, required.get());
        }
        PaymentRequired asked = PaymentRequired.fromJson("structuredContent", required.get());
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
        ExactPayment payment = payer.orElseThrow().pay(asked.accepts().get(chosen), asked.acceptsJson().get(chosen), asked.resourceUrl());
        McpSchema.CallToolResult second = client.callTool(new McpSchema.CallToolRequest(tool, arguments,
                X402McpBinding.paymentMeta(payment)));
        return new Call(second, Optional.of(payment), X402McpBinding.settlementOf(second));
    }

    /**
     * Pays a payment-required answer with one {@code upto} voucher (and, when the refusal names a charged total this
     * client had lost, one more continuing from it), and checks the settlement before believing it.
     *
     * @throws HyphaException INPUT when nothing offered may be paid from the channel, or the settlement claims more
     *                        than the voucher authorised
     */
    private Call payOverChannel(UptoVouchers vouchers, String tool, Map<String, Object> arguments, JsonNode asked) {
        String resource = "MCP tool " + tool + " at " + url;
        UptoVouchers.Signed signed = vouchers.sign(vouchers.choose(resource, asked));
        McpSchema.CallToolResult second = callPaid(tool, arguments, vouchers, signed);
        Optional<JsonNode> refused = X402McpBinding.requiredJsonOf(second);
        if (refused.isPresent()) {
            Optional<UptoVouchers.Signed> again = vouchers.afterRefusal(signed, refused.get());
            if (again.isPresent()) {
                signed = again.get();
                second = callPaid(tool, arguments, vouchers, signed);
                refused = X402McpBinding.requiredJsonOf(second);
            }
        }
        if (refused.isPresent()) {
            return new Call(second, Optional.empty(), Optional.empty(),
                    Optional.of(new ChannelPaid(signed.voucher(), BigInteger.ZERO, vouchers.charged())));
        }
        BigInteger cost = vouchers.settled(resource, signed, X402McpBinding.settlementJsonOf(second));
        Optional<Settlement> settlement;
        try {
            settlement = X402McpBinding.settlementOf(second);
        } catch (MalformedPayment unreadable) {
            settlement = Optional.empty(); // its cost and charged total were read above; the rest is the server's
        }
        return new Call(second, Optional.empty(), settlement,
                Optional.of(new ChannelPaid(signed.voucher(), cost, vouchers.charged())));
    }

    private McpSchema.CallToolResult callPaid(String tool, Map<String, Object> arguments, UptoVouchers vouchers,
                                              UptoVouchers.Signed signed) {
        return client.callTool(new McpSchema.CallToolRequest(tool, arguments,
                X402McpBinding.paymentMeta(vouchers.payload(signed))));
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
