package dev.hypha.chain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.coordinator.CoordinatorDomain;
import dev.hypha.chain.coordinator.DataKind;
import dev.hypha.chain.coordinator.Fulfilment;
import dev.hypha.chain.coordinator.InferenceReceipt;
import dev.hypha.chain.coordinator.InferenceRequest;
import dev.hypha.chain.coordinator.RequestParams;
import dev.hypha.chain.coordinator.RequestState;
import dev.hypha.chain.coordinator.RequestStatus;
import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.indexer.IndexedEvent;
import dev.hypha.chain.indexer.WatchedContract;
import dev.hypha.chain.abi.HyphaAbis;
import dev.hypha.chain.indexer.EventListener;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.Hex;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/** Inference requested by contracts, from Java, against InferenceCoordinator as `hypha deploy` deploys it on anvil. */
class InferenceCoordinatorClientTest {
    private static final String MODEL = "0x" + "ab".repeat(32);
    private static DeployedChain chain;
    private static Deployment deployment;
    private static Credentials requester;
    private static Credentials provider;
    private static Credentials signingKey;

    @BeforeAll
    static void deploy() {
        chain = new DeployedChain();
        deployment = chain.deployment;
        requester = chain.devnet.account(1);
        provider = chain.devnet.account(2);
        signingKey = chain.devnet.account(3);
        chain.mintUsd(requester, 1_000_000_000);
        chain.registerProvider(provider, signingKey, "inference");
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    private static TransactionSender sender(Credentials who) {
        return chain.sender(who);
    }

    private static HyphaContracts as(Credentials who) {
        return chain.as(who);
    }

    private static long chainTime() {
        return chain.time();
    }

    private static RequestParams params(String prompt, long fee, long ttl) {
        return new RequestParams(MODEL, prompt.getBytes(StandardCharsets.UTF_8), DataKind.INLINE, BigInteger.valueOf(fee),
                16, Address.ZERO, 0, chainTime() + ttl);
    }

    private static Fulfilment answer(BigInteger id, String text, long fee, Credentials key) {
        RequestState s = as(provider).coordinator().state(id);
        byte[] output = text.getBytes(StandardCharsets.UTF_8);
        InferenceReceipt r = new InferenceReceipt(s.requestHash(), Address.parse(provider.getAddress()), s.model(), 4, 2,
                Hex.encode(Hashes.keccak256(output)), BigInteger.valueOf(fee));
        Signature sig = as(provider).coordinator().domain().sign(r, sender(key)::signTypedData);
        return new Fulfilment(output, DataKind.INLINE, r, sig);
    }

    private static BigInteger usd(Credentials who) {
        return chain.usd(who);
    }

    private static void travel(long seconds) {
        chain.travel(seconds);
    }

    @Test
    void receiptDigestsAreTheContractsToTheByte() {
        InferenceCoordinatorClient c = as(provider).coordinator();
        CoordinatorDomain domain = c.domain();
        for (long fee : new long[] {0, 1, (1L << 62)}) {
            InferenceReceipt r = new InferenceReceipt("0x" + "11".repeat(32), Address.parse(provider.getAddress()), MODEL,
                    fee, Long.MAX_VALUE, "0x" + "22".repeat(32), BigInteger.valueOf(fee));
            assertThat(domain.digest(r)).isEqualTo(c.receiptDigest(r));
        }
        assertThat(c.challengePeriod()).isEqualTo(60);
        assertThat(c.token()).isEqualTo(Address.parse(deployment.address("PaymentToken")));
    }

    @Test
    void requestFulfilAndWithdrawTheFeeAfterTheWindow() {
        BigInteger before = usd(requester);
        BigInteger id = as(requester).coordinator().request(params("Hello", 1_000, 600));
        RequestState open = as(requester).coordinator().state(id);
        assertThat(open.status()).isEqualTo(RequestStatus.OPEN);
        assertThat(usd(requester)).isEqualTo(before.subtract(BigInteger.valueOf(1_000)));

        as(provider).coordinator().fulfil(id, answer(id, "World", 300, signingKey));
        RequestState done = as(provider).coordinator().state(id);
        assertThat(done.status()).isEqualTo(RequestStatus.FULFILLED);
        assertThat(done.provider()).isEqualTo(Address.parse(provider.getAddress()));
        assertThat(usd(requester)).isEqualTo(before.subtract(BigInteger.valueOf(300)));
        assertThatThrownBy(() -> as(provider).coordinator().withdrawFee(id))
                .isInstanceOf(ChainException.class).hasMessageContaining("ChallengeWindowOpen");

        BigInteger providerBefore = usd(provider);
        travel(61);
        as(requester).coordinator().withdrawFee(id); // anyone may; the provider is paid
        assertThat(usd(provider)).isEqualTo(providerBefore.add(BigInteger.valueOf(300)));
        assertThat(as(provider).coordinator().state(id).status()).isEqualTo(RequestStatus.PAID);
    }

    @Test
    void aReceiptSignedByTheAccountKeyInsteadOfTheRegisteredSigningKeyIsRefused() {
        BigInteger id = as(requester).coordinator().request(params("Hello", 1_000, 600));
        assertThatThrownBy(() -> as(provider).coordinator().fulfil(id, answer(id, "World", 300, provider)))
                .isInstanceOf(ChainException.class).hasMessageContaining("InvalidReceiptSignature");
        assertThat(as(provider).coordinator().state(id).status()).isEqualTo(RequestStatus.OPEN);
    }

    @Test
    void anUnansweredRequestRefundsAfterItsDeadline() {
        BigInteger before = usd(requester);
        BigInteger id = as(requester).coordinator().request(params("Hello", 500, 30));
        assertThatThrownBy(() -> as(provider).coordinator().refund(id))
                .isInstanceOf(ChainException.class).hasMessageContaining("DeadlineNotReached");
        travel(31);
        as(provider).coordinator().refund(id);
        assertThat(usd(requester)).isEqualTo(before);
        assertThat(as(requester).coordinator().state(id).status()).isEqualTo(RequestStatus.REFUNDED);
    }

    @Test
    void theIndexerPagesRequestsAndTheyDecodeToWhatWasAsked(@TempDir Path dir) {
        BigInteger first = as(requester).coordinator().request(params("one", 1, 600));
        BigInteger second = as(requester).coordinator().request(params("two", 2, 600));
        String name = InferenceCoordinatorClient.NAME;
        try (EventIndexer indexer = new EventIndexer(chain.client, dir.resolve("events.sqlite"),
                List.of(new WatchedContract(name, deployment.address(name), HyphaAbis.load(name))), deployment.deployBlock(),
                EventIndexer.Options.DEFAULT, EventListener.NONE)) {
            indexer.poll();
            List<IndexedEvent> all = indexer.eventsAfter(name, InferenceRequest.EVENT, -1, -1, 1_000);
            IndexedEvent e1 = all.stream().filter(e -> e.arg("requestId").equals(first.toString())).findFirst().orElseThrow();
            List<IndexedEvent> page = indexer.eventsAfter(name, InferenceRequest.EVENT, e1.blockNumber(), e1.logIndex(), 1);
            assertThat(page).hasSize(1);
            IndexedEvent event = page.getFirst();
            InferenceRequest r = InferenceRequest.fromEvent(event.name(), event.args(), event.blockNumber());
            assertThat(r.requestId()).isEqualTo(second);
            assertThat(new String(r.input(), StandardCharsets.UTF_8)).isEqualTo("two");
            assertThat(r.model()).isEqualTo(MODEL);
            assertThat(r.maxFee()).isEqualTo(BigInteger.TWO);
            assertThat(r.maxOutputTokens()).isEqualTo(16);
            assertThat(r.requestHash()).isEqualTo(as(requester).coordinator().state(second).requestHash());
        }
    }

    @Test
    void badRequestsFailBeforeAnyGasIsSpent() {
        assertThatThrownBy(() -> new RequestParams(MODEL, new byte[8193], DataKind.INLINE, BigInteger.ONE, 16, Address.ZERO,
                0, 1)).hasMessageContaining("1..8192 bytes");
        assertThatThrownBy(() -> new RequestParams(MODEL, new byte[1], DataKind.INLINE, BigInteger.ONE, 16, Address.ZERO,
                5, 1)).hasMessageContaining("callbackGasLimit");
        assertThatThrownBy(() -> new RequestParams("0x" + "0".repeat(64), new byte[1], DataKind.INLINE, BigInteger.ONE, 16,
                Address.ZERO, 0, 1)).hasMessageContaining("must not be zero");
    }
}
