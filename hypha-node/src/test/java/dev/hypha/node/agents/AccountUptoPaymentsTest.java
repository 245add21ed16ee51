package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.agents.SpendingLimit;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.channels.VoucherDomain;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.mcp.McpChain;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.provider.ChannelGate;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.Redeemer;
import dev.hypha.node.x402.UptoChannelClient;
import dev.hypha.node.x402.UptoChannelPaywall;
import dev.hypha.node.x402.UptoRequirement;
import dev.hypha.node.x402.X402;
import io.javalin.http.HandlerType;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * x402 {@code upto} paid from an agent's AgentAccount over a payment channel the account funds through its on-chain
 * policy and its session key signs for (anvil + loopback): the provider (dev account 2) checks each voucher with the
 * account's ERC-1271 before it serves, charges what the call cost, and redeems the sum on chain with the account's
 * voucher envelope. A metered endpoint costs 10 units per word, at most {@value #MAX} a call.
 */
class AccountUptoPaymentsTest {
    private static final long MAX = 1_000;
    private static final long DEPOSIT = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static McpChain chain;
    private static Credentials owner;
    private static Credentials provider;
    private static int salt;

    @TempDir
    Path dir;
    private ProviderLedger ledger;
    private PayerLedger payerLedger;
    private ApiServer server;
    private final AtomicInteger served = new AtomicInteger();

    @BeforeAll
    static void start() {
        chain = new McpChain();
        owner = chain.devnet.account(5);
        provider = chain.payee;
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    @BeforeEach
    void startProvider() {
        PaymentChannelsClient channels = chain.as(provider).channels();
        ledger = ProviderLedger.open(dir.resolve("provider.sqlite"), channels.voucherDomain(), channels::accountAccepts);
        payerLedger = PayerLedger.open(dir.resolve("payer.sqlite"), channels.voucherDomain());
        ProviderTerms terms = new ProviderTerms(chain.client.chainId(), chain.token(), addr(provider), channelsAddress(),
                new Prices(BigInteger.ONE, BigInteger.ONE), 60);
        UptoChannelPaywall paywall = new UptoChannelPaywall(terms, new ChannelGate(terms, ledger, channels::state), ledger);
        server = new ApiServer("127.0.0.1", 0, List.of(paywall.routes(List.of(new UptoChannelPaywall.MeteredRoute(
                HandlerType.GET, "/metered/words", BigInteger.valueOf(MAX), "n words, 10 units each", ctx -> {
                    long n = Long.parseLong(ctx.queryParam("n"));
                    served.incrementAndGet();
                    ctx.json(Map.of("words", n));
                    return BigInteger.valueOf(n * 10);
                })))));
        server.start();
    }

    @AfterEach
    void stopProvider() {
        server.close();
        ledger.close();
        payerLedger.close();
    }

    private record Agent(AgentAccountsClient.Account asKey, Credentials key, ChannelParams channel) {}

    /** An account allowing {@code limit} a day, {@code maxPerCall} a spend, paying only {@code payee}, with a session key. */
    private static Agent agent(long limit, long maxPerCall, Credentials payee) {
        HyphaContracts asOwner = chain.as(owner);
        String token = chain.token().lowercaseHex();
        String account = asOwner.agentAccounts().create(chain.devnet.account(6).getAddress(), 86_400,
                Hashes.keccak256(("upto-" + salt++).getBytes(StandardCharsets.UTF_8)));
        AgentAccountsClient.Account a = asOwner.agentAccounts().at(account);
        a.setLimit(token, new SpendingLimit(BigInteger.valueOf(limit), BigInteger.valueOf(maxPerCall), 86_400));
        a.setCounterparty(payee.getAddress(), true);
        a.setTrustedChannels(channelsAddress().lowercaseHex());
        Credentials key = newKey();
        long now = chain.client.latestBlock().getTimestamp().longValueExact();
        a.grantSession(key.getAddress(), 0, now + 86_400, BigInteger.TEN.pow(17), token, BigInteger.valueOf(limit),
                payee.getAddress());
        chain.sender(chain.devnet.account(0)).send(TxRequest.transfer(key.getAddress(), BigInteger.TEN.pow(18)));
        chain.as(chain.devnet.account(0)).payment().mint(account, BigInteger.valueOf(100_000));
        AgentAccountsClient.Account asKey = HyphaContracts.connect(chain.deployment, chain.sender(key)).agentAccounts()
                .at(account);
        return new Agent(asKey, key, AccountChannel.params(Address.parse(account), addr(payee), chain.token(), 0));
    }

    private Agent funded(Credentials payee) {
        Agent a = agent(20_000, DEPOSIT, payee);
        AccountChannel.ensureOpen(a.asKey(), channels(a.key()), payerLedger, a.channel(), BigInteger.valueOf(DEPOSIT));
        return a;
    }

    @Test
    void callsWithinTheMaximumSettleWhatTheyCostAndTheProviderRedeemsTheSumFromTheAccount() {
        Agent a = funded(provider);
        String account = a.asKey().address();
        assertThat(chain.usd(account)).as("the deposit left the account through its policy").isEqualTo(BigInteger.valueOf(95_000));
        assertThat(a.asKey().remainingInPeriod(chain.token().lowercaseHex())).isEqualTo(BigInteger.valueOf(15_000));
        // Opening again (a restart before the open was recorded) deposits nothing more.
        AccountChannel.ensureOpen(a.asKey(), channels(a.key()), payerLedger, a.channel(), BigInteger.valueOf(DEPOSIT));
        assertThat(chain.usd(account)).isEqualTo(BigInteger.valueOf(95_000));
        UptoChannelClient client = AccountChannel.client(HTTP, payerLedger, a.channel(), chain.client.chainId(),
                channelsAddress(), BigInteger.valueOf(MAX), a.key(), BigInteger.ZERO);
        BigInteger before = chain.usd(provider.getAddress());
        long block = chain.client.blockNumber();

        List<UptoChannelClient.Result> results = List.of(client.send(get(3)), client.send(get(12)), client.send(get(7)));

        assertThat(results).allSatisfy(r -> assertThat(r.response().statusCode()).isEqualTo(200));
        assertThat(results).extracting(UptoChannelClient.Result::cost)
                .containsExactly(BigInteger.valueOf(30), BigInteger.valueOf(120), BigInteger.valueOf(70));
        assertThat(results).extracting(r -> r.voucher().orElseThrow().cumulativeAmount())
                .containsExactly(BigInteger.valueOf(1_000), BigInteger.valueOf(1_030), BigInteger.valueOf(1_150));
        assertThat(chain.client.blockNumber()).as("no transaction per call").isEqualTo(block);
        assertThat(ledger.charged(a.channel().id())).isEqualTo(BigInteger.valueOf(220));

        List<Redeemer.Outcome> outcomes = Redeemer.onChain(ledger, chain.as(provider).channels()).redeemAll();

        assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.ok()).as(o.error()).isTrue());
        assertThat(chain.usd(provider.getAddress()).subtract(before)).isEqualTo(BigInteger.valueOf(220));
        assertThat(chain.as(provider).channels().state(a.channel().id()).remaining())
                .isEqualTo(BigInteger.valueOf(DEPOSIT - 220));
    }

    @Test
    void theAccountsPolicyRefusesADepositAboveItsMaximumOrToAProviderItDoesNotAllow() {
        Agent a = agent(20_000, 2_000, provider);
        assertThatThrownBy(() -> AccountChannel.ensureOpen(a.asKey(), channels(a.key()), payerLedger, a.channel(),
                BigInteger.valueOf(2_001))).isInstanceOf(HyphaException.class).hasMessageContaining("AboveMaxPerCall");
        ChannelParams elsewhere = AccountChannel.params(a.channel().payer(), addr(chain.devnet.account(4)),
                chain.token(), 0);
        assertThatThrownBy(() -> AccountChannel.ensureOpen(a.asKey(), channels(a.key()), payerLedger, elsewhere,
                BigInteger.valueOf(1_000))).isInstanceOf(HyphaException.class).hasMessageContaining("AgentAccount");
        assertThat(chain.usd(a.asKey().address())).isEqualTo(BigInteger.valueOf(100_000));
    }

    @Test
    void aVoucherBeyondWhatTheAccountFundedIsRefused() throws Exception {
        Agent a = funded(provider);

        // The account itself refuses it (it funded 5000), before the ledger looks at the deposit.
        assertRefused(header(a.channel(), voucher(a.key(), a.channel(), DEPOSIT + 1)), "nor accepted by it as an account");
        assertThatThrownBy(() -> AccountChannel.client(HTTP, payerLedger, a.channel(), chain.client.chainId(),
                channelsAddress(), BigInteger.valueOf(MAX), a.key(), BigInteger.valueOf(DEPOSIT - 10)).send(get(1)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("would exceed it");
        assertThat(served).hasValue(0);
    }

    @Test
    void aVoucherSignedByAKeyTheAccountDoesNotKnowIsRefused() throws Exception {
        Agent a = funded(provider);
        Credentials stranger = newKey();

        assertRefused(header(a.channel(), voucher(stranger, a.channel(), 1_000)), "nor accepted by it as an account");
        assertThat(served).hasValue(0);
    }

    @Test
    void workPaidWithTheFundingKeysVouchersIsRedeemedAfterTheOwnerFreezesRevokesAndDelists() throws Exception {
        Agent a = funded(provider);
        assertThat(pay(header(a.channel(), voucher(a.key(), a.channel(), 1_000)), 2).statusCode()).isEqualTo(200);
        BigInteger before = chain.usd(provider.getAddress());

        // The owner turns against the provider after the work: the deposit was charged to the policy when made.
        AgentAccountsClient.Account asOwner = chain.as(owner).agentAccounts().at(a.asKey().address());
        asOwner.freeze();
        asOwner.setCounterparty(provider.getAddress(), false);
        asOwner.execute(a.asKey().address(), org.web3j.abi.FunctionEncoder.encode(new org.web3j.abi.datatypes.Function(
                "revokeSession", List.of(new org.web3j.abi.datatypes.Address(a.key().getAddress())), List.of())));

        List<Redeemer.Outcome> outcomes = Redeemer.onChain(ledger, chain.as(provider).channels()).redeemAll();

        assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.ok()).as(o.error()).isTrue());
        assertThat(chain.usd(provider.getAddress()).subtract(before)).isEqualTo(BigInteger.valueOf(20));
        // The frozen account can deposit no more.
        assertThatThrownBy(() -> a.asKey().topUpChannel(a.channel(), BigInteger.ONE)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("AccountFrozen");
    }

    @Test
    void aChannelToAnotherProviderIsRefused() throws Exception {
        Credentials other = chain.devnet.account(4);
        Agent a = agent(20_000, DEPOSIT, other);
        AccountChannel.ensureOpen(a.asKey(), channels(a.key()), payerLedger, a.channel(), BigInteger.valueOf(DEPOSIT));

        assertRefused(header(a.channel(), voucher(a.key(), a.channel(), 1_000)), "not this provider");
        assertThatThrownBy(() -> AccountChannel.client(HTTP, payerLedger, a.channel(), chain.client.chainId(),
                channelsAddress(), BigInteger.valueOf(MAX), a.key(), BigInteger.ZERO).send(get(1)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("this client pays upto over channel");
    }

    @Test
    void aReplayedVoucherGainsNothing() throws Exception {
        Agent a = funded(provider);
        String paid = header(a.channel(), voucher(a.key(), a.channel(), 1_000));
        assertThat(pay(paid, 5).statusCode()).isEqualTo(200);

        JsonNode required = assertRefused(paid, "must promise at least 1050");

        assertThat(required.get("accepts").get(0).get("extra").get("charged").asText()).isEqualTo("50");
        assertThat(ledger.charged(a.channel().id())).isEqualTo(BigInteger.valueOf(50));
        assertThat(served).hasValue(1);
    }

    private JsonNode assertRefused(String paymentHeader, String reason) throws Exception {
        int servedBefore = served.get();
        HttpResponse<String> r = pay(paymentHeader, 1);
        assertThat(r.statusCode()).isEqualTo(402);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("error").asText()).contains(reason);
        assertThat(served).hasValue(servedBefore);
        return body;
    }

    private HttpResponse<String> pay(String paymentHeader, long words) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(get(words), (n, v) -> true)
                .header(X402.PAYMENT_SIGNATURE, paymentHeader).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpRequest get(long words) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metered/words?n=" + words))
                .GET().build();
    }

    private static String header(ChannelParams c, Voucher v) {
        return PaymentHeaders.paymentSignature(UptoRequirement.SCHEME, chain.client.chainId(), c, v);
    }

    private static Voucher voucher(Credentials key, ChannelParams c, long total) {
        VoucherDomain domain = chain.as(provider).channels().voucherDomain();
        return domain.sign(c.id(), BigInteger.valueOf(total), data -> Eip712.sign(data, key));
    }

    private static PaymentChannelsClient channels(Credentials who) {
        return HyphaContracts.connect(chain.deployment, chain.sender(who)).channels();
    }

    private static Address channelsAddress() {
        return Address.parse(chain.deployment.address(PaymentChannelsClient.NAME));
    }

    private static Credentials newKey() {
        try {
            return Credentials.create(Keys.createEcKeyPair());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Address addr(Credentials c) {
        return Address.parse(c.getAddress());
    }
}
