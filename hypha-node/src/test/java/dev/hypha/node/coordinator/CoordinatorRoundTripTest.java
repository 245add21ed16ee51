package dev.hypha.node.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.contracts.ExampleInferenceConsumer;
import dev.hypha.chain.coordinator.DataKind;
import dev.hypha.chain.coordinator.RequestParams;
import dev.hypha.chain.coordinator.RequestState;
import dev.hypha.chain.coordinator.RequestStatus;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.InferenceCoordinatorClient;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.testing.TinyModelStore;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * The whole round trip of inference requested by contracts, on anvil with the contracts as `hypha deploy` deploys
 * them: ExampleInferenceConsumer asks, the Fulfiller (real LocalBackend over the tiny model) answers, the consumer
 * stores exactly what the engine generates for that prompt, the provider collects its fee after the challenge window;
 * a request nobody serves is refunded after its deadline; hostile requests are skipped without work.
 */
class CoordinatorRoundTripTest {
    private static final String MODEL_NAME = "tiny:latest";
    /** 1 unit per prompt token, 2 per generated token. */
    private static final Prices PRICES = new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000));

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static Credentials owner;
    private static Credentials provider;

    @TempDir
    Path dir;
    private LocalBackend backend;
    private FulfilmentLog log;
    private EventIndexer indexer;
    private Fulfiller fulfiller;
    private String modelDigest;

    @BeforeAll
    static void deployAndRegister() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        owner = devnet.account(1);
        provider = devnet.account(2);
        as(devnet.account(0)).hyp().transfer(provider.getAddress(), Deployer.hyp(1_000));
        HyphaContracts p = as(provider);
        p.staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(1_000));
        p.registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:1", provider.getAddress(),
                List.of("inference"), ""));
        as(devnet.account(0)).payment().mint(owner.getAddress(), BigInteger.valueOf(1_000_000));
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    @BeforeEach
    void startFulfiller() {
        backend = new LocalBackend(TinyModelStore.create(dir, MODEL_NAME, 7, 512), LocalBackend.Settings.defaults());
        modelDigest = backend.models().getFirst().digestHex();
        log = FulfilmentLog.open(dir.resolve("fulfilments.sqlite"));
        indexer = Fulfiller.indexerFor(chain, dir.resolve("events.sqlite"), deployment, EventIndexer.Options.DEFAULT);
        fulfiller = newFulfiller(indexer, log);
    }

    @AfterEach
    void stopFulfiller() {
        fulfiller.close();
        indexer.close();
        log.close();
        backend.close();
    }

    private Fulfiller newFulfiller(EventIndexer events, FulfilmentLog memory) {
        TransactionSender key = sender(provider);
        return new Fulfiller(events, as(provider).coordinator(), backend, PRICES, key::signTypedData, memory,
                CoordinatorRoundTripTest::chainTime, Fulfiller.Settings.DEFAULT);
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    private static long chainTime() {
        return chain.latestBlock().getTimestamp().longValueExact();
    }

    private static void travel(long seconds) {
        chain.request("evm_increaseTime", seconds);
        chain.request("evm_mine");
    }

    private static BigInteger usd(String account) {
        return as(owner).payment().balanceOf(account);
    }

    /** A new ExampleInferenceConsumer owned by {@code owner}, holding {@code balance} hUSD units. */
    private static ExampleInferenceConsumer newConsumer(long balance) {
        String code = ExampleInferenceConsumer.BINARY + FunctionEncoder.encodeConstructor(
                List.of(new org.web3j.abi.datatypes.Address(deployment.address(InferenceCoordinatorClient.NAME))));
        String address = sender(owner).send(TxRequest.deploy("ExampleInferenceConsumer", code)).getContractAddress();
        as(owner).payment().transfer(address, BigInteger.valueOf(balance));
        return ExampleInferenceConsumer.load(address, chain.web3j(),
                new ReadonlyTransactionManager(chain.web3j(), owner.getAddress()), new DefaultGasProvider());
    }

    /** The consumer's owner asks it to ask the coordinator; returns the request id. */
    private static BigInteger ask(ExampleInferenceConsumer consumer, String model, String prompt, long maxFee, int maxTokens,
                                  long ttl) throws Exception {
        String call = consumer.ask(Numeric.hexStringToByteArray(model), prompt, BigInteger.valueOf(maxFee),
                BigInteger.valueOf(maxTokens), BigInteger.valueOf(chainTime() + ttl)).encodeFunctionCall();
        sender(owner).send(TxRequest.call("ExampleInferenceConsumer", "ask", consumer.getContractAddress(), call));
        return consumer.lastRequestId().send();
    }

    private static Fulfiller.Handled only(List<Fulfiller.Handled> handled, BigInteger id) {
        return handled.stream().filter(h -> h.requestId().orElse(BigInteger.ZERO).equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aContractGetsExactlyWhatTheEngineGeneratesAndTheProviderIsPaidAfterTheWindow() throws Exception {
        ExampleInferenceConsumer consumer = newConsumer(10_000);
        String prompt = "Once upon a time";
        BigInteger id = ask(consumer, modelDigest, prompt, 1_000, 8, 600);

        Fulfiller.Handled handled = only(fulfiller.poll(), id);
        assertThat(handled.outcome()).as(handled.detail()).isEqualTo(Fulfiller.Outcome.ANSWERED);

        // What the engine generates for this input, asked directly: raw text, greedy, at most 8 tokens.
        String expected = backend.generate(new GenerateCall(MODEL_NAME, new Prompt.Text(prompt, null, true),
                SamplingOptions.greedy(), 8, List.of(), OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT),
                TextSink.DISCARD).text();
        assertThat(expected).isNotEmpty();
        assertThat(consumer.answered(id).send()).isTrue();
        assertThat(consumer.answers(id).send()).isEqualTo(expected);

        RequestState state = as(owner).coordinator().state(id);
        assertThat(state.status()).isEqualTo(RequestStatus.FULFILLED);
        assertThat(state.callbackSucceeded()).isTrue();
        assertThat(state.provider()).isEqualTo(dev.hypha.core.crypto.Address.parse(provider.getAddress()));
        BigInteger fee = state.fee();
        assertThat(fee).isPositive().isLessThanOrEqualTo(BigInteger.valueOf(1_000));
        assertThat(usd(consumer.getContractAddress())).isEqualTo(BigInteger.valueOf(10_000).subtract(fee));

        // The fee is held for the challenge window (60 s on the local chain), then the provider collects it.
        BigInteger providerBefore = usd(provider.getAddress());
        assertThat(fulfiller.collectFees()).isEmpty();
        travel(61);
        assertThat(fulfiller.collectFees()).containsExactly(id);
        assertThat(usd(provider.getAddress())).isEqualTo(providerBefore.add(fee));
        assertThat(log.status(id)).contains(FulfilmentLog.Status.PAID);
        assertThat(as(owner).coordinator().state(id).status()).isEqualTo(RequestStatus.PAID);
    }

    @Test
    void aRestartedFulfillerNeverAnswersTheSameRequestAgain() throws Exception {
        ExampleInferenceConsumer consumer = newConsumer(10_000);
        BigInteger id = ask(consumer, modelDigest, "Hello", 1_000, 4, 600);
        assertThat(only(fulfiller.poll(), id).outcome()).isEqualTo(Fulfiller.Outcome.ANSWERED);

        // Same durable log, a fresh index: every event is read again, and none is answered twice.
        fulfiller.close();
        log.close();
        log = FulfilmentLog.open(dir.resolve("fulfilments.sqlite"));
        log.advance(new FulfilmentLog.Cursor(-1, -1)); // as if the cursor had been lost too
        try (EventIndexer fresh = Fulfiller.indexerFor(chain, dir.resolve("events-2.sqlite"), deployment,
                EventIndexer.Options.DEFAULT)) {
            Fulfiller restarted = newFulfiller(fresh, log);
            assertThat(only(restarted.poll(), id).outcome()).isEqualTo(Fulfiller.Outcome.ALREADY_HANDLED);
            restarted.close();
        }
        assertThat(log.claim(id, as(owner).coordinator().state(id).requestHash())).isFalse();
    }

    @Test
    void aRequestNobodyServesIsSkippedAndRefundedAfterItsDeadline() throws Exception {
        ExampleInferenceConsumer consumer = newConsumer(5_000);
        BigInteger id = ask(consumer, "0x" + "42".repeat(32), "Hello", 1_000, 8, 30);
        assertThat(usd(consumer.getContractAddress())).isEqualTo(BigInteger.valueOf(4_000));

        Fulfiller.Handled handled = only(fulfiller.poll(), id);
        assertThat(handled.outcome()).isEqualTo(Fulfiller.Outcome.SKIPPED);
        assertThat(handled.detail()).contains("not served here");
        assertThat(log.status(id)).isEmpty();

        travel(31);
        as(devnet.account(5)).coordinator().refund(id); // anyone may trigger it
        assertThat(usd(consumer.getContractAddress())).isEqualTo(BigInteger.valueOf(5_000));
        assertThat(as(owner).coordinator().state(id).status()).isEqualTo(RequestStatus.REFUNDED);
        assertThat(consumer.answered(id).send()).isFalse();
    }

    @Test
    void hostileOrUnpayableRequestsAreSkippedBeforeAnyWork() {
        InferenceCoordinatorClient requester = as(owner).coordinator();
        dev.hypha.core.crypto.Address none = dev.hypha.core.crypto.Address.ZERO;
        BigInteger notUtf8 = requester.request(new RequestParams(modelDigest, new byte[] {(byte) 0xff, (byte) 0xfe},
                DataKind.INLINE, BigInteger.valueOf(1_000), 8, none, 0, chainTime() + 600));
        BigInteger tooCheap = requester.request(new RequestParams(modelDigest, "Hello".getBytes(), DataKind.INLINE,
                BigInteger.ONE, 8, none, 0, chainTime() + 600));
        BigInteger byContentId = requester.request(new RequestParams(modelDigest,
                "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e".getBytes(), DataKind.CONTENT_ID,
                BigInteger.valueOf(1_000), 8, none, 0, chainTime() + 600));
        BigInteger tooLate = requester.request(new RequestParams(modelDigest, "Hello".getBytes(), DataKind.INLINE,
                BigInteger.valueOf(1_000), 8, none, 0, chainTime() + 3));

        List<Fulfiller.Handled> handled = fulfiller.poll();
        assertThat(only(handled, notUtf8).detail()).contains("not valid UTF-8");
        assertThat(only(handled, tooCheap).detail()).contains("below our price");
        assertThat(only(handled, byContentId).detail()).contains("content id");
        assertThat(only(handled, tooLate).detail()).contains("before its deadline");
        for (BigInteger id : List.of(notUtf8, tooCheap, byContentId, tooLate)) {
            assertThat(only(handled, id).outcome()).isEqualTo(Fulfiller.Outcome.SKIPPED);
            assertThat(requester.state(id).status()).isEqualTo(RequestStatus.OPEN);
            assertThat(log.status(id)).isEmpty();
        }
    }
}
