package dev.hypha.cli;

import static dev.hypha.chain.deploy.Deployer.hyp;
import static dev.hypha.chain.deploy.StakingClient.PROVIDER_ROLE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.OfferRegistryClient.OfferTerms;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.deploy.ProviderRegistryClient.ProviderRegistration;
import dev.hypha.chain.channels.Receipt;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.gateway.network.PayerFiles;
import dev.hypha.node.gateway.network.ProviderStats;
import dev.hypha.node.gateway.network.ReputationLog;
import dev.hypha.node.gateway.remote.ProviderFault;
import dev.hypha.node.payments.PayerReceipts;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * `hypha offers` against a real anvil: live offers as a table and as JSON, without any account or password, with what
 * this home's gateway saw of each provider (from its real receipts and reputation files).
 */
class OffersCommandTest {
    private static final String MODEL_ID = "0x" + "c3".repeat(32);
    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;

    @TempDir
    Path home;

    @BeforeAll
    static void startChain() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
    }

    @AfterAll
    static void stopChain() {
        chain.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private CliRun hypha(String... args) {
        new Deployments(home.resolve("deployments")).save(deployment);
        String[] all = new String[args.length + 4];
        all[0] = "--home";
        all[1] = home.toString();
        all[2] = "--rpc";
        all[3] = devnet.rpcUrl();
        System.arraycopy(args, 0, all, 4, args.length);
        return CliRun.run(all);
    }

    @Test
    void listsLiveOffersAsATableAndAsJsonAndDropsThemWhenTheyExpire() throws Exception {
        Credentials provider = devnet.account(1);
        HyphaContracts treasury = HyphaContracts.connect(deployment, sender(devnet.account(0)));
        treasury.hyp().transfer(provider.getAddress(), hyp(2_000));
        HyphaContracts c = HyphaContracts.connect(deployment, sender(provider));
        c.staking().stake(PROVIDER_ROLE, new BigInteger(deployment.minProviderStake()));
        c.registry().register(new ProviderRegistration("http://127.0.0.1:11435", provider.getAddress(),
                List.of("inference"), ""));
        assertThat(hypha("offers").out()).contains("No live offers");

        c.offers().publish(new OfferTerms(MODEL_ID, deployment.address(PaymentTokenClient.NAME), "tiny:latest",
                BigInteger.valueOf(250_000), BigInteger.valueOf(1_000_000), 512, 2));

        CliRun table = hypha("offers");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("PROVIDER").contains("tiny:latest").contains("0xc3c3c3c3c3c3")
                .contains("250000").contains("1000000").contains("http://127.0.0.1:11435");

        CliRun json = hypha("offers", "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode offers = new ObjectMapper().readTree(json.out());
        assertThat(offers).hasSize(1);
        JsonNode o = offers.get(0);
        assertThat(o.get("provider").asText()).isEqualToIgnoringCase(provider.getAddress());
        assertThat(o.get("model").asText()).isEqualTo("tiny:latest");
        assertThat(o.get("modelId").asText()).isEqualTo(MODEL_ID);
        assertThat(o.get("inputPerMillion").asText()).isEqualTo("250000");
        assertThat(o.get("outputPerMillion").asText()).isEqualTo("1000000");
        assertThat(o.get("contextLength").asInt()).isEqualTo(512);
        assertThat(o.get("concurrency").asInt()).isEqualTo(2);
        assertThat(o.get("endpoint").asText()).isEqualTo("http://127.0.0.1:11435");
        assertThat(o.get("live").asBoolean()).isTrue();

        // What this home's gateway saw: one answer from the provider (a stored receipt), then a receipt it refused.
        Address seller = Address.parse(provider.getAddress());
        PayerFiles files = PayerFiles.of(home, deployment.chainId(), Address.parse(devnet.account(3).getAddress()));
        Instant now = Instant.now();
        try (PayerReceipts receipts = PayerReceipts.open(files.receipts());
             ReputationLog log = ReputationLog.open(files.reputation())) {
            receipts.add(new PayerReceipts.Stored(now.minusSeconds(60), "tiny:latest", seller, new Receipt("0x"
                    + "11".repeat(32), MODEL_ID, 3, 5, "0x" + "22".repeat(32), BigInteger.TEN, "0x" + "33".repeat(32),
                    BigInteger.TEN), Optional.empty()), "0x00");
            ProviderStats.open(log, receipts, now).failed(seller, ProviderFault.OVERCHARGED,
                    "price 11 is above the 10 its offer's prices make", now.minusSeconds(30));
        }
        CliRun seen = hypha("offers");
        assertThat(seen.exitCode()).as(seen.err()).isZero();
        assertThat(seen.out()).contains("As this home's gateway has seen them").contains("caught cheating")
                .contains("overcharged: price 11 is above");
        JsonNode judged = new ObjectMapper().readTree(hypha("offers", "--json").out()).get(0).get("seen");
        assertThat(judged.get("standing").asText()).isEqualTo("caught cheating");
        assertThat(judged.get("answers").asDouble()).isGreaterThan(0.99);
        assertThat(judged.get("lastFault").get("fault").asText()).isEqualTo("OVERCHARGED");

        chain.request("evm_increaseTime", 61); // past the local chain's maxAge with no heartbeat
        chain.request("evm_mine");
        assertThat(hypha("offers", "--json").out().strip()).isEqualTo("[ ]");
        CliRun stale = hypha("offers", "--all");
        assertThat(stale.out()).contains("tiny:latest").containsPattern("\\s+no\\s+http://127.0.0.1:11435");
    }
}
