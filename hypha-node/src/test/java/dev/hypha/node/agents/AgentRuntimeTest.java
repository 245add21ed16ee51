package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.agents.SpendingLimit;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.mcp.McpChain;
import dev.hypha.node.mcp.PayingMcpClient;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * The agent runtime on anvil: a buyer agent finds the seller (an MCP server selling {@code shout}) through the ERC-8004
 * identity registry, pays it from its AgentAccount with a session key within the on-chain policy, rates it with the
 * payment as proof; a budget exhausted on chain stops it whatever the runtime asks; a runtime killed mid-payment
 * resumes without paying twice.
 */
class AgentRuntimeTest {
    private static McpChain chain;
    private static Credentials owner;
    private static Credentials guardian;
    private static BigInteger sellerId;
    private static int salt;

    @TempDir
    Path home;

    /** A gateway serving hypha-tiny from a store of its own: the model that chooses the calls. */
    private static LocalBackend engine;
    private static ApiServer gateway;

    @BeforeAll
    static void start(@TempDir Path store) throws Exception {
        Path tiny = store.resolve("hypha-tiny.gguf");
        try (InputStream in = AgentRuntimeTest.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, tiny);
        }
        ModelStore models = new ModelStore(store.resolve("home"), Clock.systemUTC());
        models.importModel(tiny, ModelName.parse("hypha-tiny"), (d, t) -> { });
        engine = new LocalBackend(models, LocalBackend.Settings.defaults());
        gateway = new ApiServer("127.0.0.1", 0, List.of(new GatewayRoutes(engine)));
        gateway.start();
        chain = new McpChain();
        owner = chain.devnet.account(5);
        guardian = chain.devnet.account(6);
        String registration = """
                {"type":"https://eips.ethereum.org/EIPS/eip-8004#registration-v1","name":"shouter",
                 "description":"upper-cases text, paid per call","services":[{"name":"MCP","endpoint":"%s"}],
                 "x402Support":true,"active":true}""".formatted(chain.mcpUrl());
        sellerId = chain.as(chain.payee).identity().register("data:application/json;base64,"
                + Base64.getEncoder().encodeToString(registration.getBytes(StandardCharsets.UTF_8)));
    }

    @AfterAll
    static void stop() {
        chain.close();
        gateway.close();
        engine.close();
    }

    /** A buyer agent: a fresh account with this policy, funded, and a session key with gas. */
    private record Buyer(String account, Credentials key, AgentAccountsClient.Account asSession) {}

    private static Buyer buyer(long limit, long perCall) throws Exception {
        HyphaContracts asOwner = chain.as(owner);
        String token = chain.token().lowercaseHex();
        String account = asOwner.agentAccounts().create(guardian.getAddress(), 86_400,
                Hashes.keccak256(("buyer-" + salt++).getBytes(StandardCharsets.UTF_8)));
        AgentAccountsClient.Account a = asOwner.agentAccounts().at(account);
        a.setLimit(token, new SpendingLimit(BigInteger.valueOf(limit), BigInteger.valueOf(perCall), 86_400));
        a.setCounterparty(chain.payee.getAddress(), true);
        Credentials key = Credentials.create(Keys.createEcKeyPair());
        long now = chain.client.latestBlock().getTimestamp().longValueExact();
        a.grantSession(key.getAddress(), 0, now + 7 * 86_400, BigInteger.TEN.pow(17), token, BigInteger.valueOf(limit),
                chain.payee.getAddress());
        chain.sender(chain.devnet.account(0)).send(TxRequest.transfer(key.getAddress(), BigInteger.TEN.pow(18)));
        chain.as(chain.devnet.account(0)).payment().mint(account, BigInteger.valueOf(1_000_000));
        return new Buyer(account, key, HyphaContracts.connect(chain.deployment, chain.sender(key)).agentAccounts().at(account));
    }

    private AgentRuntime runtime(Buyer b, String specJson, long maxPerCall) {
        AgentSpec spec = AgentSpec.parse("test", specJson.getBytes(StandardCharsets.UTF_8));
        AgentRuntime.Wiring wiring = new AgentRuntime.Wiring(b.asSession(), b.key(), chain.client,
                Optional.of(new ServiceDirectory(chain.as(owner).identity(), java.net.http.HttpClient.newHttpClient())),
                Optional.of(new AccountRater(chain.as(owner), b.account())), new SecureRandom(),
                Optional.of(new ChatModel("http://127.0.0.1:" + gateway.port(), Optional.empty(),
                        java.net.http.HttpClient.newHttpClient())));
        return new AgentRuntime(spec, home, wiring, BigInteger.valueOf(maxPerCall), Clock.systemUTC());
    }

    private static String spec(int shouts, String extra) {
        StringBuilder steps = new StringBuilder();
        for (int i = 0; i < shouts; i++) {
            steps.append(i == 0 ? "" : ",").append("{\"tool\":\"shout\",\"arguments\":{\"text\":\"call ").append(i).append("\"}}");
        }
        return """
                {"name":"buyer","task":"get texts shouted","budget":{"limit":"1","perCall":"1","guardian":"%s"},
                 "tools":[{"agent":%s}],"steps":[%s]%s}""".formatted(guardian.getAddress(), sellerId, steps, extra);
    }

    private String log() throws Exception {
        return Files.readString(home.resolve("agent.log"));
    }

    private static String modelSpec(String choice, int maxSteps, String only) {
        return """
                {"name":"buyer","task":"Shout the word hello.","toolChoice":"%s","maxSteps":%d,
                 "budget":{"limit":"1","perCall":"1","guardian":"%s"},"tools":[{"agent":%s%s}],
                 "rate":{"value":75,"tag":"model-chosen"}}""".formatted(choice, maxSteps, guardian.getAddress(), sellerId, only);
    }

    /** The calls the log says the model chose, as tool name and the JSON of its arguments. */
    private List<String[]> chosen() throws Exception {
        return log().lines().filter(l -> l.contains("| model chose ")).map(l -> l.substring(l.indexOf("model chose ") + 12)
                .split(" ", 2)).toList();
    }

    @Test
    void theModelChoosesEachCallHeldToTheToolsSchemasAndEveryCallIsPaidWithinPolicy() throws Exception {
        Buyer b = buyer(10_000, 2_000);
        int shoutsBefore = chain.shouts.get();
        AgentRuntime.Outcome out = runtime(b, modelSpec("required", 2, ",\"only\":[\"shout\"]"), 2_000).run();

        // every turn must call a tool and only shout is offered: two paid calls, whatever text the model picked
        assertThat(out.reason()).as(log()).isEqualTo("step limit");
        assertThat(out.paid()).isEqualTo(2);
        assertThat(chain.usd(b.account())).isEqualTo(BigInteger.valueOf(1_000_000 - 2 * McpChain.PRICE));
        List<String[]> calls = chosen();
        assertThat(calls).hasSize(2).allSatisfy(c -> assertThat(c[0]).isEqualTo("shout"));
        for (String[] c : calls) {
            var args = new com.fasterxml.jackson.databind.ObjectMapper().readTree(c[1]);
            assertThat(args.properties()).as(c[1]).hasSize(1);
            String text = args.get("text").textValue();
            assertThat(text.codePointCount(0, text.length())).isLessThanOrEqualTo(ToolMenu.MAX_ARGUMENT_CHARS);
            if (!text.isBlank()) { // the seller refuses blank text (after payment): the model's choice, logged as such
                assertThat(log()).contains("result: " + AgentLog.quote(text.toUpperCase(java.util.Locale.ROOT)));
            }
        }
        assertThat(chain.shouts.get() - shoutsBefore).isEqualTo((int) calls.stream()
                .filter(c -> !c[1].contains("\"text\":\"\"") && !c[1].matches(".*\"text\":\"\\s*\".*")).count());
        assertThat(log()).contains("prompt: ", "decoding held to that choice", "settled in 0x");
        var summary = chain.as(owner).reputation().summary(sellerId, List.of(b.account()), "model-chosen", "");
        assertThat(summary.count()).isEqualTo(calls.stream().filter(c -> !c[1].matches(".*\"text\":\"\\s*\".*")).count());
    }

    @Test
    void withAutoChoiceTheModelPicksAmongAllToolsOrAnswersAndTheJournalResumesItsChat() throws Exception {
        Buyer b = buyer(10_000, 2_000);
        int shoutsBefore = chain.shouts.get();
        AgentRuntime.Outcome out = runtime(b, modelSpec("auto", 3, ""), 2_000).run();

        assertThat(out.reason()).as(log()).isIn("answered", "step limit");
        List<String[]> calls = chosen();
        assertThat(calls).allSatisfy(c -> assertThat(c[0]).isIn("shout", "word_count"));
        long shouts = calls.stream().filter(c -> c[0].equals("shout")).count();
        // only shout costs: what the account paid is the price of the shouts the model chose, no more
        assertThat(out.paid()).isEqualTo((int) shouts);
        assertThat(chain.usd(b.account())).isEqualTo(BigInteger.valueOf(1_000_000 - shouts * McpChain.PRICE));
        assertThat(chain.shouts.get() - shoutsBefore).isLessThanOrEqualTo((int) shouts);
        assertThat(out.answer().isPresent()).isEqualTo(out.reason().equals("answered"));
        // run again: the journal says it is over, nothing more is asked or paid
        AgentRuntime.Outcome again = runtime(b, modelSpec("auto", 3, ""), 2_000).run();
        assertThat(again.paid()).isZero();
        assertThat(again.stepsDone()).isEqualTo(out.stepsDone());
        assertThat(chain.usd(b.account())).isEqualTo(BigInteger.valueOf(1_000_000 - shouts * McpChain.PRICE));
    }

    @Test
    void aModelDrivenAgentWithoutAGatewaySaysSo() throws Exception {
        Buyer b = buyer(10_000, 2_000);
        AgentSpec spec = AgentSpec.parse("test", modelSpec("auto", 2, "").getBytes(StandardCharsets.UTF_8));
        AgentRuntime.Outcome out = new AgentRuntime(spec, home, new AgentRuntime.Wiring(b.asSession(), b.key(),
                chain.client, Optional.of(new ServiceDirectory(chain.as(owner).identity(),
                java.net.http.HttpClient.newHttpClient())), Optional.empty(), new SecureRandom(), Optional.empty()),
                BigInteger.valueOf(2_000), Clock.systemUTC()).run();
        assertThat(out.reason()).contains("no gateway was given");
        assertThat(out.paid()).isZero();
    }

    @Test
    void findsTheSellerInTheRegistryPaysWithinPolicyAndRatesWithProof() throws Exception {
        Buyer b = buyer(10_000, 2_000);
        BigInteger sellerBefore = chain.usd(chain.payee.getAddress());
        AgentRuntime.Outcome out = runtime(b, spec(2, ",\"rate\":{\"value\":90,\"tag\":\"quality\"}"), 2_000).run();

        assertThat(out.reason()).as(log()).isEqualTo("finished");
        assertThat(out.paid()).isEqualTo(2);
        assertThat(out.spent()).isEqualTo(BigInteger.valueOf(2 * McpChain.PRICE));
        assertThat(chain.usd(b.account())).isEqualTo(BigInteger.valueOf(1_000_000 - 2 * McpChain.PRICE));
        assertThat(chain.usd(chain.payee.getAddress())).isEqualTo(sellerBefore.add(BigInteger.valueOf(2 * McpChain.PRICE)));
        var summary = chain.as(owner).reputation().summary(sellerId, List.of(b.account()), "", "");
        assertThat(summary.count()).isEqualTo(2);
        String log = log();
        assertThat(log).contains("found in the identity registry").contains("result: CALL 0").contains("result: CALL 1")
                .contains("settled in 0x").contains("rated agent #" + sellerId + " 90/100");
    }

    @Test
    void aBudgetExhaustedOnChainStopsSpendingHoweverMuchTheRuntimeAsks() throws Exception {
        Buyer b = buyer(3_000, 2_000);
        // a runtime that would pay anything per call: the account's policy is the limit that holds
        AgentRuntime.Outcome out = runtime(b, spec(4, ""), 1_000_000_000L).run();

        assertThat(out.reason()).as(log()).startsWith("refused by policy").contains("PeriodLimitExceeded");
        assertThat(out.paid()).isEqualTo(2);
        assertThat(chain.usd(b.account())).isEqualTo(BigInteger.valueOf(1_000_000 - 3_000));
        assertThat(log()).contains("refused by the account's policy");
        // the refused step is not journaled as done: a run after the owner raises the budget retries it
        assertThat(new SpendJournal(home.resolve("journal.jsonl")).read().isDone(2)).isFalse();
        assertThat(new SpendJournal(home.resolve("journal.jsonl")).read().isDone(1)).isTrue();
        // the key itself, trying to spend directly, is refused the same way
        assertThatThrownBy(() -> b.asSession().pay(chain.token().lowercaseHex(), chain.payee.getAddress(), BigInteger.ONE))
                .isInstanceOf(HyphaException.class).hasMessageContaining("PeriodLimitExceeded");
    }

    @Test
    void aPricePerCallAboveThePolicyIsRefusedOnChain() throws Exception {
        Buyer b = buyer(10_000, 1_000);
        AgentRuntime.Outcome out = runtime(b, spec(1, ""), 1_000_000_000L).run();
        assertThat(out.reason()).as(log()).contains("AboveMaxPerCall");
        assertThat(out.paid()).isZero();
        assertThat(chain.usd(b.account())).isEqualTo(BigInteger.valueOf(1_000_000));
    }

    @Test
    void killedAfterThePaymentSettledButBeforeTheAnswerWasJournaledItDoesNotPayAgain() throws Exception {
        Buyer b = buyer(10_000, 2_000);
        int runs = chain.shouts.get();
        // the first runtime books and pays step 0, then dies before journaling the answer
        SpendJournal journal = new SpendJournal(home.resolve("journal.jsonl"));
        AgentAccountPayer payer = new AgentAccountPayer(b.asSession(), b.key(), chain.client, journal, 0, Optional.empty(),
                new SecureRandom());
        try (PayingMcpClient mcp = new PayingMcpClient(chain.mcpUrl(), payer, chain.client.chainId(), BigInteger.valueOf(2_000))) {
            assertThat(mcp.call("shout", Map.of("text", "call 0")).text()).isEqualTo("CALL 0");
        }
        assertThat(journal.read().pending()).containsKey(0);

        AgentRuntime.Outcome out = runtime(b, spec(2, ""), 2_000).run();
        assertThat(out.reason()).as(log()).isEqualTo("finished");
        assertThat(out.paid()).isEqualTo(1);
        assertThat(chain.shouts.get()).isEqualTo(runs + 2);
        assertThat(chain.usd(b.account())).isEqualTo(BigInteger.valueOf(1_000_000 - 2 * McpChain.PRICE));
        assertThat(log()).contains("already settled");
    }

    @Test
    void killedAfterBookingButBeforeSendingItReusesTheBooking() throws Exception {
        Buyer b = buyer(10_000, 2_000);
        SpendJournal journal = new SpendJournal(home.resolve("journal.jsonl"));
        AgentAccountPayer payer = new AgentAccountPayer(b.asSession(), b.key(), chain.client, journal, 0, Optional.empty(),
                new SecureRandom());
        payer.pay(chain.price(chain.payee.getAddress()), chain.price(chain.payee.getAddress()).toJson(), "mcp://tool/shout");
        BigInteger remaining = b.asSession().remainingInPeriod(chain.token().lowercaseHex());
        assertThat(remaining).isEqualTo(BigInteger.valueOf(10_000 - McpChain.PRICE));

        AgentRuntime.Outcome out = runtime(b, spec(1, ""), 2_000).run();
        assertThat(out.reason()).as(log()).isEqualTo("finished");
        assertThat(out.paid()).isEqualTo(1);
        assertThat(b.asSession().remainingInPeriod(chain.token().lowercaseHex())).isEqualTo(remaining);
        assertThat(chain.usd(b.account())).isEqualTo(BigInteger.valueOf(1_000_000 - McpChain.PRICE));
        assertThat(log()).contains("resuming payment");
    }

    @Test
    void aStopRequestEndsTheRunBeforeTheNextStep() throws Exception {
        Buyer b = buyer(10_000, 2_000);
        Files.createDirectories(home);
        Files.writeString(home.resolve(AgentRuntime.STOP_FILE), "");
        AgentRuntime.Outcome out = runtime(b, spec(2, ""), 2_000).run();
        assertThat(out.reason()).isEqualTo("stopped");
        assertThat(out.paid()).isZero();
    }

    private static String fetchSpec(LoopbackPages pages, String rest) {
        return """
                {"name":"fetcher","budget":{"limit":"1","perCall":"1","guardian":"%s"},"tools":[],
                 "fetch":{"hosts":["127.0.0.1:%d"],"timeoutSeconds":5},%s}""".formatted(guardian.getAddress(), pages.port(), rest);
    }

    @Test
    void theModelChoosesHttpFetchAndEachFetchIsLoggedWithoutPaying() throws Exception {
        Buyer b = buyer(10_000, 2_000);
        try (LoopbackPages pages = new LoopbackPages()) {
            AgentRuntime.Outcome out = runtime(b, fetchSpec(pages, "\"task\":\"Fetch " + pages.url("/hello")
                    + "\",\"toolChoice\":\"required\",\"maxSteps\":2"), 2_000).run();

            // a call is required and http_fetch is the only tool: two fetches, of whatever URL the model wrote
            assertThat(out.reason()).as(log()).isEqualTo("step limit");
            assertThat(out.paid()).isZero();
            assertThat(chain.usd(b.account())).isEqualTo(BigInteger.valueOf(1_000_000));
            List<String[]> calls = chosen();
            assertThat(calls).hasSize(2).allSatisfy(c -> assertThat(c[0]).isEqualTo(HttpFetch.TOOL));
            for (String[] c : calls) {
                var args = new com.fasterxml.jackson.databind.ObjectMapper().readTree(c[1]);
                assertThat(args.properties()).as(c[1]).hasSize(1);
                assertThat(args.get("url").textValue().length()).isLessThanOrEqualTo(ToolMenu.MAX_ARGUMENT_CHARS);
            }
            String log = log();
            assertThat(log).contains("http_fetch: GET a text or JSON page from [127.0.0.1:" + pages.port() + "]",
                    "chooses among [http_fetch]");
            // each turn's fetch is logged: fetched (url, status, bytes) or refused with why
            long fetched = log.lines().filter(l -> l.contains("| fetched ")).count();
            long refused = log.lines().filter(l -> l.contains("| fetch refused: ")).count();
            assertThat(fetched + refused).as(log).isEqualTo(2);
            int hits = pages.hits.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum();
            assertThat(hits).as(log).isGreaterThanOrEqualTo((int) fetched);
            if (fetched == 0) {
                assertThat(hits).isZero();
            }
        }
    }

    @Test
    void fixedFetchStepsReadAllowedPagesAndRefuseARedirectOffTheList() throws Exception {
        Buyer b = buyer(10_000, 2_000);
        try (LoopbackPages pages = new LoopbackPages(); LoopbackPages other = new LoopbackPages()) {
            String steps = """
                    "steps":[{"tool":"http_fetch","arguments":{"url":"%s"}},{"tool":"http_fetch","arguments":{"url":"%s"}},
                             {"tool":"http_fetch","arguments":{"url":"%s"}},{"tool":"http_fetch","arguments":{}}]"""
                    .formatted(pages.url("/to-hello"), pages.url("/to?" + other.url("/hello")), pages.url("/png"));
            AgentRuntime.Outcome out = runtime(b, fetchSpec(pages, steps), 2_000).run();

            assertThat(out.reason()).as(log()).isEqualTo("finished");
            assertThat(out.stepsDone()).isEqualTo(4);
            assertThat(out.paid()).isZero();
            String log = log();
            assertThat(log).contains("step 1 | redirected: 302 " + pages.url("/hello"),
                    "step 1 | fetched " + pages.url("/hello") + ": status 200, 5 bytes, text/plain; charset=utf-8",
                    "step 1 | result: HTTP 200 text/plain; charset=utf-8: hello",
                    "step 2 | fetch refused: " + pages.url("/to?" + other.url("/hello")) + " redirects (302) off the allowlist",
                    "step 3 | fetch refused: " + pages.url("/png") + " answered 200 with content type 'image/png'",
                    "step 4 | fetch refused: http_fetch takes exactly one argument, url");
            assertThat(other.hits("/hello")).isZero();
            var journal = new SpendJournal(home.resolve("journal.jsonl")).read();
            assertThat(journal.done()).containsEntry(0, "ok").containsEntry(1, "tool-error");
        }
    }
}
