package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.agents.AgentFolder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's "done when" on {@code hypha localnet --providers 1 --agents}, with its real provider process: a
 * standalone seller agent ({@code hypha agent serve seller}, its own process) sells {@code write} over MCP and x402
 * into its own AgentAccount, registered by that account in the identity registry with its endpoints and price, and
 * does the work by buying inference from the provider it chose from the on-chain hypha-tiny offers, with x402
 * {@code upto} vouchers over a payment channel its account funded through its policy (no transaction per call; the
 * provider redeems the charged total when localnet stops); the buyer
 * agent finds it through the identity registry, its model (hypha-tiny through the paying gateway, decoding held to the
 * tool's call) chooses the calls, pays within its AgentAccount's policy and rates the seller with each payment as
 * proof; a third agent pays the seller's x402 endpoint met by {@code http_fetch}; a fourth agent's budget, used up on
 * chain, stops its spending, and its session key signing directly (a rogue runtime) is refused the same way.
 */
class LocalnetAgentsTest {
    private static final Pattern SELLER = Pattern.compile("Seller agent #(\\d+) .*x402 at (\\S+),");
    /** The seller's inference as localnet prints it: the offer it chose and the channel its account funded. */
    private static final Pattern CHANNEL = Pattern.compile("its inference: (\\S+) from (0x[0-9a-fA-F]{40}) \\(the best of"
            + " the offers for .* paid with upto vouchers over channel (0x[0-9a-f]{64}) to ");
    /** One voucher in the seller's log: cost, provider, voucher total, channel, charged total. */
    private static final Pattern VOUCHER = Pattern.compile("\\| paid (\\d+) for inference to (0x[0-9a-fA-F]{40}) with a"
            + " voucher for (\\d+) on channel (0x[0-9a-f]{64}) \\(charged (\\d+) of ");
    private static final BigInteger DEPOSIT = BigInteger.valueOf(5_000);

    @Test
    void anAgentFindsPaysAndRatesAnotherAndAnExhaustedBudgetStopsSpending(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("home");
        int rpcPort = freePort();
        int apiPort = freePort();
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString(), "HYPHA_DEVNET_PORT", Integer.toString(rpcPort),
                "HYPHA_API_LISTEN", "127.0.0.1:" + apiPort, "HYPHA_RPC_URL", "http://127.0.0.1:" + rpcPort);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        var cli = Hypha.commandLine(new CliEnvironment(env, Path.of("/nonexistent-user-home"), () -> {
            ready.countDown();
            stop.await();
        }));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int[] exit = {-1};
        BigInteger[] chargedTotal = {BigInteger.ZERO};
        String[] channelId = {""};
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                exit[0] = cli.execute("localnet", "--providers", "1", "--agents");
            } finally {
                ready.countDown();
            }
        });
        try {
            ready.await();
            assertThat(out.toString()).as(err.toString()).contains("Created agent seller", "Created agent buyer",
                    "funded with 0.05 hUSD", "run it: hypha agent run buyer --dev-account 9", "Running. Press Ctrl-C");
            Matcher m = SELLER.matcher(out.toString());
            assertThat(m.find()).as(out.toString()).isTrue();
            BigInteger sellerId = new BigInteger(m.group(1));
            String sellerX402 = m.group(2);
            Deployment deployment = new Deployments(home.resolve("deployments")).load(31_337L).orElseThrow();
            try (ChainClient chain = ChainClient.connect("http://127.0.0.1:" + rpcPort)) {
                HyphaContracts reader = HyphaContracts.readOnly(deployment, chain);
                String buyer = new AgentFolder(home, "buyer").record().account();
                String seller = new AgentFolder(home, "seller").record().account();
                // the seller chose provider 1 (dev account 1, the only one) from the hypha-tiny offers and opened a
                // channel to it from its account, through its policy: 0.005 hUSD of its 0.02 are deposited
                String provider = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
                Matcher opened = CHANNEL.matcher(out.toString());
                assertThat(opened.find()).as(out.toString()).isTrue();
                assertThat(opened.group(1)).isEqualTo("hypha-tiny:latest");
                assertThat(opened.group(2)).isEqualTo(provider);
                String channel = opened.group(3);
                assertThat(reader.channels().state(channel).deposit()).isEqualTo(DEPOSIT);
                BigInteger sellerBefore = reader.payment().balanceOf(seller);
                BigInteger providerBefore = reader.payment().balanceOf(provider);
                assertThat(sellerBefore).isEqualTo(LocalnetCommand.SELLER_FUNDS.subtract(DEPOSIT));
                // the seller registered itself: its account owns its identity and is its wallet
                assertThat(reader.identity().ownerOf(sellerId)).isEqualToIgnoringCase(seller);
                assertThat(reader.identity().agentWallet(sellerId)).isEqualToIgnoringCase(seller);
                // its x402 endpoint: a request it cannot use is refused before any payment; a good one asks its price
                var http = java.net.http.HttpClient.newHttpClient();
                var bad = http.send(java.net.http.HttpRequest.newBuilder(URI.create(sellerX402)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(bad.body()).contains("?prompt=");
                var unpaid = http.send(java.net.http.HttpRequest.newBuilder(URI.create(sellerX402 + "?prompt=Ada")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(unpaid.statusCode()).isEqualTo(402);
                var asked = dev.hypha.node.x402.PaymentRequired.parseHeader(
                        unpaid.headers().firstValue("PAYMENT-REQUIRED").orElseThrow()).accepts().getFirst();
                assertThat(asked.amount()).isEqualTo(BigInteger.valueOf(3_000));
                assertThat(asked.payTo().lowercaseHex()).isEqualToIgnoringCase(seller);
                assertThat(reader.payment().balanceOf(seller)).isEqualTo(sellerBefore);

                Run run = hypha(env, "agent", "run", "buyer", "--dev-account", "9");
                String log = Files.readString(home.resolve("agents/buyer/agent.log"));
                String sellerLog = Files.readString(home.resolve("agents/seller/agent.log"));
                assertThat(run.exit()).as(run.out() + run.err() + log + sellerLog).isZero();
                assertThat(run.out()).as(log + sellerLog)
                        .contains("Agent buyer: step limit; 2/2 steps done, 2 paid this run (0.006 hUSD)");
                assertThat(log).contains("(found in the identity registry)", "model | hypha-tiny", "model chose write {\"prompt\":\"",
                        "settled in 0x", "rated agent #" + sellerId + " 90/100 with this payment as proof");
                // the seller bought its inference for each request it was paid for with a voucher on its channel:
                // no transaction, each cumulative voucher the charged total before it plus the call's maximum
                assertThat(sellerLog).contains("serve 1 | request: ", "serve 2 | request: ", "answered: ");
                assertThat(vouchers(sellerLog, provider, channel).count()).as(sellerLog).isEqualTo(2);
                assertThat(reader.payment().balanceOf(buyer)).isEqualTo(BigInteger.valueOf(50_000 - 6_000));
                // the seller keeps all 6000 it earned: its inference is paid from the deposit, redeemed by the provider
                assertThat(reader.payment().balanceOf(seller)).isEqualTo(sellerBefore.add(BigInteger.valueOf(6_000)));
                assertThat(reader.payment().balanceOf(provider)).isEqualTo(providerBefore);
                assertThat(reader.channels().state(channel).deposit()).isEqualTo(DEPOSIT);
                channelId[0] = channel;
                assertThat(reader.reputation().summary(sellerId, List.of(buyer), "localnet", "").count()).isEqualTo(2);

                // an agent whose http_fetch meets the seller's x402 endpoint pays it within its policy
                URI x402 = URI.create(sellerX402);
                Path readerSpec = dir.resolve("reader.json");
                Files.writeString(readerSpec, """
                        {"name": "reader", "task": "read a greeting",
                         "budget": {"limit": "0.01", "perCall": "0.005", "period": "1d",
                                    "guardian": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "allow": ["%s"]},
                         "tools": [], "fetch": {"hosts": ["%s:%d"], "timeoutSeconds": 60},
                         "steps": [{"tool": "http_fetch", "arguments": {"url": "%s?prompt=Ada"}}]}
                        """.formatted(seller, x402.getHost(), x402.getPort(), sellerX402));
                assertThat(hypha(env, "agent", "create", readerSpec.toString(), "--dev-account", "9").exit()).isZero();
                assertThat(hypha(env, "agent", "fund", "reader", "0.01", "--dev-account", "9").exit()).isZero();
                Run fetched = hypha(env, "agent", "run", "reader", "--dev-account", "9");
                String readerLog = Files.readString(home.resolve("agents/reader/agent.log"));
                assertThat(fetched.exit()).as(fetched.out() + fetched.err() + readerLog).isZero();
                assertThat(fetched.out()).contains("Agent reader: finished; 1/1 steps done, 1 paid this run (0.003 hUSD)");
                assertThat(readerLog).contains("booked 3000 to ", "settled in 0x", "result: HTTP 200 text/plain");
                String readerAccount = new AgentFolder(home, "reader").record().account();
                assertThat(reader.payment().balanceOf(readerAccount)).isEqualTo(BigInteger.valueOf(10_000 - 3_000));
                assertThat(reader.payment().balanceOf(seller)).isEqualTo(sellerBefore.add(BigInteger.valueOf(9_000)));

                // a budget of 0.004 hUSD a day pays one 0.003 call; the chain refuses the second, whatever the runtime does
                Path thrifty = dir.resolve("thrifty.json");
                Files.writeString(thrifty, Files.readString(home.resolve("localnet/buyer.json"))
                        .replace("\"buyer\"", "\"thrifty\"").replace("\"limit\": \"0.01\"", "\"limit\": \"0.004\"")
                        .replace("\"perCall\": \"0.005\"", "\"perCall\": \"0.004\""));
                assertThat(hypha(env, "agent", "create", thrifty.toString(), "--dev-account", "9").exit()).isZero();
                assertThat(hypha(env, "agent", "fund", "thrifty", "0.01", "--dev-account", "9").exit()).isZero();
                Run refused = hypha(env, "agent", "run", "thrifty", "--dev-account", "9");
                assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(ExitCodes.CHAIN);
                assertThat(refused.out()).contains("Agent thrifty: refused by policy", "PeriodLimitExceeded",
                        "1 paid this run (0.003 hUSD)");
                AgentFolder folder = new AgentFolder(home, "thrifty");
                String account = folder.record().account();
                assertThat(reader.payment().balanceOf(account)).isEqualTo(BigInteger.valueOf(10_000 - 3_000));
                // a rogue runtime holding the session key, signing a payment itself: refused on chain the same way
                var rogue = HyphaContracts.connect(deployment, new TransactionSender(chain, folder.sessionKey(),
                        new NonceManager(chain), RevertDecoder.forHyphaContracts())).agentAccounts().at(account);
                assertThatThrownBy(() -> rogue.pay(deployment.address(PaymentTokenClient.NAME), seller, BigInteger.valueOf(1_001)))
                        .isInstanceOf(HyphaException.class).hasMessageContaining("AgentAccount:").hasMessageContaining("Exceeded");
                assertThat(reader.payment().balanceOf(account)).isEqualTo(BigInteger.valueOf(10_000 - 3_000));
                // four paid calls in all (buyer 2, reader 1, thrifty 1), each bought its inference with one voucher,
                // all within the one deposit; the seller's account kept every 3000 it was paid
                Voucher total = vouchers(Files.readString(home.resolve("agents/seller/agent.log")), provider, channel);
                assertThat(total.count()).isEqualTo(4);
                assertThat(total.charged()).isLessThanOrEqualTo(DEPOSIT);
                assertThat(reader.payment().balanceOf(seller)).isEqualTo(sellerBefore.add(BigInteger.valueOf(12_000)));
                assertThat(reader.channels().state(channel).deposit()).isEqualTo(DEPOSIT);
                chargedTotal[0] = total.charged();
            }
        } finally {
            stop.countDown();
            thread.join();
        }
        assertThat(exit[0]).as(err.toString()).isZero();
        // the seller stops first; provider 1 then redeems what the vouchers charged (and the reader's 3000 was paid
        // over x402 exact, not through the channel)
        assertThat(out.toString()).contains("Redeemed channel " + channelId[0] + ": " + chargedTotal[0] + " paid out in total");
    }

    private record Run(int exit, String out, String err) {}

    private record Voucher(int count, BigInteger charged) {}

    /**
     * The seller's vouchers, in order, checked one by one: each to {@code provider} on {@code channel}, each call's cost
     * above 0, the voucher's cumulative total above what was charged with it (it authorizes the call's maximum), the
     * charged total their running sum.
     */
    private static Voucher vouchers(String sellerLog, String provider, String channel) {
        Matcher paid = VOUCHER.matcher(sellerLog);
        BigInteger charged = BigInteger.ZERO;
        int n = 0;
        while (paid.find()) {
            n++;
            assertThat(paid.group(2)).isEqualTo(provider);
            assertThat(paid.group(4)).isEqualTo(channel);
            BigInteger cost = new BigInteger(paid.group(1));
            assertThat(cost.signum()).isPositive();
            assertThat(new BigInteger(paid.group(3))).isGreaterThan(charged.add(cost));
            charged = charged.add(cost);
            assertThat(new BigInteger(paid.group(5))).isEqualTo(charged);
        }
        return new Voucher(n, charged);
    }

    /** Runs one {@code hypha} command against the running network, in this process. */
    private static Run hypha(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Hypha.commandLine(new CliEnvironment(env, Path.of("/nonexistent-user-home"), () -> { }));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
