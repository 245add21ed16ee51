package dev.hypha.node.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.node.x402.X402;
import java.io.File;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.utils.Numeric;

/**
 * The official MCP TypeScript SDK (src/test/node/mcp-peer.mjs) calls a Hypha node's tools: lists them, runs the free
 * one, gets x402's payment-required result from the paid one and pays it with the official x402 client, on anvil with
 * real hUSD.
 */
class OfficialMcpClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static McpChain chain;

    @BeforeAll
    static void start() {
        chain = new McpChain();
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    @Test
    void theOfficialTypeScriptClientListsCallsAndPaysHyphaTools() throws Exception {
        BigInteger payerBefore = chain.usd(chain.payer.getAddress());
        BigInteger payeeBefore = chain.usd(chain.payee.getAddress());
        int runs = chain.shouts.get();
        String key = Numeric.toHexStringWithPrefixZeroPadded(chain.payer.getEcKeyPair().getPrivateKey(), 64);
        JsonNode out = JSON.readTree(runPeer(List.of(chain.mcpUrl(), key, X402.network(chain.client.chainId()),
                chain.token().toChecksumString(), "10000", "word_count", "{\"text\":\"a b c d\"}", "shout",
                "{\"text\":\"paid by typescript\"}")));

        assertThat(out.get("server").get("name").textValue()).isEqualTo("hypha-test");
        assertThat(out.get("tools")).extracting(JsonNode::textValue).containsExactlyInAnyOrder("word_count", "shout");
        assertThat(out.at("/free/content/0/text").textValue()).isEqualTo("4");

        JsonNode unpaid = out.get("unpaid");
        assertThat(unpaid.get("isError").booleanValue()).isTrue();
        assertThat(unpaid.at("/structuredContent/x402Version").intValue()).isEqualTo(2);
        assertThat(unpaid.at("/structuredContent/accepts/0/amount").textValue()).isEqualTo(Long.toString(McpChain.PRICE));
        assertThat(unpaid.at("/structuredContent/resource/url").textValue()).isEqualTo("mcp://tool/shout");

        JsonNode paid = out.get("paid");
        assertThat(paid.path("isError").asBoolean(false)).as(paid.toString()).isFalse();
        assertThat(paid.at("/content/0/text").textValue()).isEqualTo("PAID BY TYPESCRIPT");
        JsonNode settlement = paid.at("/_meta/x402~1payment-response");
        assertThat(settlement.get("success").booleanValue()).isTrue();
        assertThat(settlement.get("transaction").textValue()).matches("0x[0-9a-f]{64}");

        BigInteger price = BigInteger.valueOf(McpChain.PRICE);
        assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(payerBefore.subtract(price));
        assertThat(chain.usd(chain.payee.getAddress())).isEqualTo(payeeBefore.add(price));
        assertThat(chain.shouts.get()).isEqualTo(runs + 1);
    }

    private static String runPeer(List<String> args) throws Exception {
        return runNode("mcp-peer.mjs", args);
    }

    /** Runs a script of hypha-node/src/test/node with node and returns the last line it printed. */
    static String runNode(String script, List<String> args) throws Exception {
        String root = System.getProperty("hypha.repo.root");
        if (root == null) throw new IllegalStateException("system property hypha.repo.root is not set (surefire sets it)");
        List<String> command = new java.util.ArrayList<>(List.of(node(), Path.of(root, "hypha-node/src/test/node", script).toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the MCP TypeScript client did not finish:\n" + output);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the MCP TypeScript client failed (exit " + process.exitValue() + "):\n" + output);
        }
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static String node() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        throw new IllegalStateException("node is not on PATH; the MCP interoperability test runs the official SDK with it");
    }
}
