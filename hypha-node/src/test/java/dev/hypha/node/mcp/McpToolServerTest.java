package dev.hypha.node.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.X402Client;
import io.modelcontextprotocol.spec.McpSchema;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's MCP server and the paying MCP client on anvil with real hUSD: free tools run, paid tools answer x402's
 * payment-required result, a payment settles on chain before the tool runs, and replays, forged or malformed payments
 * and prices above the client's limit never get work or money moved.
 */
class McpToolServerTest {
    private static McpChain chain;
    private static X402Client signer;

    @BeforeAll
    static void start() {
        chain = new McpChain();
        signer = new X402Client(HttpClient.newHttpClient(), chain.payer,
                new X402Client.Limits(chain.client.chainId(), BigInteger.valueOf(10_000)), Clock.systemUTC(), new SecureRandom());
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    private static PayingMcpClient client(long maxPerCall) {
        return new PayingMcpClient(chain.mcpUrl(), signer::pay, chain.client.chainId(), BigInteger.valueOf(maxPerCall));
    }

    @Test
    void listsToolsWithTheirSchemasAndPrices() {
        try (PayingMcpClient mcp = client(10_000)) {
            Map<String, McpSchema.Tool> tools = new java.util.TreeMap<>();
            mcp.tools().forEach(t -> tools.put(t.name(), t));
            assertThat(tools).containsOnlyKeys("word_count", "shout");
            assertThat(tools.get("shout").inputSchema()).containsEntry("required", java.util.List.of("text"));
            assertThat(tools.get("shout").meta()).containsKey("x402/price");
            assertThat(tools.get("word_count").meta()).isNull();
        }
    }

    @Test
    void aFreeToolRunsWithoutPayment() {
        BigInteger before = chain.usd(chain.payer.getAddress());
        try (PayingMcpClient mcp = client(10_000)) {
            PayingMcpClient.Call call = mcp.call("word_count", Map.of("text", "one two  three"));
            assertThat(call.failed()).isFalse();
            assertThat(call.text()).isEqualTo("3");
            assertThat(call.payment()).isEmpty();
        }
        assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(before);
    }

    @Test
    void aPaidToolCalledWithoutPaymentAnswersPaymentRequiredAndDoesNoWork() {
        int runs = chain.shouts.get();
        try (PayingMcpClient mcp = client(1)) {
            assertThatThrownBy(() -> mcp.call("shout", Map.of("text", "hi")))
                    .isInstanceOf(HyphaException.class)
                    .hasMessageContaining("asks for 1500 of " + chain.token().toChecksumString())
                    .hasMessageContaining("up to 1 per call");
        }
        assertThat(chain.shouts.get()).isEqualTo(runs);
    }

    @Test
    void paysAToolOnceAndTheMoneyMovesOnChainBeforeTheToolRuns() {
        BigInteger payerBefore = chain.usd(chain.payer.getAddress());
        BigInteger payeeBefore = chain.usd(chain.payee.getAddress());
        int runs = chain.shouts.get();
        try (PayingMcpClient mcp = client(10_000)) {
            PayingMcpClient.Call call = mcp.call("shout", Map.of("text", "hello agents"));
            assertThat(call.failed()).as(call.text()).isFalse();
            assertThat(call.text()).isEqualTo("HELLO AGENTS");
            assertThat(call.payment()).isPresent();
            assertThat(call.settlement().orElseThrow().success()).isTrue();
            assertThat(call.settlement().orElseThrow().transaction()).matches("0x[0-9a-f]{64}");
            assertThat(call.settlement().orElseThrow().payer()).isEqualToIgnoringCase(chain.payer.getAddress());
        }
        BigInteger price = BigInteger.valueOf(McpChain.PRICE);
        assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(payerBefore.subtract(price));
        assertThat(chain.usd(chain.payee.getAddress())).isEqualTo(payeeBefore.add(price));
        assertThat(chain.shouts.get()).isEqualTo(runs + 1);
    }

    @Test
    void aReplayedPaymentIsRefusedAndGetsNoWork() {
        ExactPayment[] sent = new ExactPayment[1];
        try (PayingMcpClient mcp = new PayingMcpClient(chain.mcpUrl(), (offer, json, url) -> {
            sent[0] = signer.pay(offer, json, url);
            return sent[0];
        }, chain.client.chainId(), BigInteger.valueOf(10_000))) {
            assertThat(mcp.call("shout", Map.of("text", "first")).text()).isEqualTo("FIRST");
            int runs = chain.shouts.get();
            BigInteger payerBefore = chain.usd(chain.payer.getAddress());
            try (PayingMcpClient replayer = new PayingMcpClient(chain.mcpUrl(), (offer, json, url) -> sent[0],
                    chain.client.chainId(), BigInteger.valueOf(10_000))) {
                PayingMcpClient.Call replay = replayer.call("shout", Map.of("text", "second"));
                assertThat(replay.failed()).isTrue();
                PaymentRequired again = X402McpBinding.requiredOf(replay.result()).orElseThrow();
                assertThat(again.error()).contains("nonce");
                assertThat(replay.settlement()).isEmpty();
            }
            assertThat(chain.shouts.get()).isEqualTo(runs);
            assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(payerBefore);
        }
    }

    @Test
    void aPaymentToSomeoneElseIsRefused() {
        int runs = chain.shouts.get();
        try (PayingMcpClient mcp = new PayingMcpClient(chain.mcpUrl(),
                (offer, json, url) -> signer.pay(chain.price(chain.payer.getAddress()), chain.price(chain.payer.getAddress()).toJson(), url),
                chain.client.chainId(), BigInteger.valueOf(10_000))) {
            PayingMcpClient.Call call = mcp.call("shout", Map.of("text", "x"));
            assertThat(call.failed()).isTrue();
            assertThat(X402McpBinding.requiredOf(call.result()).orElseThrow().error()).contains("recipient");
        }
        assertThat(chain.shouts.get()).isEqualTo(runs);
    }

    @Test
    void aMalformedPaymentIsAnsweredWithPaymentRequiredNamingTheField() throws Exception {
        String body = """
                {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"shout","arguments":{"text":"x"},
                 "_meta":{"x402/payment":{"x402Version":2,"accepted":{"scheme":"exact"},"payload":{}}}}}""";
        HttpResponse<String> r = post(body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"isError\":true").contains("_meta[\\\"x402/payment\\\"]").contains("accepts");
    }

    @Test
    void argumentsOutsideTheSchemaAreRefusedBeforeAnyPayment() {
        int runs = chain.shouts.get();
        BigInteger payerBefore = chain.usd(chain.payer.getAddress());
        try (PayingMcpClient mcp = client(10_000)) {
            PayingMcpClient.Call call = mcp.call("shout", Map.of("text", "x", "extra", 1));
            assertThat(call.failed()).isTrue();
            assertThat(call.payment()).isEmpty();
        }
        assertThat(chain.shouts.get()).isEqualTo(runs);
        assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(payerBefore);
    }

    @Test
    void hostileBodiesGetClearErrors() throws Exception {
        assertThat(post("{not json").statusCode()).isEqualTo(400);
        HttpResponse<String> big = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\""
                + "x".repeat(McpHttpTransport.MAX_BODY_BYTES) + "\"}}");
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.body()).contains("more than the 65536 accepted");
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(chain.mcpUrl())).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(chain.mcpUrl()))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
