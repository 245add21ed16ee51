package dev.hypha.node.subnet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.subnets.SubnetParams;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.gateway.network.Budget;
import dev.hypha.node.gateway.network.NetworkBackend;
import dev.hypha.node.gateway.network.PayerChannels;
import dev.hypha.node.gateway.network.ProviderTransport;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.provider.DevCachedAnswers;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.testing.TinyModelStore;
import dev.hypha.node.transport.ProviderTls;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The inference subnet's validator scoring by answer quality, on anvil with `hypha deploy`'s contracts and real
 * providers on loopback: two honest miners (deterministic engines, one cheaper), a cheater that answers every prompt
 * with a cached answer (and is the cheapest), and a registered miner that sells nothing. The validator commits its
 * seed on chain, buys every answer through payment channels as a gateway does, replays each on its own deterministic
 * engine, and reveals the seed; the cheater and the absent miner score 0, the honest ones by price (latency is fixed
 * by the injected clock). Driven through the validator daemon, the committed weights leave both out.
 */
class AnswerQualityScorerTest {
    private static final String MODEL = "tiny:latest";
    private static final SubnetParams PARAMS = new SubnetParams(10, 8, 2, 5, 32_767, 65_535, 900_000, 1, 2, 1_000,
            Deployer.hyp(1), Deployer.hyp(100));

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static long netuid;
    private static final List<AutoCloseable> OPEN = new ArrayList<>();
    private static final List<Offer> OFFERS = new ArrayList<>();
    private static LocalBackend reference;
    private static AnswerProbe probe;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        devnet = new AnvilLauncher().accounts(7).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        HyphaContracts admin = contracts(devnet.account(0));
        for (int i = 1; i <= 6; i++) admin.hyp().transfer(devnet.account(i).getAddress(), Deployer.hyp(2_000));
        admin.payment().mint(devnet.account(2).getAddress(), BigInteger.valueOf(1_000_000_000));
        netuid = contracts(devnet.account(1)).subnets().createSubnet(PARAMS);
        contracts(devnet.account(2)).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(1_000));
        for (int i = 2; i <= 6; i++) contracts(devnet.account(i)).subnets().register(netuid, Deployer.hyp(100));
        // UIDs: 0 validator, 1 honest cheap, 2 honest dear, 3 cheater (cheapest), 4 sells nothing
        OFFERS.add(provider(3, new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(1_000_000)), false));
        OFFERS.add(provider(4, new Prices(BigInteger.valueOf(3_000_000), BigInteger.valueOf(3_000_000)), false));
        OFFERS.add(provider(5, new Prices(BigInteger.valueOf(100_000), BigInteger.valueOf(100_000)), true));
        reference = new LocalBackend(TinyModelStore.create(dir.resolve("reference"), MODEL, 7, 512),
                LocalBackend.Settings.defaults().withEngine(Model.Options.defaults().withDeterministic(true)));
        OPEN.add(reference);
        probe = probe();
        OPEN.add(probe);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : OPEN.reversed()) c.close();
        if (chain != null) chain.close();
        if (devnet != null) devnet.close();
    }

    @Test
    void aCheaterAndAnAbsentMinerScoreZeroAndTheHonestOnesByPrice() {
        List<String> lines = new ArrayList<>();
        {
            AnswerQualityScorer scorer = scorer(probe, dir.resolve("round.seed"), lines);
            Map<Integer, Integer> scores = scorer.score(members());
            lines.forEach(System.out::println);

            assertThat(scores).containsOnlyKeys(1, 2);
            assertThat(scores.get(1)).isEqualTo(65_535);
            // equal latency (the injected clock), price 2 : 6 per million -> 65535 × 2000001 / 6000001
            assertThat(scores.get(2)).isEqualTo(BigInteger.valueOf(65_535).multiply(BigInteger.valueOf(2_000_001))
                    .divide(BigInteger.valueOf(6_000_001)).intValueExact());
            AnswerQualityScorer.Round round = scorer.lastRound().orElseThrow();
            assertThat(round.measurements()).extracting(AnswerScore.Measurement::correct).containsExactly(2, 2, 0, 0);
            assertThat(round.measurements().get(3).price()).isNull();

            // committed before, revealed after: the seed is on chain now, the pending commit gone, the file removed
            SubnetsClient reader = contracts(devnet.account(0)).subnets();
            List<SubnetsClient.RevealedSeed> revealed = reader.revealedSeeds(netuid, 0);
            assertThat(revealed).last().satisfies(r -> {
                assertThat(r.seed()).isEqualTo(round.seed());
                assertThat(r.commitBlock()).isEqualTo(round.commitBlock());
            });
            assertThat(reader.seedCommit(netuid, 0).hash).isEqualTo(new byte[32]);
            assertThat(dir.resolve("round.seed")).doesNotExist();
            // anyone re-derives what was asked from the revealed seed: the prompts differ per miner
            assertThat(EvaluationPrompts.prompt(round.seed(), 1, 0)).isNotEqualTo(EvaluationPrompts.prompt(round.seed(), 2, 0));
        }
    }

    @Test
    void theValidatorDaemonCommitsAndRevealsWeightsThatLeaveTheCheaterOut() {
        List<String> lines = new ArrayList<>();
        {
            AnswerQualityScorer scorer = scorer(probe, dir.resolve("daemon.seed"), lines);
            Credentials v = devnet.account(2);
            SubnetValidator validator = new SubnetValidator(contracts(v).subnets(), chain, netuid, v.getAddress(), scorer,
                    dir.resolve("v.pending"), Set.of(), Set.of(), false, lines::add);
            for (int i = 0; i < 60 && validator.stats().reveals() == 0; i++) {
                validator.poll();
                chain.request("evm_mine");
            }
            lines.forEach(System.out::println);
            assertThat(validator.stats().reveals()).isEqualTo(1);
            String revealed = lines.stream().filter(l -> l.startsWith("revealed weights ")).findFirst().orElseThrow();
            assertThat(revealed).startsWith("revealed weights 1=65535 2=").doesNotContain("3=").doesNotContain("4=");
        }
    }

    // --- fixtures ---

    private static List<MinerScorer.Member> members() {
        List<MinerScorer.Member> members = new ArrayList<>();
        for (int uid = 1; uid <= 4; uid++) members.add(new MinerScorer.Member(uid, devnet.account(uid + 2).getAddress()));
        return members;
    }

    private static AnswerQualityScorer scorer(AnswerProbe probe, Path seedFile, List<String> lines) {
        Credentials v = devnet.account(2);
        AtomicLong nanos = new AtomicLong();
        return new AnswerQualityScorer(contracts(v).subnets(), netuid, v.getAddress(), () -> List.copyOf(OFFERS),
                Instant::now, probe, reference, new AnswerQualityScorer.Settings(MODEL, 2, 8), seedFile,
                () -> nanos.addAndGet(10_000_000), l -> lines.add("scorer: " + l));
    }

    /** The validator pays like a gateway: its own channel ledger and receipts, channels opened within a budget. */
    private static AnswerProbe probe() {
        String name = "validator";
        Credentials key = devnet.account(2);
        PayerLedger ledger = PayerLedger.open(dir.resolve(name + "-payer.sqlite"), contracts(key).channels().voucherDomain());
        PayerReceipts receipts = PayerReceipts.open(dir.resolve(name + "-receipts.sqlite"));
        OPEN.add(ledger);
        OPEN.add(receipts);
        PayerChannels channels = new PayerChannels(contracts(key).channels(), ledger, Address.parse(key.getAddress()),
                new Budget(BigInteger.valueOf(100_000), BigInteger.valueOf(1_000_000)));
        NetworkBackend.Payer payer = new NetworkBackend.Payer(ledger, receipts, sender(key)::signTypedData, channels,
                Address.parse(deployment.address("PaymentChannels")), receiptDomain());
        return new PaidAnswerProbe(payer, Set.of(Address.parse(deployment.address("PaymentToken"))),
                o -> ProviderTransport.answersClientFor(o, deployment.chainId(), Clock.systemUTC()), Clock.systemUTC());
    }

    /** A provider on loopback serving the tiny model; a cheater answers every prompt with one cached answer. */
    private static Offer provider(int account, Prices prices, boolean cheats) {
        Credentials key = devnet.account(account);
        Address address = Address.parse(key.getAddress());
        Path home = dir.resolve("provider-" + account);
        ModelStore store = TinyModelStore.create(home, MODEL, 7, 512);
        LocalBackend local = new LocalBackend(store,
                LocalBackend.Settings.defaults().withEngine(Model.Options.defaults().withDeterministic(true)));
        OPEN.add(local);
        InferenceBackend backend = cheats ? new DevCachedAnswers(local) : local;
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), Address.parse(deployment.address("PaymentToken")),
                address, Address.parse(deployment.address("PaymentChannels")), prices, 60);
        ProviderService service = ProviderService.start(backend, terms, contracts(key).channels(),
                new ReceiptSigner(receiptDomain(), address, sender(key)::signTypedData),
                home.resolve("ledger.sqlite"), "127.0.0.1", 0,
                ProviderTls.server(key, deployment.chainId(), address, Clock.systemUTC()), Clock.systemUTC());
        OPEN.add(service);
        String digest = local.models().getFirst().digest();
        return new Offer(address, service.endpoint(), address, MODEL,
                Hex.encode(ContentId.parse(digest).multihash().digest()), terms.token(), prices.inputPerMillion(),
                prices.outputPerMillion(), 512, 1, Instant.now().plusSeconds(3600));
    }

    private static ReceiptDomain receiptDomain() {
        return new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry")));
    }

    private static TransactionSender sender(Credentials key) {
        return new TransactionSender(chain, key, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts contracts(Credentials key) {
        return HyphaContracts.connect(deployment, sender(key));
    }
}
