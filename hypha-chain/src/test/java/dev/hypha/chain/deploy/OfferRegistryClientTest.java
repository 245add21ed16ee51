package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.Deployer.hyp;
import static dev.hypha.chain.deploy.StakingClient.PROVIDER_ROLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.deploy.OfferRegistryClient.OfferTerms;
import dev.hypha.chain.deploy.OfferRegistryClient.PublishedOffer;
import dev.hypha.chain.deploy.ProviderRegistryClient.ProviderRegistration;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/** OfferRegistry from Java against the contract as `hypha deploy` deploys it, on anvil. */
class OfferRegistryClientTest {
    private static final String MODEL_ID = "0x" + "ab".repeat(32);
    private static Devnet devnet;
    private static ChainClient client;
    private static NonceManager nonces;
    private static Deployment deployment;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(client);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        HyphaContracts admin = as(devnet.account(0));
        for (int i = 1; i <= 2; i++) {
            Credentials who = devnet.account(i);
            admin.hyp().transfer(who.getAddress(), hyp(5_000));
            HyphaContracts c = as(who);
            c.staking().stake(PROVIDER_ROLE, new BigInteger(deployment.minProviderStake()));
            c.registry().register(new ProviderRegistration("http://127.0.0.1:" + (9000 + i), who.getAddress(),
                    List.of("inference"), ""));
        }
    }

    @AfterAll
    static void stop() {
        client.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(client, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    private static OfferTerms terms(String model, long inputPrice) {
        return new OfferTerms(MODEL_ID, deployment.address(PaymentTokenClient.NAME), model, BigInteger.valueOf(inputPrice),
                BigInteger.valueOf(3 * inputPrice), 4096, 4);
    }

    @Test
    void publishReadHeartbeatAndWithdraw() {
        Credentials alice = devnet.account(1);
        OfferRegistryClient offers = as(alice).offers();
        assertThat(offers.maxAge()).isEqualTo(60); // the local chain's maxAge

        offers.publish(terms("tiny:latest", 100));
        offers.publish(terms("tiny:latest", 200)); // same model and token: replaces the terms
        List<PublishedOffer> mine = offers.offersOf(alice.getAddress());
        assertThat(mine).singleElement().satisfies(o -> {
            assertThat(o.provider()).isEqualTo(alice.getAddress().toLowerCase());
            assertThat(o.modelId()).isEqualTo(MODEL_ID);
            assertThat(o.model()).isEqualTo("tiny:latest");
            assertThat(o.inputPerMillion()).isEqualTo(BigInteger.valueOf(200));
            assertThat(o.outputPerMillion()).isEqualTo(BigInteger.valueOf(600));
            assertThat(o.contextLength()).isEqualTo(4096);
            assertThat(o.concurrency()).isEqualTo(4);
            assertThat(o.liveUntil()).isEqualTo(o.lastHeartbeat() + 60);
        });
        HyphaContracts reader = HyphaContracts.readOnly(deployment, client);
        assertThat(reader.offers().page(0, 100)).contains(mine.getFirst());

        client.request("evm_increaseTime", 30);
        offers.heartbeat();
        assertThat(offers.lastHeartbeat(alice.getAddress())).isGreaterThanOrEqualTo(mine.getFirst().lastHeartbeat() + 30);

        offers.withdraw(MODEL_ID, deployment.address(PaymentTokenClient.NAME));
        assertThat(offers.offersOf(alice.getAddress())).isEmpty();
        assertThatThrownBy(offers::heartbeat).isInstanceOf(ChainException.class).hasMessageContaining("NoOffers");
    }

    @Test
    void unregisteredAccountsAreRefusedWithTheDecodedReason() {
        OfferRegistryClient offers = as(devnet.account(5)).offers();
        assertThatThrownBy(() -> offers.publish(terms("tiny:latest", 1))).isInstanceOf(ChainException.class)
                .hasMessageContaining("ProviderNotActive");
    }

    @Test
    void badTermsFailBeforeAnyGasIsSpent() {
        String token = deployment.address(PaymentTokenClient.NAME);
        BigInteger one = BigInteger.ONE;
        assertThatThrownBy(() -> new OfferTerms(MODEL_ID, token, "has space", one, one, 1, 1)).hasMessageContaining("model name");
        assertThatThrownBy(() -> new OfferTerms(MODEL_ID, token, "m".repeat(129), one, one, 1, 1)).hasMessageContaining("model name");
        assertThatThrownBy(() -> new OfferTerms(MODEL_ID, token, "", one, one, 1, 1)).hasMessageContaining("model name");
        assertThatThrownBy(() -> new OfferTerms("0x" + "0".repeat(64), token, "m", one, one, 1, 1)).hasMessageContaining("model id");
        assertThatThrownBy(() -> new OfferTerms(MODEL_ID, token, "m", one, one, 0, 1)).hasMessageContaining("context length");
        assertThatThrownBy(() -> new OfferTerms(MODEL_ID, token, "m", one, one, 1, 0)).hasMessageContaining("concurrency");
        assertThatThrownBy(() -> new OfferTerms(MODEL_ID, token, "m", one.negate(), one, 1, 1)).hasMessageContaining("input price");
        assertThatThrownBy(() -> new OfferTerms(MODEL_ID, token, "m", one, BigInteger.TWO.pow(128), 1, 1))
                .hasMessageContaining("output price");
        OfferRegistryClient reader = HyphaContracts.readOnly(deployment, client).offers();
        assertThatThrownBy(() -> reader.page(0, 101)).hasMessageContaining("1..100");
    }
}
