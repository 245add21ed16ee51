package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.agents.SpendingLimit;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.mcp.McpChain;
import dev.hypha.node.x402.Paywall;
import dev.hypha.node.x402.X402;
import io.javalin.http.HandlerType;
import java.math.BigInteger;
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
 * {@code http_fetch} meeting a real x402 server on loopback (a {@link Paywall} settling through the node's facilitator
 * on anvil): a page within the policy is paid once from the agent's AgentAccount and read; a payee the spec does not
 * allow, a price above the per-call maximum, and a budget the chain says is used up are each refused, logged with why,
 * with nothing paid and the page's work never done.
 */
class FetchPaymentTest {
    private static McpChain chain;
    private static ApiServer paywalled;
    private static final AtomicInteger served = new AtomicInteger();
    private static Credentials owner;
    private static int salt;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        chain = new McpChain();
        owner = chain.devnet.account(5);
        Paywall paywall = new Paywall(chain.facilitator);
        paywalled = new ApiServer("127.0.0.1", 0, List.of(paywall.routes(List.of(new Paywall.PaidRoute(HandlerType.GET,
                "/quote", chain.price(chain.payee.getAddress()), "a paid quote", ctx -> {
                    served.incrementAndGet();
                    ctx.contentType("text/plain").result("the quote is 42");
                }), new Paywall.PaidRoute(HandlerType.GET, "/sly", chain.price(chain.payee.getAddress()),
                "a page that keeps its receipt", ctx -> ctx.contentType("text/plain").result("the quote is 43")))),
                // /sly settles the payment like /quote but answers without its receipt
                api -> api.after("/sly", ctx -> ctx.res().setHeader(X402.PAYMENT_RESPONSE, null))));
        paywalled.start();
    }

    @AfterAll
    static void stop() {
        paywalled.close();
        chain.close();
    }

    private record Agent(String account, AgentRuntime runtime) {}

    /** An agent whose account may pay the paywall's payee up to {@code limit} a day, with fixed fetch steps. */
    private Agent agent(long limit, long maxPerCall, String allow, int fetches) throws Exception {
        return agent(limit, maxPerCall, allow, fetches, "/quote");
    }

    private Agent agent(long limit, long maxPerCall, String allow, int fetches, String path) throws Exception {
        HyphaContracts asOwner = chain.as(owner);
        String token = chain.token().lowercaseHex();
        String account = asOwner.agentAccounts().create(chain.devnet.account(6).getAddress(), 86_400,
                Hashes.keccak256(("fetcher-" + salt++).getBytes(StandardCharsets.UTF_8)));
        AgentAccountsClient.Account a = asOwner.agentAccounts().at(account);
        a.setLimit(token, new SpendingLimit(BigInteger.valueOf(limit), BigInteger.valueOf(limit), 86_400));
        a.setCounterparty(chain.payee.getAddress(), true);
        Credentials key = Credentials.create(Keys.createEcKeyPair());
        long now = chain.client.latestBlock().getTimestamp().longValueExact();
        a.grantSession(key.getAddress(), 0, now + 86_400, BigInteger.TEN.pow(17), token, BigInteger.valueOf(limit),
                chain.payee.getAddress());
        chain.sender(chain.devnet.account(0)).send(TxRequest.transfer(key.getAddress(), BigInteger.TEN.pow(18)));
        chain.as(chain.devnet.account(0)).payment().mint(account, BigInteger.valueOf(100_000));
        String url = "http://127.0.0.1:" + paywalled.port() + path;
        StringBuilder steps = new StringBuilder();
        for (int i = 0; i < fetches; i++) {
            steps.append(i == 0 ? "" : ",").append("{\"tool\":\"http_fetch\",\"arguments\":{\"url\":\"").append(url).append("\"}}");
        }
        String spec = """
                {"name":"fetcher","task":"read the quote","budget":{"limit":"1","guardian":"%s","allow":["%s"]},
                 "tools":[],"fetch":{"hosts":["127.0.0.1:%d"],"timeoutSeconds":30},"steps":[%s]}"""
                .formatted(owner.getAddress(), allow, paywalled.port(), steps);
        AgentRuntime.Wiring wiring = new AgentRuntime.Wiring(
                HyphaContracts.connect(chain.deployment, chain.sender(key)).agentAccounts().at(account), key, chain.client,
                Optional.empty(), Optional.empty(), new SecureRandom(), Optional.empty());
        Path dir = home.resolve("agent-" + salt);
        Files.createDirectories(dir);
        return new Agent(account, new AgentRuntime(AgentSpec.parse("t", spec.getBytes(StandardCharsets.UTF_8)), dir,
                wiring, BigInteger.valueOf(maxPerCall), Clock.systemUTC()));
    }

    private static String log(Agent a) throws Exception {
        return Files.readString(a.runtime().log().file());
    }

    @Test
    void aPageWithinThePolicyIsPaidOnceAndRead() throws Exception {
        Agent a = agent(10_000, 5_000, chain.payee.getAddress(), 1);
        BigInteger payeeBefore = chain.usd(chain.payee.getAddress());
        int servedBefore = served.get();
        AgentRuntime.Outcome out = a.runtime().run();
        String log = log(a);
        assertThat(out.reason()).as(log).isEqualTo("finished");
        assertThat(out.paid()).isEqualTo(1);
        assertThat(out.spent()).isEqualTo(BigInteger.valueOf(McpChain.PRICE));
        assertThat(log).contains("booked " + McpChain.PRICE + " to ", "settled in 0x", "result: HTTP 200 text/plain",
                "the quote is 42");
        assertThat(served.get()).isEqualTo(servedBefore + 1);
        assertThat(chain.usd(a.account())).isEqualTo(BigInteger.valueOf(100_000 - McpChain.PRICE));
        assertThat(chain.usd(chain.payee.getAddress())).isEqualTo(payeeBefore.add(BigInteger.valueOf(McpChain.PRICE)));
        // a rerun: the step is done, nothing is fetched or paid again
        assertThat(a.runtime().run().paid()).isZero();
        assertThat(served.get()).isEqualTo(servedBefore + 1);
    }

    /** A page that takes the payment and answers without a receipt still cost it: the run counts it as spent. */
    @Test
    void aPaymentAnsweredWithoutAReceiptCountsAsSpent() throws Exception {
        Agent a = agent(10_000, 5_000, chain.payee.getAddress(), 1, "/sly");
        AgentRuntime.Outcome out = a.runtime().run();
        String log = log(a);
        assertThat(out.paid()).as(log).isEqualTo(1);
        assertThat(out.spent()).isEqualTo(BigInteger.valueOf(McpChain.PRICE));
        assertThat(log).contains("with no settlement receipt in the answer (status 200): counted as spent",
                "the quote is 43");
        assertThat(chain.usd(a.account())).isEqualTo(BigInteger.valueOf(100_000 - McpChain.PRICE));
    }

    @Test
    void aPayeeTheSpecDoesNotAllowOrAPriceAboveTheCapIsNotPaid() throws Exception {
        int servedBefore = served.get();
        Agent stranger = agent(10_000, 5_000, chain.devnet.account(7).getAddress(), 1);
        AgentRuntime.Outcome out = stranger.runtime().run();
        assertThat(out.paid()).isZero();
        assertThat(log(stranger)).contains("payment refused: ", "is not in the spec's budget.allow", "fetch refused: ");
        assertThat(chain.usd(stranger.account())).isEqualTo(BigInteger.valueOf(100_000));

        Agent capped = agent(10_000, McpChain.PRICE - 1, chain.payee.getAddress(), 1);
        assertThat(capped.runtime().run().paid()).isZero();
        assertThat(log(capped)).contains("price " + McpChain.PRICE + " is above the per-call maximum " + (McpChain.PRICE - 1));
        assertThat(chain.usd(capped.account())).isEqualTo(BigInteger.valueOf(100_000));
        assertThat(served.get()).isEqualTo(servedBefore);
    }

    @Test
    void aBudgetUsedUpOnChainStopsTheRun() throws Exception {
        // a day's limit of two prices minus one: the second fetch's booking is refused by the account
        Agent a = agent(2 * McpChain.PRICE - 1, 5_000, chain.payee.getAddress(), 3);
        int servedBefore = served.get();
        AgentRuntime.Outcome out = a.runtime().run();
        String log = log(a);
        assertThat(out.reason()).as(log).startsWith("refused by policy").contains("PeriodLimitExceeded");
        assertThat(out.paid()).isEqualTo(1);
        assertThat(log).contains("refused by the account's policy");
        assertThat(served.get()).isEqualTo(servedBefore + 1);
        assertThat(chain.usd(a.account())).isEqualTo(BigInteger.valueOf(100_000 - McpChain.PRICE));
    }
}
