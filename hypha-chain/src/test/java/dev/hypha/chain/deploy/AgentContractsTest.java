package dev.hypha.chain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.agents.Feedback;
import dev.hypha.chain.agents.Milestone;
import dev.hypha.chain.agents.PaymentReceipt;
import dev.hypha.chain.agents.ReputationSummary;
import dev.hypha.chain.agents.SpendingLimit;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.crypto.TypedData;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;

/**
 * The agent contracts' Java clients on anvil, deployed by `hypha deploy`'s Deployer: an agent registered in the
 * identity registry is paid by an EIP-3009 authorization settled through PaymentReceipts and rated with that receipt
 * (once, never by its owner); an agent account created with a policy refuses what the policy forbids whatever its
 * session key asks, and nothing once frozen; an escrowed agreement pays the provider on acceptance and proves payment
 * for a rating.
 */
class AgentContractsTest {
    private static DeployedChain chain;
    private static Credentials deployer;
    private static Credentials agentOwner;
    private static Credentials client;

    @BeforeAll
    static void start() {
        chain = new DeployedChain();
        deployer = chain.devnet.account(0);
        agentOwner = chain.devnet.account(1);
        client = chain.devnet.account(2);
        chain.mintUsd(client, 1_000_000);
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    private static String token() {
        return chain.deployment.address(PaymentTokenClient.NAME);
    }

    /** {@code from} pays {@code value} hUSD to {@code to} by an EIP-3009 authorization relayed through PaymentReceipts. */
    private static byte[] payThroughReceipts(Credentials from, String to, long value, byte nonceByte) {
        byte[] nonce = new byte[32];
        java.util.Arrays.fill(nonce, nonceByte);
        long validBefore = chain.time() + 600;
        TypedData auth = TypedData.of(TypedData.Domain.of(Deployer.PAYMENT_NAME, "1", chain.client.chainId(),
                        Address.parse(token())),
                Map.of("TransferWithAuthorization", List.of(new TypedData.Field("from", "address"),
                        new TypedData.Field("to", "address"), new TypedData.Field("value", "uint256"),
                        new TypedData.Field("validAfter", "uint256"), new TypedData.Field("validBefore", "uint256"),
                        new TypedData.Field("nonce", "bytes32"))),
                "TransferWithAuthorization", Map.of("from", from.getAddress(), "to", to, "value", BigInteger.valueOf(value),
                        "validAfter", BigInteger.ZERO, "validBefore", BigInteger.valueOf(validBefore), "nonce", Hex.encode(nonce)));
        byte[] signature = Eip712.sign(auth, from).toBytes();
        Function settle = new Function("settle", List.of(new org.web3j.abi.datatypes.Address(from.getAddress()),
                new org.web3j.abi.datatypes.Address(to), new Uint256(value), new Uint256(0), new Uint256(validBefore),
                new Bytes32(nonce), new DynamicBytes(signature)), List.of());
        // anyone relays (an x402 facilitator): here the deployer
        chain.sender(deployer).send(TxRequest.call(PaymentReceiptsClient.NAME, "settle",
                chain.deployment.address(PaymentReceiptsClient.NAME), FunctionEncoder.encode(settle)));
        return chain.as(deployer).receipts().receiptIdOf(from.getAddress(), nonce);
    }

    @Test
    void anAgentIsRegisteredPaidWithAReceiptAndRatedOnceWithIt() {
        IdentityRegistryClient identity = chain.as(agentOwner).identity();
        BigInteger agent = identity.register("ipfs://bafkreiagentcard");
        assertThat(identity.agentUri(agent)).isEqualTo("ipfs://bafkreiagentcard");
        assertThat(identity.ownerOf(agent)).isEqualToIgnoringCase(agentOwner.getAddress());
        assertThat(identity.agentWallet(agent)).isEqualToIgnoringCase(agentOwner.getAddress());
        assertThat(identity.totalAgents()).isGreaterThanOrEqualTo(agent);
        identity.setAgentUri(agent, "https://agent.example/card.json");
        assertThat(identity.agentUri(agent)).isEqualTo("https://agent.example/card.json");

        byte[] receiptId = payThroughReceipts(client, agentOwner.getAddress(), 2_500, (byte) 1);
        PaymentReceipt receipt = chain.as(client).receipts().receipt(receiptId);
        assertThat(receipt.exists()).isTrue();
        assertThat(receipt.from()).isEqualToIgnoringCase(client.getAddress());
        assertThat(receipt.to()).isEqualToIgnoringCase(agentOwner.getAddress());
        assertThat(receipt.value()).isEqualTo(BigInteger.valueOf(2_500));

        ReputationRegistryClient reputation = chain.as(client).reputation();
        long index = reputation.rateWithReceipt(agent, Feedback.score(90, "quality", "/weather"), receiptId);
        assertThat(index).isEqualTo(1);
        assertThat(reputation.weight(agent, client.getAddress(), index)).isEqualTo(BigInteger.valueOf(2_500));
        ReputationSummary summary = reputation.summary(agent, List.of(client.getAddress()), "", "");
        assertThat(summary.count()).isEqualTo(1);
        assertThat(summary.value()).isEqualTo(BigInteger.valueOf(90).multiply(BigInteger.TEN.pow(18)));
        assertThat(reputation.raters(agent)).extracting(String::toLowerCase).containsExactly(client.getAddress().toLowerCase());

        assertThatThrownBy(() -> reputation.rateWithReceipt(agent, Feedback.score(100, "quality", "/weather"), receiptId))
                .isInstanceOf(ChainException.class).hasMessageContaining("PaymentAlreadyUsed");
        byte[] unknown = new byte[32];
        unknown[0] = 9;
        assertThatThrownBy(() -> reputation.rateWithReceipt(agent, Feedback.score(100, "quality", "/weather"), unknown))
                .isInstanceOf(ChainException.class).hasMessageContaining("PaymentNotProven");
        byte[] ownReceipt = payThroughReceipts(client, agentOwner.getAddress(), 10, (byte) 2);
        assertThatThrownBy(() -> chain.as(agentOwner).reputation().rateWithReceipt(agent,
                Feedback.score(100, "quality", "/weather"), ownReceipt))
                .isInstanceOf(ChainException.class).hasMessageContaining("SelfFeedback");
        assertThatThrownBy(() -> reputation.summary(agent, List.of(), "", ""))
                .hasMessageContaining("1 to 256 raters");
    }

    @Test
    void anAgentAccountSpendsOnlyWithinItsPolicyAndNothingWhenFrozen() {
        Credentials owner = chain.devnet.account(3);
        Credentials guardian = chain.devnet.account(4);
        Credentials runtime = chain.devnet.account(5);
        Credentials seller = chain.devnet.account(6);
        Credentials stranger = chain.devnet.account(7);
        AgentAccountsClient accounts = chain.as(owner).agentAccounts();
        byte[] salt = new byte[32];
        String predicted = accounts.predict(owner.getAddress(), guardian.getAddress(), 60, salt);
        String address = accounts.create(guardian.getAddress(), 60, salt);
        assertThat(address).isEqualTo(predicted);
        assertThat(accounts.create(guardian.getAddress(), 60, salt)).as("same settings, same account").isEqualTo(address);
        chain.as(client).payment().transfer(address, BigInteger.valueOf(10_000));

        AgentAccountsClient.Account account = accounts.at(address);
        assertThat(account.owner()).isEqualToIgnoringCase(owner.getAddress());
        account.setLimit(token(), new SpendingLimit(BigInteger.valueOf(1_000), BigInteger.valueOf(400), 86_400));
        account.setCounterparty(seller.getAddress(), true);
        long now = chain.time();
        account.grantSession(runtime.getAddress(), now - 1, now + 86_400, BigInteger.TEN.pow(17), token(),
                BigInteger.valueOf(5_000), seller.getAddress());

        AgentAccountsClient.Account asRuntime = chain.as(runtime).agentAccounts().at(address);
        BigInteger sellerBefore = chain.usd(seller);
        asRuntime.pay(token(), seller.getAddress(), BigInteger.valueOf(400));
        asRuntime.pay(token(), seller.getAddress(), BigInteger.valueOf(400));
        assertThat(chain.usd(seller)).isEqualTo(sellerBefore.add(BigInteger.valueOf(800)));
        assertThat(account.remainingInPeriod(token())).isEqualTo(BigInteger.valueOf(200));

        assertThatThrownBy(() -> asRuntime.pay(token(), seller.getAddress(), BigInteger.valueOf(401)))
                .isInstanceOf(ChainException.class).hasMessageContaining("AboveMaxPerCall");
        assertThatThrownBy(() -> asRuntime.pay(token(), seller.getAddress(), BigInteger.valueOf(300)))
                .isInstanceOf(ChainException.class).hasMessageContaining("PeriodLimitExceeded");
        assertThatThrownBy(() -> asRuntime.pay(token(), stranger.getAddress(), BigInteger.valueOf(10)))
                .isInstanceOf(ChainException.class).hasMessageContaining("CounterpartyNotAllowed");
        // a key that was never granted cannot spend at all
        assertThatThrownBy(() -> chain.as(stranger).agentAccounts().at(address).pay(token(), seller.getAddress(), BigInteger.TEN))
                .isInstanceOf(ChainException.class);

        chain.as(guardian).agentAccounts().at(address).freeze();
        assertThat(account.frozen()).isTrue();
        assertThatThrownBy(() -> asRuntime.pay(token(), seller.getAddress(), BigInteger.valueOf(100)))
                .isInstanceOf(ChainException.class).hasMessageContaining("Frozen");
        account.unfreeze();
        asRuntime.pay(token(), seller.getAddress(), BigInteger.valueOf(100));
        assertThat(chain.usd(seller)).isEqualTo(sellerBefore.add(BigInteger.valueOf(900)));
        assertThat(chain.as(client).payment().balanceOf(address)).isEqualTo(BigInteger.valueOf(9_100));
    }

    @Test
    void anEscrowedAgreementPaysOnAcceptanceRefundsWhenOverdueAndProvesPaymentForARating() {
        Credentials provider = chain.devnet.account(8);
        BigInteger agent = chain.as(provider).identity().register("ipfs://provider-agent");
        ServiceEscrowClient escrow = chain.as(client).escrow();
        long now = chain.time();
        BigInteger clientBefore = chain.usd(client);
        BigInteger id = escrow.create(provider.getAddress(), "0x0000000000000000000000000000000000000000", token(),
                List.of(BigInteger.valueOf(700), BigInteger.valueOf(300)), List.of(now + 3_600, now + 7_200), 600,
                new byte[32]);
        assertThat(escrow.held(id)).isEqualTo(BigInteger.valueOf(1_000));
        assertThat(escrow.agreement(id).milestoneCount()).isEqualTo(2);
        byte[] deliverable = new byte[32];
        deliverable[31] = 1;
        chain.as(provider).escrow().submit(id, 0, deliverable);
        assertThat(escrow.milestone(id, 0).status()).isEqualTo(Milestone.Status.SUBMITTED);
        escrow.accept(id, 0);
        assertThat(chain.usd(provider)).isEqualTo(BigInteger.valueOf(700));
        assertThatThrownBy(() -> chain.as(provider).escrow().accept(id, 1)).isInstanceOf(ChainException.class);

        chain.travel(7_201);
        chain.as(provider).escrow().refund(id, 1);
        assertThat(escrow.milestone(id, 1).status()).isEqualTo(Milestone.Status.REFUNDED);
        assertThat(chain.usd(client)).isEqualTo(clientBefore.subtract(BigInteger.valueOf(700)));
        assertThat(escrow.agreement(id).paidToProvider()).isEqualTo(BigInteger.valueOf(700));

        long index = chain.as(client).reputation().rateWithAgreement(agent, Feedback.score(80, "delivery", ""), id);
        assertThat(chain.as(client).reputation().weight(agent, client.getAddress(), index)).isEqualTo(BigInteger.valueOf(700));
    }
}
