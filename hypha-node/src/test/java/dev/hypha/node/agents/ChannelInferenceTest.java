package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.agents.SpendingLimit;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.mcp.McpChain;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.offers.OfferSource;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.x402.MeteredCompletions;
import dev.hypha.node.x402.UptoChannelPaywall;
import dev.hypha.node.x402.X402Client;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * A selling agent ({@code serve.channel}) that buys its inference from a real provider (hypha-tiny behind
 * {@code ProviderService}'s metered completions) with x402 {@code upto} over a channel its AgentAccount funds, on anvil:
 * one deposit through the account's policy, then each paid request buys a completion with a voucher and no
 * transaction, logged with the voucher's amount; the provider redeems what the tokens cost; a restarted seller
 * deposits nothing more and continues from the channel's charged total; a deposit that runs low is topped up through
 * the policy; a provider the account does not allow gets no deposit, nor does one whose 402 names another payee than
 * the offer it was chosen from or asks more for one call than the account's per-call maximum, and an account holding
 * less than the deposit opens no channel. A provider chosen from an offer is held to that offer's prices: one whose 402
 * asks more than they make for a call's bounds gets no deposit, and one that settles a call above what they make for
 * the tokens it reports has its answer refused and is paid nothing more than that one voucher allowed. A seller whose
 * offer-chosen provider goes down fails over to the next offer, through its account's policy, within the request (and
 * one unreachable at start is passed over before any deposit).
 */
class ChannelInferenceTest {
    private static final Prices PRICES = new Prices(BigInteger.valueOf(100_000), BigInteger.valueOf(200_000));
    private static final long PRICE = 2_000;
    private static final long DEPOSIT = 5_000;
    private static McpChain chain;
    private static LocalBackend engine;
    private static ProviderService provider;
    private static int salt;

