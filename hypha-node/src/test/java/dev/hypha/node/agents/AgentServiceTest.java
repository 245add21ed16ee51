package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.agents.SpendingLimit;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.mcp.McpChain;
import dev.hypha.node.mcp.McpTool;
import dev.hypha.node.mcp.McpToolServer;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.x402.X402Client;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * An agent selling its own service, on anvil and loopback: its x402 endpoint is paid into its AgentAccount by a plain
 * x402 client, and for each paid request it buys its inference (a paid {@code generate} over MCP) from that account;
 * requests it cannot use are refused before anything is paid; when its own budget is used up on chain, the paid call
 * answers an error naming why, with the buyer's settlement as its receipt.
 */
class AgentServiceTest {
    /** What the agent's inference costs a call. */
    private static final long INFERENCE_PRICE = 700;
    /** What the agent charges a call. */
    private static final long PRICE = 2_000;

    private static McpChain chain;
    private static McpToolServer inferenceTools;
    private static ApiServer inference;
    private static final AtomicInteger generated = new AtomicInteger();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        chain = new McpChain();
        McpTool generate = new McpTool("generate", "completes a prompt", """
                {"type":"object","properties":{"prompt":{"type":"string","minLength":1},"max_tokens":{"type":"integer"}},
                 "required":["prompt"],"additionalProperties":false}""",
                Optional.of(new ExactRequirement(chain.client.chainId(), BigInteger.valueOf(INFERENCE_PRICE), chain.token(),
                        Address.parse(chain.payee.getAddress()), 120, "Hypha USD", "1")),
                args -> {
                    generated.incrementAndGet();
                    String prompt = (String) args.get("prompt");
                    return "completed [" + prompt.substring(prompt.lastIndexOf(':') + 1).strip() + "] in "
                            + args.get("max_tokens") + " tokens";
                });
        inferenceTools = new McpToolServer(Optional.of(chain.facilitator), "inference", "0", List.of(generate));
        inference = new ApiServer("127.0.0.1", 0, List.of(inferenceTools.routes()));
        inference.start();
    }

    @AfterAll
    static void stop() {
        inference.close();
        inferenceTools.close();
        chain.close();
    }

    private record Seller(String account, AgentService service, ApiServer server) implements AutoCloseable {
        String url() {
            return "http://127.0.0.1:" + server.port() + AgentService.HTTP_PREFIX + "write";
        }

        @Override
        public void close() {
            server.close();
            service.close();
        }
    }

    /** A seller agent whose account may spend {@code limit} a day on the inference. */
    private Seller seller(long limit, String salt) throws Exception {
        Credentials owner = chain.devnet.account(5);
        HyphaContracts asOwner = chain.as(owner);
        String token = chain.token().lowercaseHex();
        String account = asOwner.agentAccounts().create(chain.devnet.account(6).getAddress(), 86_400,
                Hashes.keccak256(salt.getBytes(StandardCharsets.UTF_8)));
        AgentAccountsClient.Account a = asOwner.agentAccounts().at(account);
        a.setLimit(token, new SpendingLimit(BigInteger.valueOf(limit), BigInteger.valueOf(limit), 86_400));
        a.setCounterparty(chain.payee.getAddress(), true);
        Credentials key = Credentials.create(Keys.createEcKeyPair());
        long now = chain.client.latestBlock().getTimestamp().longValueExact();
        a.grantSession(key.getAddress(), 0, now + 86_400, BigInteger.TEN.pow(17), token, BigInteger.valueOf(limit),
                chain.payee.getAddress());
        chain.sender(chain.devnet.account(0)).send(TxRequest.transfer(key.getAddress(), BigInteger.TEN.pow(18)));
        chain.as(chain.devnet.account(0)).payment().mint(account, BigInteger.valueOf(10_000));
        AgentSpec spec = AgentSpec.parse("seller", """
                {"name":"seller","system":"You write greetings.","task":"Greet the person named.",
                 "budget":{"limit":"1","guardian":"%s"},"tools":[{"mcp":"http://127.0.0.1:%d/mcp"}],
                 "serve":{"tool":"write","description":"writes greetings","price":"0.002","maxTokens":12}}"""
                .formatted(chain.devnet.account(6).getAddress(), inference.port()).getBytes(StandardCharsets.UTF_8));
        Path home = dir.resolve(salt);
        Files.createDirectories(home);
        ExactRequirement price = new ExactRequirement(chain.client.chainId(), BigInteger.valueOf(PRICE), chain.token(),
                Address.parse(account), 120, "Hypha USD", "1");
        AgentService service = new AgentService(spec, home,
                HyphaContracts.connect(chain.deployment, chain.sender(key)).agentAccounts().at(account), key,
                chain.client, Optional.empty(), Optional.empty(), Optional.empty(), BigInteger.valueOf(limit), price, new SecureRandom(), Clock.systemUTC());
        service.connect();
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(service.httpRoutes(chain.facilitator)));
        server.start();
        return new Seller(account, service, server);
    }

    private static X402Client buyer() {
        return new X402Client(HttpClient.newHttpClient(), chain.payer,
                new X402Client.Limits(chain.client.chainId(), BigInteger.valueOf(5_000)), Clock.systemUTC(), new SecureRandom());
    }

    @Test
    void aPaidRequestIsAnsweredWithInferenceTheAgentBuysFromItsAccount() throws Exception {
        try (Seller s = seller(5_000, "paid")) {
            BigInteger payerBefore = chain.usd(chain.payer.getAddress());
            BigInteger payeeBefore = chain.usd(chain.payee.getAddress());
            int before = generated.get();
            X402Client.Result r = buyer().send(HttpRequest.newBuilder(URI.create(s.url() + "?prompt=Ada")).build());
            assertThat(r.response().statusCode()).as(new String(r.response().body(), StandardCharsets.UTF_8)).isEqualTo(200);
            assertThat(new String(r.response().body(), StandardCharsets.UTF_8)).isEqualTo("completed [Ada] in 12 tokens");
            assertThat(r.settlement().orElseThrow().success()).isTrue();
            assertThat(generated.get()).isEqualTo(before + 1);
            // the buyer paid the agent's account; the account paid its inference
            assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(payerBefore.subtract(BigInteger.valueOf(PRICE)));
            assertThat(chain.usd(s.account())).isEqualTo(BigInteger.valueOf(10_000 + PRICE - INFERENCE_PRICE));
            assertThat(chain.usd(chain.payee.getAddress())).isEqualTo(payeeBefore.add(BigInteger.valueOf(INFERENCE_PRICE)));
            // the POST form, the same way
            X402Client.Result posted = buyer().send(HttpRequest.newBuilder(URI.create(s.url()))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Grace\"}")).build());
            assertThat(new String(posted.response().body(), StandardCharsets.UTF_8)).isEqualTo("completed [Grace] in 12 tokens");
            String log = Files.readString(s.service().log().file());
            assertThat(log).contains("serve 1 | request: Ada", "serve 1 | booked 700 for inference to ",
                    "serve 1 | paid 700 for inference to ", "serve 2 | request: Grace", "serve 2 | answered: completed [Grace]");
        }
    }

    @Test
    void aRequestItCannotUseIsRefusedBeforeAnythingIsPaid() throws Exception {
        try (Seller s = seller(5_000, "refused")) {
            BigInteger payerBefore = chain.usd(chain.payer.getAddress());
            int before = generated.get();
            HttpClient http = HttpClient.newHttpClient();
            List<HttpRequest> bad = List.of(
                    HttpRequest.newBuilder(URI.create(s.url())).build(),
                    HttpRequest.newBuilder(URI.create(s.url() + "?prompt=%20%20")).build(),
                    HttpRequest.newBuilder(URI.create(s.url() + "?prompt=" + "a".repeat(AgentService.MAX_PROMPT_CHARS + 1))).build(),
                    HttpRequest.newBuilder(URI.create(s.url())).POST(HttpRequest.BodyPublishers.ofString("{not json")).build(),
                    HttpRequest.newBuilder(URI.create(s.url())).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\":\"Ada\",\"extra\":1}")).build(),
                    HttpRequest.newBuilder(URI.create(s.url())).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\":\"" + "a".repeat(10_000) + "\"}")).build());
            for (HttpRequest req : bad) {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(req.uri() + " " + req.method()).isEqualTo(400);
                assertThat(r.body()).contains("?prompt=");
            }
            // and the x402 client is never asked to pay for one
            X402Client.Result r = buyer().send(HttpRequest.newBuilder(URI.create(s.url())).build());
            assertThat(r.response().statusCode()).isEqualTo(400);
            assertThat(r.payment()).isEmpty();
            assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(payerBefore);
            assertThat(chain.usd(s.account())).isEqualTo(BigInteger.valueOf(10_000));
            assertThat(generated.get()).isEqualTo(before);
        }
    }

    @Test
    void anAgentWhoseBudgetIsUsedUpAnswersThePaidCallWithWhy() throws Exception {
        // one inference a day: the second paid request finds the account's policy refusing its inference
        try (Seller s = seller(INFERENCE_PRICE, "thrifty")) {
            assertThat(buyer().send(HttpRequest.newBuilder(URI.create(s.url() + "?prompt=Ada")).build())
                    .response().statusCode()).isEqualTo(200);
            int before = generated.get();
            X402Client.Result r = buyer().send(HttpRequest.newBuilder(URI.create(s.url() + "?prompt=Bob")).build());
            String body = new String(r.response().body(), StandardCharsets.UTF_8);
            assertThat(r.response().statusCode()).as(body).isEqualTo(502);
            assertThat(body).contains("could not buy its inference (refused by the account's policy)", "PeriodLimitExceeded");
            assertThat(r.settlement().orElseThrow().success()).isTrue(); // the buyer's receipt for what it paid
            assertThat(generated.get()).isEqualTo(before);
            assertThat(chain.usd(s.account())).isEqualTo(BigInteger.valueOf(10_000 + 2 * PRICE - INFERENCE_PRICE));
            assertThat(Files.readString(s.service().log().file()))
                    .contains("serve 2 | buying inference refused by the account's policy: ");
        }
    }
}
