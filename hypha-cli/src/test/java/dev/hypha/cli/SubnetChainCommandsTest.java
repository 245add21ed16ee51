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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * {@code hypha subnet create|list|show|register|weights} against a real anvil chain with `hypha deploy`'s contracts:
 * a subnet is created, the account registers, gets a validator permit from its stake at the first epoch close, commits
 * weights and reveals them; malformed weights are refused with the input named.
 */
class SubnetChainCommandsTest {
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;
    private static TransactionSender admin;

    @TempDir
    static Path dir;
    static Path home;
    static Path passwordFile;

    @BeforeAll
    static void start() throws IOException {
        devnet = new AnvilLauncher().accounts(3).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        admin = new TransactionSender(chain, devnet.account(0), new NonceManager(chain), RevertDecoder.forHyphaContracts());
        deployment = new Deployer(admin).deploy(DeployParams.devnet());
        home = dir.resolve("home");
        new Deployments(home.resolve("deployments")).save(deployment);
        passwordFile = Files.writeString(dir.resolve("password"), "pw\n");
        Credentials key = devnet.account(1);
        Path keyFile = Files.writeString(dir.resolve("key"), key.getEcKeyPair().getPrivateKey().toString(16));
        assertThat(hypha("account", "import", "--light-kdf", "--private-key-file", keyFile.toString()).exitCode()).isZero();
        HyphaContracts c = HyphaContracts.connect(deployment, admin);
        c.hyp().transfer(key.getAddress(), Deployer.hyp(1_000));
        HyphaContracts.connect(deployment, new TransactionSender(chain, key, new NonceManager(chain),
                RevertDecoder.forHyphaContracts())).staking().stake(StakingClient.VALIDATOR_ROLE, Deployer.hyp(100));
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    private static CliRun hypha(String... args) {
        String[] all = Stream.concat(Stream.of("--home", home.toString(), "--rpc", devnet.rpcUrl(),
                "--password-file", passwordFile.toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(all);
    }

    private static CliRun ok(String... args) {
        CliRun run = hypha(args);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run;
    }

    @Test
    void aSubnetIsCreatedJoinedAndWeighted() {
        assertThat(ok("subnet", "list").out()).contains("No subnets yet");
        assertThat(ok("subnet", "create", "--tempo", "5", "--max-uids", "8", "--max-validators", "2",
                "--activity-cutoff", "100").out()).contains("Created subnet 0 (locked 100 HYP; tempo 5 blocks, 8 UIDs, 2 validator permits)");
        assertThat(ok("subnet", "register", "0", "--max-burn", "2").out()).contains("as UID 0 of subnet 0 (burned about 1 HYP)");
        assertThat(ok("subnet", "list").out()).contains("NETUID").containsPattern("0\\s+0x[0-9a-fA-F]{40}\\s+1\\s+0\\s+0");
        assertThat(ok("subnet", "show", "0").out()).contains("tempo 5 blocks").contains("UID 0  0x").contains("miner");

        for (int i = 0; i < 5; i++) chain.request("evm_mine");
        HyphaContracts.connect(deployment, admin).subnets().closeEpoch(0); // the stake gives UID 0 a permit
        assertThat(ok("subnet", "show", "0").out()).contains("validator");

        CliRun bad = hypha("subnet", "weights", "0", "2=1", "1=5");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("strictly increasing");
        assertThat(hypha("subnet", "weights", "0", "1=70000").err()).contains("VALUE 1..65535");
        assertThat(hypha("subnet", "weights", "0", "--reveal").err()).contains("no pending commit");

        // a second UID to weigh
        HyphaContracts other = HyphaContracts.connect(deployment, new TransactionSender(chain, devnet.account(2),
                new NonceManager(chain), RevertDecoder.forHyphaContracts()));
        HyphaContracts.connect(deployment, admin).hyp().transfer(devnet.account(2).getAddress(), Deployer.hyp(10));
        other.subnets().register(0, Deployer.hyp(10));

        assertThat(ok("subnet", "weights", "0", "1=40000").out()).contains("Committed 1 weights on subnet 0");
        CliRun early = hypha("subnet", "weights", "0", "--reveal");
        assertThat(early.exitCode()).isNotZero();
        assertThat(early.err()).contains("RevealTooEarly");
        for (int i = 0; i < 4; i++) chain.request("evm_mine");
        assertThat(ok("subnet", "weights", "0", "--reveal").out()).contains("Revealed 1 weights on subnet 0");
        assertThat(HyphaContracts.readOnly(deployment, chain).subnets().uid(0, 0).weightsHash).isNotEqualTo(new byte[32]);
    }
}