    @TempDir
    static Path models;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        chain = new McpChain();
        Path tiny = models.resolve("hypha-tiny.gguf");
        try (InputStream in = ChannelInferenceTest.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, tiny);
        }
        ModelStore store = new ModelStore(models.resolve("home"), Clock.systemUTC());
        store.importModel(tiny, ModelName.parse("hypha-tiny"), (d, t) -> { });
        engine = new LocalBackend(store, LocalBackend.Settings.defaults());
        Address payee = Address.parse(chain.payee.getAddress());
        ProviderTerms terms = new ProviderTerms(chain.client.chainId(), chain.token(), payee,
                Address.parse(chain.deployment.address(PaymentChannelsClient.NAME)), PRICES, 60);
        provider = ProviderService.start(engine, terms, chain.as(chain.payee).channels(),
                new ReceiptSigner(new ReceiptDomain(chain.client.chainId(),
                        Address.parse(chain.deployment.address("ProviderRegistry"))), payee,
                        chain.sender(chain.payee)::signTypedData), models.resolve("ledger.sqlite"), "127.0.0.1", 0, null,
                Clock.systemUTC(), List.of(), List.of(MeteredCompletions.areas(engine)));
    }

    @AfterAll
    static void stop() {
        provider.close();
        engine.close();
        chain.close();
    }

    private record Seller(String account, Credentials key, AgentSpec spec, AgentService service, ApiServer server)
            implements AutoCloseable {
        String url() {
            return "http://127.0.0.1:" + server.port() + AgentService.HTTP_PREFIX + "write";
        }

        @Override
        public void close() {
            server.close();
            service.close();
        }
    }

    /** A seller whose account may pay {@code allowed} up to 10000 a day, {@value #DEPOSIT} a spend. */
    private Seller seller(Credentials allowed) throws Exception {
        return seller(allowed, "0.005");
    }

    /** A seller like {@link #seller(Credentials)} whose channel deposit (and top-up) is {@code deposit} hUSD. */
    private Seller seller(Credentials allowed, String deposit) throws Exception {
        Funded f = account(allowed);
        String account = f.account();
        Credentials key = f.key();
        AgentSpec spec = AgentSpec.parse("seller", """
                {"name":"seller","system":"You write greetings.","task":"Greet the person named.",
                 "budget":{"limit":"1","guardian":"%s"},"tools":[],
                 "serve":{"tool":"write","description":"writes greetings","price":"0.002","maxTokens":8,
                          "channel":{"url":"%s","deposit":"%s"}}}"""
                .formatted(chain.devnet.account(6).getAddress(), provider.endpoint() + MeteredCompletions.PATH, deposit)
                .getBytes(StandardCharsets.UTF_8));
        return start(account, key, spec);
    }

    private record Funded(String account, Credentials key) {}

    /** A new AgentAccount holding 10000 that may pay {@code allowed} up to 10000 a day, and its funded session key. */
    private static Funded account(Credentials allowed) throws Exception {
        return account(allowed, 10_000);
    }

    /** {@link #account(Credentials)} holding {@code balance}. */
    private static Funded account(Credentials allowed, long balance) throws Exception {
        Credentials owner = chain.devnet.account(5);
        String token = chain.token().lowercaseHex();
        String account = chain.as(owner).agentAccounts().create(chain.devnet.account(6).getAddress(), 86_400,
                Hashes.keccak256(("channel-seller-" + salt++).getBytes(StandardCharsets.UTF_8)));
        AgentAccountsClient.Account a = chain.as(owner).agentAccounts().at(account);
        a.setLimit(token, new SpendingLimit(BigInteger.valueOf(10_000), BigInteger.valueOf(DEPOSIT), 86_400));
        a.setCounterparty(allowed.getAddress(), true);
        a.setTrustedChannels(chain.deployment.address(PaymentChannelsClient.NAME));
        Credentials key = Credentials.create(Keys.createEcKeyPair());
        long now = chain.client.latestBlock().getTimestamp().longValueExact();
        a.grantSession(key.getAddress(), 0, now + 86_400, BigInteger.TEN.pow(17), token, BigInteger.valueOf(10_000),
                allowed.getAddress());
        chain.sender(chain.devnet.account(0)).send(TxRequest.transfer(key.getAddress(), BigInteger.TEN.pow(18)));
        if (balance > 0) {
            chain.as(chain.devnet.account(0)).payment().mint(account, BigInteger.valueOf(balance));
        }
        return new Funded(account, key);
    }

    private Seller start(String account, Credentials key, AgentSpec spec) {
        return start(account, key, spec, Optional.empty());
    }

    private Seller start(String account, Credentials key, AgentSpec spec, Optional<OfferSource> offers) {
        ExactRequirement price = new ExactRequirement(chain.client.chainId(), BigInteger.valueOf(PRICE), chain.token(),
                Address.parse(account), 120, "Hypha USD", "1");
        HyphaContracts asKey = HyphaContracts.connect(chain.deployment, chain.sender(key));
        AgentService service = new AgentService(spec, dir, asKey.agentAccounts().at(account), key, chain.client,
                Optional.empty(), Optional.of(asKey.channels()), offers, BigInteger.valueOf(DEPOSIT), price, new SecureRandom(),
                Clock.systemUTC());
        try {
            service.connect();
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(service.httpRoutes(chain.facilitator)));
        server.start();
        return new Seller(account, key, spec, service, server);
    }

    private static X402Client buyer() {
        return new X402Client(HttpClient.newHttpClient(), chain.payer,
                new X402Client.Limits(chain.client.chainId(), BigInteger.valueOf(5_000)), Clock.systemUTC(), new SecureRandom());
    }

    private static int ok(Seller s, String who) {
        X402Client.Result r = buyer().send(HttpRequest.newBuilder(URI.create(s.url() + "?prompt=" + who)).build());
        assertThat(r.response().statusCode()).as(new String(r.response().body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return r.response().statusCode();
    }

    @Test
    void theSellerBuysItsInferenceWithVouchersFromOneDepositAndTheProviderRedeemsWhatItCost() throws Exception {
        provider.redeemAll(); // what other tests' channels owe, so this one's redemption stands alone
        BigInteger providerBefore = chain.usd(chain.payee.getAddress());
        String account;
        try (Seller s = seller(chain.payee)) {
            account = s.account();
            assertThat(chain.usd(account)).as("one deposit through the policy").isEqualTo(BigInteger.valueOf(10_000 - DEPOSIT));
            ok(s, "Ada");
            ok(s, "Grace");
            assertThat(chain.usd(account)).isEqualTo(BigInteger.valueOf(10_000 - DEPOSIT + 2 * PRICE));
        }
        String log = Files.readString(dir.resolve("agent.log"));
        BigInteger max = MeteredCompletions.maximum(PRICES);
        List<long[]> paid = paidLines(log);
        assertThat(paid).hasSize(2);
        // the first voucher is the call's maximum; the next continues from what the first cost
        assertThat(paid.get(0)[1]).isEqualTo(max.longValueExact());
        assertThat(paid.get(1)[1]).isEqualTo(paid.get(0)[0] + max.longValueExact());
        assertThat(paid).allSatisfy(p -> assertThat(p[0]).isPositive().isLessThanOrEqualTo(max.longValueExact()));
        long charged = paid.get(0)[0] + paid.get(1)[0];
        assertThat(log).contains("paid with upto vouchers over channel", "charged " + charged + " of " + DEPOSIT);

        assertThat(provider.redeemAll()).allSatisfy(o -> assertThat(o.ok()).as(o.error()).isTrue());
        assertThat(chain.usd(chain.payee.getAddress()).subtract(providerBefore)).isEqualTo(BigInteger.valueOf(charged));
    }

    @Test
    void aRestartedSellerDepositsNothingMoreAndContinuesFromWhatWasCharged() throws Exception {
        Seller first = seller(chain.payee);
        String account = first.account();
        ok(first, "Ada");
        first.close();
        BigInteger after = chain.usd(account);

        try (Seller again = start(account, first.key(), first.spec())) {
            ok(again, "Grace");
            assertThat(chain.usd(account)).as("no second deposit").isEqualTo(after.add(BigInteger.valueOf(PRICE)));
        }
        List<long[]> paid = paidLines(Files.readString(dir.resolve("agent.log")));
        assertThat(paid).hasSize(2);
        assertThat(paid.get(1)[1]).isEqualTo(paid.get(0)[0] + MeteredCompletions.maximum(PRICES).longValueExact());
    }

    @Test
    void aSellerWhoseDepositRunsLowTopsItUpThroughThePolicyAndKeepsBuying() throws Exception {
        long max = MeteredCompletions.maximum(PRICES).longValueExact();
        long deposit = max + 2; // one call's maximum: the second voucher (charged + max) passes it
        try (Seller s = seller(chain.payee, java.math.BigDecimal.valueOf(deposit, 6).toPlainString())) {
            BigInteger before = chain.usd(s.account());
            ok(s, "Ada");
            ok(s, "Grace");
            assertThat(chain.usd(s.account())).as("one top-up of the spec's deposit through the policy")
                    .isEqualTo(before.add(BigInteger.valueOf(2 * PRICE - deposit)));
        }
        List<long[]> paid = paidLines(Files.readString(dir.resolve("agent.log")));
        assertThat(paid).hasSize(2);
        assertThat(paid.get(1)[1]).isEqualTo(paid.get(0)[0] + max).isGreaterThan(deposit);
        assertThat(Files.readString(dir.resolve("agent.log"))).contains(" of " + 2 * deposit + ")");
    }

    @Test
    void aNewSessionKeyMovesToTheNextChannelTheOldKeysStaysItsOwn() throws Exception {
        Seller first = seller(chain.payee);
        String account = first.account();
        ok(first, "Ada");
        first.close();
        Credentials key = Credentials.create(Keys.createEcKeyPair());
        long now = chain.client.latestBlock().getTimestamp().longValueExact();
        chain.as(chain.devnet.account(5)).agentAccounts().at(account).grantSession(key.getAddress(), 0, now + 86_400,
                BigInteger.TEN.pow(17), chain.token().lowercaseHex(), BigInteger.valueOf(10_000), chain.payee.getAddress());
        chain.sender(chain.devnet.account(0)).send(TxRequest.transfer(key.getAddress(), BigInteger.TEN.pow(18)));

        try (Seller again = start(account, key, first.spec())) {
            ok(again, "Grace");
        }
        Matcher m = Pattern.compile("voucher for \\d+ on channel (0x[0-9a-f]{64})").matcher(
                Files.readString(dir.resolve("agent.log")));
        List<String> ids = new java.util.ArrayList<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        assertThat(ids).hasSize(2).doesNotHaveDuplicates();
        assertThat(ids.get(1)).isEqualTo(AccountChannel.params(Address.parse(account), Address.parse(
                chain.payee.getAddress()), chain.token(), 1).id());
    }

    @Test
    void aProviderTheAccountDoesNotAllowGetsNoDeposit() {
        assertThatThrownBy(() -> seller(chain.devnet.account(4))).isInstanceOf(HyphaException.class)
                .hasMessageContaining("AgentAccount");
    }

    @Test
    void aProviderWhoseOfferNamesAnotherPayeeOrAsksAboveThePerCallMaximumGetsNoDeposit(@TempDir Path ledgers)
            throws Exception {
        Funded f = account(chain.payee);
        var asKey = HyphaContracts.connect(chain.deployment, chain.sender(f.key()));
        URI url = URI.create(provider.endpoint() + MeteredCompletions.PATH);
        Address impostor = Address.parse(chain.devnet.account(4).getAddress());
        // chosen from an offer of another provider, whose endpoint this provider answers: its 402 names the wrong payee
        ChannelProviders.Provider wrongPayee = new ChannelProviders.Provider(url, HttpClient.newHttpClient(),
                Optional.of(impostor), "", Optional.empty());
        assertThatThrownBy(() -> ChannelInference.connect(wrongPayee, "0.005", asKey.agentAccounts().at(f.account()),
                f.key(), asKey.channels(), chain.client.chainId(), ledgers.resolve("a.sqlite"), BigInteger.valueOf(DEPOSIT)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("asks to be paid to "
                        + Address.parse(chain.payee.getAddress()).toChecksumString())
                .hasMessageContaining("not to the provider whose offer it is (" + impostor.toChecksumString());
        // a provider asking more for one call than the account may pay in one: refused before any deposit
        ChannelProviders.Provider byUrl = new ChannelProviders.Provider(url, HttpClient.newHttpClient(), Optional.empty(),
                "", Optional.empty());
        BigInteger max = MeteredCompletions.maximum(PRICES);
        assertThatThrownBy(() -> ChannelInference.connect(byUrl, "0.005", asKey.agentAccounts().at(f.account()), f.key(),
                asKey.channels(), chain.client.chainId(), ledgers.resolve("b.sqlite"), max.subtract(BigInteger.ONE)))
                .isInstanceOf(HyphaException.class)
                .hasMessageContaining("asks up to " + max + " a call, above the account's per-call maximum "
                        + max.subtract(BigInteger.ONE));
        assertThat(chain.usd(f.account())).as("no deposit").isEqualTo(BigInteger.valueOf(10_000));
    }

    @Test
    void aProviderChosenFromAnOfferIsHeldToItsPricesAndOneThatChargesAboveThemIsPaidNothingMore(@TempDir Path ledgers)
            throws Exception {
        Address payee = Address.parse(chain.payee.getAddress());
        BigInteger max = MeteredCompletions.maximum(PRICES);
        // The real provider chosen from an offer at half its prices: its 402 asks more than the offer makes for a call.
        Funded cheap = account(chain.payee);
        var cheapKey = HyphaContracts.connect(chain.deployment, chain.sender(cheap.key()));
        ChannelProviders.Provider underpriced = offered(provider.endpoint(), new Prices(BigInteger.valueOf(50_000),
                BigInteger.valueOf(100_000)));
        BigInteger half = MeteredCompletions.maximum(new Prices(BigInteger.valueOf(50_000), BigInteger.valueOf(100_000)));
        assertThatThrownBy(() -> ChannelInference.connect(underpriced, "0.005", cheapKey.agentAccounts().at(cheap.account()),
                cheap.key(), cheapKey.channels(), chain.client.chainId(), ledgers.resolve("a.sqlite"),
                BigInteger.valueOf(DEPOSIT))).isInstanceOf(HyphaException.class)
                .hasMessageContaining("asks up to " + max + " a call, above " + half + " that its offer's prices"
                        + " (50000/100000 per million tokens in/out) make for a call's bounds");
        assertThat(chain.usd(cheap.account())).as("no deposit").isEqualTo(BigInteger.valueOf(10_000));

        // A hostile provider: its offer and 402 are honest, but it settles every call at the call's maximum.
        UptoChannelPaywall.MeteredRoute honest = MeteredCompletions.route(engine, PRICES);
        ProviderService.PaidAreas greedy = (terms, gate, ledger) -> new UptoChannelPaywall(terms, gate, ledger).routes(
                List.of(new UptoChannelPaywall.MeteredRoute(honest.method(), honest.path(), honest.maxAmount(),
                        honest.description(), ctx -> {
                            honest.handler().handle(ctx); // the real answer, with its real token counts
                            return honest.maxAmount();
                        })));
        ProviderTerms terms = new ProviderTerms(chain.client.chainId(), chain.token(), payee,
                Address.parse(chain.deployment.address(PaymentChannelsClient.NAME)), PRICES, 60);
        try (ProviderService hostile = ProviderService.start(engine, terms, chain.as(chain.payee).channels(),
                new ReceiptSigner(new ReceiptDomain(chain.client.chainId(),
                        Address.parse(chain.deployment.address("ProviderRegistry"))), payee,
                        chain.sender(chain.payee)::signTypedData), ledgers.resolve("hostile.sqlite"), "127.0.0.1", 0,
                null, Clock.systemUTC(), List.of(), List.of(greedy))) {
            Funded f = account(chain.payee);
            var asKey = HyphaContracts.connect(chain.deployment, chain.sender(f.key()));
            String channel;
            try (ChannelInference bought = ChannelInference.connect(offered(hostile.endpoint(), PRICES), "0.005",
                    asKey.agentAccounts().at(f.account()), f.key(), asKey.channels(), chain.client.chainId(),
                    ledgers.resolve("b.sqlite"), BigInteger.valueOf(DEPOSIT))) {
                channel = bought.channel().id();
                assertThatThrownBy(() -> bought.complete("Greet Ada.", 8)).isInstanceOf(HyphaException.class)
                        .hasMessageContaining("charged beyond its offer, so its answer is refused")
                        .hasMessageContaining("price " + max + " is above the ")
                        .hasMessageContaining("(the offer: 100000/200000 per million tokens in/out)");
                // no second voucher: the next call is refused before anything is signed or sent
                assertThatThrownBy(() -> bought.complete("Greet Grace.", 8)).isInstanceOf(HyphaException.class)
                        .hasMessageContaining("is paid nothing more: price " + max + " is above the ");
            }
            BigInteger providerBefore = chain.usd(chain.payee.getAddress());
            assertThat(hostile.redeemAll()).allSatisfy(o -> assertThat(o.ok()).as(o.error()).isTrue());
            // Money conserved: the provider took the one voucher's maximum and no more; the rest stays the account's.
            var state = asKey.channels().state(channel);
            assertThat(state.redeemed()).isEqualTo(max);
            assertThat(chain.usd(chain.payee.getAddress()).subtract(providerBefore)).isEqualTo(max);
            assertThat(chain.usd(f.account()).add(state.deposit())).isEqualTo(BigInteger.valueOf(10_000));
        }
    }

    @Test
    void aSellerWhoseChosenProviderGoesDownFailsOverToTheNextOffer(@TempDir Path ledgers) throws Exception {
        Credentials firstKey = chain.devnet.account(4);
        Address first = Address.parse(firstKey.getAddress());
        Address payee = Address.parse(chain.payee.getAddress());
        ProviderService down = ProviderService.start(engine, new ProviderTerms(chain.client.chainId(), chain.token(),
                        first, Address.parse(chain.deployment.address(PaymentChannelsClient.NAME)), PRICES, 60),
                chain.as(firstKey).channels(), new ReceiptSigner(new ReceiptDomain(chain.client.chainId(),
                        Address.parse(chain.deployment.address("ProviderRegistry"))), first,
                        chain.sender(firstKey)::signTypedData), ledgers.resolve("first.sqlite"), "127.0.0.1", 0, null,
                Clock.systemUTC(), List.of(), List.of(MeteredCompletions.areas(engine)));
        // the cheapest offer's endpoint refuses connections; the first provider's offer is next; the real provider
        // offers twice its prices
        Address gone = Address.parse(chain.devnet.account(7).getAddress());
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        List<Offer> offers = List.of(offer(gone, URI.create("http://127.0.0.1:" + closedPort), new Prices(
                BigInteger.ONE, BigInteger.ONE)), offer(first, down.endpoint(), PRICES), offer(payee, provider.endpoint(),
                new Prices(PRICES.inputPerMillion().shiftLeft(1), PRICES.outputPerMillion().shiftLeft(1))));
        Funded f = account(chain.payee);
        AgentAccountsClient.Account asOwner = chain.as(chain.devnet.account(5)).agentAccounts().at(f.account());
        asOwner.setCounterparty(first.toChecksumString(), true);
        asOwner.allowSessionCounterparty(f.key().getAddress(), first.toChecksumString());
        AgentSpec spec = AgentSpec.parse("seller", """
                {"name":"seller","system":"You write greetings.","task":"Greet the person named.",
                 "budget":{"limit":"1","guardian":"%s","allow":["%s","%s","%s"]},"tools":[],
                 "serve":{"tool":"write","description":"writes greetings","price":"0.002","maxTokens":8,
                          "channel":{"model":"hypha-tiny","deposit":"0.005"}}}"""
                .formatted(chain.devnet.account(6).getAddress(), gone.toChecksumString(), first.toChecksumString(),
                        payee.toChecksumString())
                .getBytes(StandardCharsets.UTF_8));
        try (Seller s = start(f.account(), f.key(), spec, Optional.of(() -> offers))) {
            ok(s, "Ada");
            down.close(); // the chosen provider goes away
            ok(s, "Grace");
        }
        String log = Files.readString(dir.resolve("agent.log"));
        // the unreachable one is passed over at start, before any deposit
        assertThat(log).contains("serve | inference from " + gone.toChecksumString() + " failed (",
                "cannot reach the inference at http://127.0.0.1:" + closedPort);
        assertThat(log).contains("inference from " + first.toChecksumString() + " failed (",
                "choosing the next offer without it", "switched to its inference: hypha-tiny from "
                        + payee.toChecksumString());
        Matcher m = Pattern.compile("paid \\d+ for inference to (0x[0-9a-fA-F]{40})").matcher(log);
        List<String> paidTo = new java.util.ArrayList<>();
        while (m.find()) {
            paidTo.add(m.group(1));
        }
        assertThat(paidTo).containsExactly(first.toChecksumString(), payee.toChecksumString());
        // two channels, each funded once through the policy; the buyer's two payments came in
        assertThat(chain.usd(f.account())).isEqualTo(BigInteger.valueOf(10_000 - 2 * DEPOSIT + 2 * PRICE));
    }

    private static Offer offer(Address provider, URI endpoint, Prices prices) {
        return new Offer(provider, endpoint, provider, "hypha-tiny", "0x" + "ab".repeat(32), chain.token(),
                prices.inputPerMillion(), prices.outputPerMillion(), 2048, 4, Instant.now().plusSeconds(60));
    }

    /** The metered completions at {@code endpoint}, as if chosen from the chain's payee's offer at {@code prices}. */
    private static ChannelProviders.Provider offered(URI endpoint, Prices prices) {
        Address payee = Address.parse(chain.payee.getAddress());
        return new ChannelProviders.Provider(URI.create(endpoint + MeteredCompletions.PATH), HttpClient.newHttpClient(),
                Optional.of(payee), "", Optional.of(offer(payee, endpoint, prices)));
    }

    @Test
    void anAccountWithoutTheDepositOpensNoChannelAndKeepsWhatItHas(@TempDir Path ledgers) throws Exception {
        Funded f = account(chain.payee, 1_000); // the policy would allow 5000; the account holds 1000
        var asKey = HyphaContracts.connect(chain.deployment, chain.sender(f.key()));
        ChannelProviders.Provider byUrl = new ChannelProviders.Provider(URI.create(provider.endpoint()
                + MeteredCompletions.PATH), HttpClient.newHttpClient(), Optional.empty(), "", Optional.empty());
        assertThatThrownBy(() -> ChannelInference.connect(byUrl, "0.005", asKey.agentAccounts().at(f.account()), f.key(),
                asKey.channels(), chain.client.chainId(), ledgers.resolve("c.sqlite"), BigInteger.valueOf(DEPOSIT)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("InsufficientBalance");
        assertThat(chain.usd(f.account())).isEqualTo(BigInteger.valueOf(1_000));
        assertThat(asKey.channels().state(AccountChannel.params(Address.parse(f.account()),
                Address.parse(chain.payee.getAddress()), chain.token(), 0).id()).exists()).isFalse();
    }

    /** Each "paid COST for inference ... with a voucher for TOTAL" line, as {cost, total}. */
    private static List<long[]> paidLines(String log) {
        Matcher m = Pattern.compile("paid (\\d+) for inference to \\S+ with a voucher for (\\d+) on channel").matcher(log);
        List<long[]> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        return out;
    }
}
