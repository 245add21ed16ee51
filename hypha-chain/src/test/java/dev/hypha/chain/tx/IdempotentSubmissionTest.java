package dev.hypha.chain.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.time.Backoff;
import dev.hypha.chain.testing.RpcProxy;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A transaction whose send reached the node but whose answer was lost is sent once, not twice:
 * the client retries the same signed bytes and the sender recognises its own transaction.
 */
class IdempotentSubmissionTest {
    private static final ChainClient.Options QUICK_RETRIES = new ChainClient.Options(Duration.ofSeconds(2),
            Duration.ofSeconds(10), 4, new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)));

    private static Devnet devnet;
    private static ChainClient direct;

    @BeforeAll
    static void start() {
        devnet = new AnvilLauncher().start();
        direct = ChainClient.connect(devnet.rpcUrl());
    }

    @AfterAll
    static void stop() {
        direct.close();
        devnet.close();
    }

    /** How the answer to a forwarded send is lost. */
    enum Loss {
        CONNECTION_CLOSED(new RpcProxy.Answer.Dropped()), HTTP_502(new RpcProxy.Answer.Status(502));

        final RpcProxy.Answer answer;

        Loss(RpcProxy.Answer answer) {
            this.answer = answer;
        }
    }

    /** Forwards every call; the node's answers to the first {@code lost} sends never reach the client. */
    private static RpcProxy losingSendAnswers(int lost, Loss how, AtomicInteger sends) throws IOException {
        return new RpcProxy(devnet.rpcUrl(), (call, node) -> {
            RpcProxy.Answer forwarded = RpcProxy.forwarded(node);
            if (call.path("method").asText().equals("eth_sendRawTransaction") && sends.incrementAndGet() <= lost) {
                return how.answer;
            }
            return forwarded;
        });
    }

    @ParameterizedTest
    @EnumSource(Loss.class)
    void aSendWhoseAnswerIsLostAfterTheNodeTookItIsNotDuplicated(Loss how) throws Exception {
        Credentials from = devnet.account(how.ordinal() + 1);
        String to = String.format("0x%040x", 0xD00 + how.ordinal());
        BigInteger nonceBefore = direct.pendingNonce(from.getAddress());
        AtomicInteger sends = new AtomicInteger();
        try (RpcProxy proxy = losingSendAnswers(1, how, sends);
             ChainClient flaky = ChainClient.connect(proxy.url(), QUICK_RETRIES)) {
            TransactionSender sender = new TransactionSender(flaky, from, new NonceManager(flaky), new RevertDecoder(List.of()));

            TransactionReceipt receipt = sender.send(TxRequest.transfer(to, BigInteger.valueOf(777)));

            assertThat(receipt.isStatusOK()).isTrue();
            assertThat(sends.get()).as("the lost answer was retried").isGreaterThanOrEqualTo(2);
        }
        assertThat(direct.balance(to)).as("exactly one transfer arrived").isEqualTo(777);
        assertThat(direct.pendingNonce(from.getAddress())).isEqualTo(nonceBefore.add(BigInteger.ONE));
    }

    @Test
    void aNodeThatLosesEveryAnswerGivesANetworkErrorNamingTheTransaction() throws Exception {
        Credentials from = devnet.account(4);
        String to = String.format("0x%040x", 0xD10);
        try (RpcProxy proxy = losingSendAnswers(Integer.MAX_VALUE, Loss.HTTP_502, new AtomicInteger());
             ChainClient flaky = ChainClient.connect(proxy.url(), QUICK_RETRIES)) {
            TransactionSender sender = new TransactionSender(flaky, from, new NonceManager(flaky), new RevertDecoder(List.of()));
            assertThatThrownBy(() -> sender.send(TxRequest.transfer(to, BigInteger.valueOf(5))))
                    .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NETWORK))
                    .hasMessageContaining("lost the node while sending transaction 0x")
                    .hasMessageContaining("may still be mined");
            // It did reach the node; a second send through a healthy path is a new, visible decision.
            TransactionSender healthy = new TransactionSender(direct, from, new NonceManager(direct), new RevertDecoder(List.of()));
            healthy.send(TxRequest.transfer(to, BigInteger.valueOf(5)));
        }
        assertThat(direct.balance(to)).isEqualTo(10);
    }

    @Test
    void feesAboveTheCapAreRefusedBeforeAnythingIsSigned() {
        Credentials from = devnet.account(6);
        String to = String.format("0x%040x", 0xD20);
        BigInteger nonceBefore = direct.pendingNonce(from.getAddress());
        // anvil's base fee starts at 1 gwei; a cap of 0.5 gwei is below what the node asks.
        TransactionSender capped = new TransactionSender(direct, from, new NonceManager(direct), new RevertDecoder(List.of()),
                TransactionSender.Options.DEFAULT.withMaxFeePerGas(BigInteger.valueOf(500_000_000L)));
        assertThatThrownBy(() -> capped.send(TxRequest.transfer(to, BigInteger.ONE)))
                .isInstanceOf(ChainException.class)
                .hasMessageStartingWith("transfer not sent: the node asks base fee ")
                .hasMessageContaining("above the cap of 0.5 gwei (setting tx.max-fee-gwei)");
        assertThat(direct.pendingNonce(from.getAddress())).isEqualTo(nonceBefore);
    }

    @Test
    void aCapBetweenTheBaseFeeAndTheUsualOfferIsWhatIsOffered() {
        Credentials from = devnet.account(7);
        String to = String.format("0x%040x", 0xD30);
        BigInteger baseFee = org.web3j.utils.Numeric.decodeQuantity(direct.latestBlock().getBaseFeePerGasRaw());
        BigInteger cap = baseFee.add(baseFee.divide(BigInteger.TWO)).add(direct.maxPriorityFeePerGas());
        TransactionSender capped = new TransactionSender(direct, from, new NonceManager(direct), new RevertDecoder(List.of()),
                TransactionSender.Options.DEFAULT.withMaxFeePerGas(cap));
        TransactionReceipt receipt = capped.send(TxRequest.transfer(to, BigInteger.ONE));
        BigInteger offered = direct.web3j().ethGetTransactionByHash(receipt.getTransactionHash()).sendAsync().join()
                .getTransaction().orElseThrow().getMaxFeePerGas();
        assertThat(offered).isEqualTo(cap);
    }
}
