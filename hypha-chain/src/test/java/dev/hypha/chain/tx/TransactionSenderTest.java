package dev.hypha.chain.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.errors.ErrorCategory;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

class TransactionSenderTest {
    private static Devnet devnet;
    private static ChainClient client;

    @BeforeAll
    static void start() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
    }

    @AfterAll
    static void stop() {
        client.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(client, who, new NonceManager(client), new RevertDecoder(List.of()));
    }

    @Test
    void fiftyConcurrentTransfersFromOneAccountAreAllMinedWithoutNonceGaps() throws Exception {
        Credentials from = devnet.account(1);
        TransactionSender sender = sender(from);
        BigInteger start = client.pendingNonce(from.getAddress());
        List<Future<TransactionReceipt>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 50; i++) {
                String to = String.format("0x%040x", 0x1000 + i);
                futures.add(pool.submit(() -> sender.send(TxRequest.transfer(to, BigInteger.valueOf(1_000)))));
            }
        }
        TreeSet<BigInteger> nonces = new TreeSet<>();
        for (Future<TransactionReceipt> f : futures) {
            TransactionReceipt r = f.get();
            assertThat(r.isStatusOK()).isTrue();
            nonces.add(client.web3j().ethGetTransactionByHash(r.getTransactionHash()).send().getTransaction()
                    .orElseThrow().getNonce());
        }
        assertThat(nonces).hasSize(50);
        assertThat(nonces.first()).isEqualTo(start);
        assertThat(nonces.last()).isEqualTo(start.add(BigInteger.valueOf(49)));
        assertThat(client.pendingNonce(from.getAddress())).isEqualTo(start.add(BigInteger.valueOf(50)));
        for (int i = 0; i < 50; i++) {
            assertThat(client.balance(String.format("0x%040x", 0x1000 + i))).isEqualTo(1_000);
        }
    }

    @Test
    void manyAccountsSendingAtOnceThroughOneNonceManagerDoNotDisturbEachOther() throws Exception {
        NonceManager shared = new NonceManager(client);
        List<Credentials> senders = List.of(devnet.account(5), devnet.account(6), devnet.account(7));
        Map<String, BigInteger> start = new java.util.HashMap<>();
        senders.forEach(c -> start.put(c.getAddress(), client.pendingNonce(c.getAddress())));
        List<Future<TransactionReceipt>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 10; i++) {
                for (Credentials c : senders) {
                    TransactionSender s = new TransactionSender(client, c, shared, new RevertDecoder(List.of()));
                    futures.add(pool.submit(() -> s.send(TxRequest.transfer("0x0000000000000000000000000000000000003000",
                            BigInteger.ONE))));
                }
            }
        }
        for (Future<TransactionReceipt> f : futures) {
            assertThat(f.get().isStatusOK()).isTrue();
        }
        for (Credentials c : senders) {
            assertThat(client.pendingNonce(c.getAddress())).isEqualTo(start.get(c.getAddress()).add(BigInteger.TEN));
        }
    }

    @Test
    void recoversWhenTheAccountIsUsedBehindItsBack() {
        Credentials from = devnet.account(2);
        TransactionSender sender = sender(from);
        sender.send(TxRequest.transfer("0x0000000000000000000000000000000000002000", BigInteger.ONE));
        // Another wallet uses the same account: our cached nonce is now stale.
        client.request("eth_sendTransaction", Map.of("from", from.getAddress(),
                "to", "0x0000000000000000000000000000000000002001", "value", "0x1"));
        TransactionReceipt r = sender.send(TxRequest.transfer("0x0000000000000000000000000000000000002002", BigInteger.ONE));
        assertThat(r.isStatusOK()).isTrue();
        assertThat(client.balance("0x0000000000000000000000000000000000002002")).isEqualTo(1);
    }

    @Test
    void aFailedSubmissionDoesNotConsumeTheNonce() {
        Credentials from = devnet.account(3);
        NonceManager nonces = new NonceManager(client);
        BigInteger first = client.pendingNonce(from.getAddress());
        assertThatThrownBy(() -> nonces.submit(from.getAddress(), n -> {
            throw new IllegalStateException("send failed");
        })).hasMessage("send failed");
        List<BigInteger> seen = new ArrayList<>();
        nonces.submit(from.getAddress(), n -> {
            seen.add(n);
            return "0x";
        });
        assertThat(seen).containsExactly(first);
    }

    @Test
    void insufficientFundsIsAReadableChainError() {
        Credentials poor = Credentials.create("0x1111111111111111111111111111111111111111111111111111111111111111");
        assertThatThrownBy(() -> sender(poor).send(TxRequest.transfer(devnet.account(0).getAddress(), BigInteger.TEN)))
                .isInstanceOfSatisfying(ChainException.class,
                        e -> assertThat(e.category()).isEqualTo(ErrorCategory.CHAIN))
                .hasMessageStartingWith("transfer was rejected by the node: ")
                .hasMessageContainingAll("nsufficient funds");
    }
}
