package dev.hypha.chain.deploy;

import dev.hypha.chain.abi.HyphaAbis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.errors.ErrorCategory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentsTest {
    @TempDir
    Path home;

    private static Deployer deployer(Devnet devnet, ChainClient client, List<String> log) {
        return new Deployer(new TransactionSender(client, devnet.account(0), new NonceManager(client),
                RevertDecoder.forHyphaContracts()), log::add);
    }

    @Test
    void deploysOnceReusesAfterwardsAndRedeploysOnAWipedChain() {
        Deployments deployments = new Deployments(home.resolve("deployments"));
        List<String> log = new ArrayList<>();
        Deployment first;
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient client = ChainClient.connect(devnet.rpcUrl())) {
            first = deployer(devnet, client, log).ensureDeployed(deployments, DeployParams.devnet());
            assertThat(deployments.file(31337)).exists();
            assertThat(deployments.load(31337)).contains(first);
            Deployment again = deployer(devnet, client, log).ensureDeployed(deployments, DeployParams.devnet());
            assertThat(again).isEqualTo(first);
            assertThat(log).anyMatch(l -> l.startsWith("contracts already deployed on chain 31337"));
            assertThat(deployments.loadVerified(client)).contains(first);
        }
        // A fresh anvil without state: same chain id, no code at the recorded addresses.
        log.clear();
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient client = ChainClient.connect(devnet.rpcUrl())) {
            assertThat(deployments.loadVerified(client)).isEmpty();
            assertThat(Deployments.verify(first, client)).hasSize(HyphaAbis.NAMES.size()).allMatch(p -> p.contains("has no code"));
            Deployment redeployed = deployer(devnet, client, log).ensureDeployed(deployments, DeployParams.devnet());
            assertThat(log).anyMatch(l -> l.startsWith("recorded deployment is stale"));
            assertThat(Deployments.verify(redeployed, client)).isEmpty();
        }
    }

    @Test
    void aRecordWrittenBeforeGovernanceIsRedeployedOnTheDevnet() {
        Deployments deployments = new Deployments(home.resolve("deployments"));
        // What an older version recorded: no HyphaTimelock, no governor.
        deployments.save(new Deployment(31337, "0xabc", Map.of(), 60, "0", null, 0));
        List<String> log = new ArrayList<>();
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient client = ChainClient.connect(devnet.rpcUrl())) {
            Deployment fresh = deployer(devnet, client, log).ensureDeployed(deployments, DeployParams.devnet());
            assertThat(log).anyMatch(l -> l.startsWith("recorded deployment is unusable") && l.contains("HyphaTimelock"));
            assertThat(deployments.loadVerified(client)).contains(fresh);
        }
    }

    @Test
    void malformedOrForeignFilesAreClearInputErrors() throws IOException {
        Deployments deployments = new Deployments(home);
        Files.writeString(home.resolve("5.json"), "{ not json");
        assertThatThrownBy(() -> deployments.load(5))
                .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                .hasMessageContaining(home.resolve("5.json").toString())
                .hasMessageContaining("malformed");
        deployments.save(new Deployment(6, "0xabc", Map.of(), 60, "0", "0xabc", 120));
        assertThatThrownBy(() -> deployments.load(6)).hasMessageContaining("has no HyphaTimelock");
        Files.copy(deployments.file(6), home.resolve("7.json"));
        assertThatThrownBy(() -> deployments.load(7)).hasMessageContaining("records chain id 6, expected 7");
        assertThat(deployments.load(8)).isEmpty();
        try (var files = Files.list(home)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void deployParamsRejectNonsense() {
        DeployParams d = DeployParams.defaults();
        assertThatThrownBy(() -> new DeployParams(java.math.BigInteger.ZERO, java.math.BigInteger.ZERO, 60,
                java.math.BigInteger.ONE, 120, java.util.Optional.empty(), java.util.Optional.empty())).hasMessageContaining("cap");
        assertThatThrownBy(() -> d.withUnbondingPeriod(-1)).hasMessageContaining("unbonding period");
        assertThatThrownBy(() -> d.withUnbondingPeriod(DeployParams.MAX_UNBONDING_SECONDS + 1)).hasMessageContaining("unbonding period");
        assertThatThrownBy(() -> d.withMinProviderStake(java.math.BigInteger.ONE.negate())).hasMessageContaining("minimum provider stake");
        // Stakers must be able to leave before a governance change takes effect.
        assertThatThrownBy(() -> d.withGovernanceDelay(DeployParams.SEVEN_DAYS))
                .hasMessageContaining("governance delay (604800 s) must be longer than the unbonding period (604800 s)");
        assertThatThrownBy(() -> d.withUnbondingPeriod(DeployParams.EIGHT_DAYS)).hasMessageContaining("must be longer");
        assertThat(DeployParams.defaults().governanceDelaySeconds()).isEqualTo(8 * 24 * 3600);
    }

    @Test
    void periodsAndDelaysUnderADayAreRefusedOutsideTheLocalChainBeforeAnythingIsSent() {
        DeployParams devnet = DeployParams.devnet();
        Deployer.checkForChain(devnet, 31337);
        assertThatThrownBy(() -> Deployer.checkForChain(devnet, 1))
                .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                .hasMessage("unbonding period 60 s is too short for chain 1: at least 86400 s (1 day) outside the local chain 31337");
        Deployer.checkForChain(DeployParams.defaults(), 1);
        // (The governance delay is longer than the unbonding period, so a period of a day or more implies a delay too.)
    }
}
