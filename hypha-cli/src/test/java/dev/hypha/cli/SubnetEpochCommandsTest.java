package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * {@code hypha subnet epoch close|post|check|challenge|finalize|claim} against a real anvil chain with `hypha deploy`'s
 * contracts and two accounts in two homes: a validator (staked, weighing the miner) and a miner. An honest post checks
 * out and cannot be challenged; a post with a wrong incentive is found by `check`, challenged by the other account,
 * which takes the bond, posted again honestly, finalized, and both claim their emission.
 */
class SubnetEpochCommandsTest {
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;

    @TempDir
    static Path dir;
    static Path passwordFile;

    @BeforeAll
    static void start() throws IOException {
        devnet = new AnvilLauncher().accounts(3).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        TransactionSender admin = new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        deployment = new Deployer(admin).deploy(DeployParams.devnet());
        chain.request("evm_increaseTime", deployment.governanceDelaySeconds() + 1);
        chain.request("evm_mine");
        assertThat(new Deployer(admin).completeEmissionsGrant(deployment)).isTrue();
        passwordFile = Files.writeString(dir.resolve("password"), "pw\n");
        HyphaContracts c = HyphaContracts.connect(deployment, admin);
        for (int i = 1; i <= 2; i++) {
            Path home = dir.resolve("home" + i);
            new Deployments(home.resolve("deployments")).save(deployment);
            Credentials key = devnet.account(i);
            Path keyFile = Files.writeString(dir.resolve("key" + i), key.getEcKeyPair().getPrivateKey().toString(16));
            assertThat(hypha(i, "account", "import", "--light-kdf", "--private-key-file", keyFile.toString()).exitCode()).isZero();
            c.hyp().transfer(key.getAddress(), Deployer.hyp(1_000));
        }
        HyphaContracts.connect(deployment, new TransactionSender(chain, devnet.account(1), new NonceManager(chain),
                RevertDecoder.forHyphaContracts())).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(100));
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    private static CliRun hypha(int who, String... args) {
        String[] all = Stream.concat(Stream.of("--home", dir.resolve("home" + who).toString(), "--rpc", devnet.rpcUrl(),
                "--password-file", passwordFile.toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(all);
    }

    private static CliRun ok(int who, String... args) {
        CliRun run = hypha(who, args);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run;
    }

    private static void mine(int blocks) {
        for (int i = 0; i < blocks; i++) chain.request("evm_mine");
    }

    @Test
    void epochsArePostedCheckedChallengedFinalizedAndClaimed() {
        ok(1, "subnet", "create", "--tempo", "5", "--max-uids", "8", "--max-validators", "1", "--activity-cutoff", "100",
                "--commit-reveal-interval", "2", "--weights-rate-limit", "1");
        ok(1, "subnet", "register", "0");
        ok(2, "subnet", "register", "0");
        assertThat(hypha(1, "subnet", "epoch", "post", "0").err()).contains("epoch 0 of subnet 0 is not closed yet");
        assertThat(hypha(1, "subnet", "epoch").err()).contains("--state FILE is required");

        // epoch 0: no weights yet, an honest post that nobody can challenge
        mine(5);
        assertThat(ok(1, "subnet", "epoch", "close", "0").out()).contains("Closed epoch 0 of subnet 0").contains("2 UIDs");
        assertThat(ok(1, "subnet", "epoch", "post", "0").out()).contains("Posted epoch 0 of subnet 0: 2 UIDs, root 0x");
        assertThat(ok(2, "subnet", "epoch", "check", "0").out()).contains("matches the recomputation");
        assertThat(hypha(2, "subnet", "epoch", "challenge", "0").err()).contains("matches the recomputation: nothing to challenge");
        assertThat(hypha(1, "subnet", "epoch", "finalize", "0").err()).contains("can be finalized from block");
        mine(11);
        assertThat(ok(2, "subnet", "epoch", "finalize", "0").out()).contains("Epoch 0 of subnet 0 is final");

        // the validator (its stake gave it the permit) weighs the miner through commit and reveal
        ok(1, "subnet", "weights", "0", "1=65535");
        mine(2);
        ok(1, "subnet", "weights", "0", "--reveal");
        mine(5);
        ok(1, "subnet", "epoch", "close", "0");

        // epoch 1 posted with a wrong incentive: found by check, challenged by the miner, who takes the bond
        assertThat(hypha(1, "subnet", "epoch", "post", "0", "--wrong-uid", "2").err()).contains("--wrong-uid 2: epoch 1 has UIDs 0..1");
        assertThat(ok(1, "subnet", "epoch", "post", "0", "--wrong-uid", "1").out()).contains("wrong on purpose");
        CliRun check = hypha(2, "subnet", "epoch", "check", "0");
        assertThat(check.exitCode()).isNotZero();
        assertThat(check.out()).contains("DIFFERS from the recomputation at UIDs [1]");
        HyphaContracts reader = HyphaContracts.readOnly(deployment, chain);
        BigInteger before = reader.hyp().balanceOf(devnet.account(2).getAddress());
        assertThat(ok(2, "subnet", "epoch", "challenge", "0").out())
                .contains("Challenged epoch 1 of subnet 0 at UID 1: wrong incentive; the post is void and its bond of 100 HYP is yours");
        assertThat(reader.hyp().balanceOf(devnet.account(2).getAddress()).subtract(before)).isEqualTo(Deployer.hyp(100));
        assertThat(ok(2, "subnet", "epoch", "check", "0").out()).contains("has no post");

        // posted again honestly, final, and both claim what their leaves say
        ok(2, "subnet", "epoch", "post", "0");
        mine(11);
        ok(1, "subnet", "epoch", "finalize", "0");
        assertThat(ok(2, "subnet", "epoch", "claim", "0").out()).contains("for UID 1 of epoch 1").contains("in all from subnet 0");
        assertThat(ok(1, "subnet", "epoch", "claim", "0").out()).contains("for UID 0 of epoch 0");
        assertThat(ok(1, "subnet", "epoch", "claim", "0").out()).contains("Nothing to claim on subnet 0");
    }
}
