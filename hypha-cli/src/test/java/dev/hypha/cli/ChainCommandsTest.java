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
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * status, stake, unstake, withdraw, provider register/show and deploy against one real anvil. Each test gets its own
 * home with a fresh dev account (imported with light scrypt) funded with HYP, so tests do not see each other's stake.
 */
class ChainCommandsTest {

    private static final BigInteger HYP = BigInteger.TEN.pow(18);

    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;
    private static HyphaContracts treasury;
    private static int nextAccount = 1;

    @TempDir
    Path dir;
    Path home;
    Path passwordFile;
    String account;

    @BeforeAll
    static void startChain() {
        devnet = new AnvilLauncher().accounts(20).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        TransactionSender sender = new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        deployment = new Deployer(sender).deploy(DeployParams.devnet());
        treasury = HyphaContracts.connect(deployment, sender);
    }

    @AfterAll
    static void stopChain() {
        chain.close();
        devnet.close();
    }

    @BeforeEach
    void homeWithAFundedAccount() throws IOException {
        home = dir.resolve("home");
        new Deployments(home.resolve("deployments")).save(deployment);
        passwordFile = Files.writeString(dir.resolve("password"), "pw\n");
        Credentials key = devnet.account(nextAccount++);
        Path keyFile = Files.writeString(dir.resolve("key"), key.getEcKeyPair().getPrivateKey().toString(16));
        CliRun imported = hypha("account", "import", "--light-kdf", "--private-key-file", keyFile.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        account = imported.out().strip();
        treasury.hyp().transfer(account, HYP.multiply(BigInteger.valueOf(5_000)));
    }

    private CliRun hypha(String... args) {
        String[] all = Stream.concat(Stream.of("--home", home.toString(), "--rpc", devnet.rpcUrl(),
                "--password-file", passwordFile.toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(all);
    }

    private BigInteger stake() {
        return treasury.staking().stakeOf(account, StakingClient.PROVIDER_ROLE);
    }

    @Test
    void stakeUnstakeAndWithdrawMoveRealStake() {
        CliRun staked = hypha("stake", "1500.5");
        assertThat(staked.exitCode()).as(staked.err()).isZero();
        assertThat(staked.out()).contains("Staked 1500.5 HYP as provider").contains("Active stake: 1500.5 HYP");
        assertThat(stake()).isEqualTo(new BigInteger("1500500000000000000000"));

        CliRun unstaked = hypha("unstake", "500.5");
        assertThat(unstaked.exitCode()).as(unstaked.err()).isZero();
        assertThat(unstaked.out()).contains("Unbonding 500.5 HYP").contains("hypha withdraw");
        assertThat(stake()).isEqualTo(HYP.multiply(BigInteger.valueOf(1000)));

        CliRun early = hypha("withdraw");
        assertThat(early.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(early.errorLine()).contains("UnbondingNotMature");

        chain.request("evm_increaseTime", 61);
        chain.request("evm_mine");
        CliRun withdrawn = hypha("withdraw");
        assertThat(withdrawn.exitCode()).as(withdrawn.err()).isZero();
        assertThat(withdrawn.out()).contains("Withdrew 500.5 HYP");
        assertThat(treasury.hyp().balanceOf(account)).isEqualTo(HYP.multiply(BigInteger.valueOf(4_000)));
    }

    @Test
    void unstakingOrWithdrawingWhatIsNotThereShowsTheContractsReason() {
        CliRun unstake = hypha("unstake", "1");
        CliRun withdraw = hypha("withdraw", "--role", "validator");

        assertThat(unstake.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(unstake.errorLine()).contains("InsufficientStake(available=0, requested=" + HYP + ")");
        assertThat(withdraw.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(withdraw.errorLine()).contains("NothingToWithdraw");
    }

    @Test
    void badAmountsAreOneInputErrorAndSendNothing() {
        for (String bad : new String[] {"0", "0.0", "1e3", "abc", "1.0000000000000000001",
            "115792089237316195423570985008687907853269984665640564039458"}) {
            CliRun run = hypha("stake", bad);
            assertThat(run.exitCode()).as(bad).isEqualTo(ExitCodes.INPUT);
            assertThat(run.err().lines()).as(bad).hasSize(1);
        }
        CliRun negative = hypha("stake", "--", "-5");
        assertThat(negative.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(negative.errorLine()).contains("amount must be > 0");
        assertThat(hypha("stake", "0").errorLine()).isEqualTo("stake amount is zero: amount must be > 0");
        assertThat(stake()).isZero();
    }

    @Test
    void stakingMoreThanTheBalanceShowsTheDecodedRevert() {
        CliRun run = hypha("stake", "5000.000000000000000001");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(run.errorLine()).contains("ERC20InsufficientBalance");
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void registeringWithoutEnoughStakeShowsInsufficientStake() {
        CliRun run = hypha("provider", "register", "--endpoint", "https://p.example:11434", "--service", "inference");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(run.errorLine()).contains("InsufficientStake").contains("have=0")
                .contains("need=" + HYP.multiply(BigInteger.valueOf(1000)));
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void registeredProviderShowsInStatusAndProviderShow() {
        assertThat(hypha("stake", "1000").exitCode()).isZero();
        String cid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";

        CliRun registered = hypha("provider", "register", "--endpoint", "https://p.example:11434",
                "--service", "inference", "--service", "training", "--metadata", cid);

        assertThat(registered.exitCode()).as(registered.err()).isZero();
        CliRun shown = hypha("provider", "show");
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("Provider     " + account, "https://p.example:11434",
                "inference, training", cid, "Active     yes", "Stake      1000 HYP");
        CliRun status = hypha("status");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("Chain id     31337", "Account      " + account, "HYP        4000",
                "Stake      1000 HYP as provider", "Endpoint   https://p.example:11434")
                .contains("Staking           " + org.web3j.crypto.Keys.toChecksumAddress(deployment.address("Staking")));
    }

    @Test
    void anotherSigningKeyFromTheKeystoreSignsItsProofAndUpdateMovesBackToTheOwnKey() throws IOException {
        assertThat(hypha("stake", "1000").exitCode()).isZero();
        Credentials key = devnet.account(nextAccount++);
        Path keyFile = Files.writeString(dir.resolve("signing-key"), key.getEcKeyPair().getPrivateKey().toString(16));
        CliRun imported = hypha("account", "import", "--light-kdf", "--private-key-file", keyFile.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        String signer = imported.out().strip();

        CliRun registered = hypha("--account", account, "provider", "register", "--endpoint", "https://p.example:11434",
                "--service", "inference", "--signing-key", signer);
        assertThat(registered.exitCode()).as(registered.err()).isZero();
        assertThat(treasury.registry().provider(account).orElseThrow().signingKey()).isEqualToIgnoringCase(signer);

        CliRun updated = hypha("--account", account, "provider", "update", "--endpoint", "https://q.example",
                "--service", "inference", "--service", "training");
        assertThat(updated.exitCode()).as(updated.err()).isZero();
        assertThat(updated.out()).contains("Updated provider " + account).contains("https://q.example")
                .contains("signing key " + account);
        var info = treasury.registry().provider(account).orElseThrow();
        assertThat(info.signingKey()).isEqualToIgnoringCase(account);
        assertThat(info.endpoint()).isEqualTo("https://q.example");
        assertThat(info.services()).containsExactly("inference", "training");
    }

    @Test
    void aSigningKeyOutsideTheKeystoreCannotBeListed() {
        assertThat(hypha("stake", "1000").exitCode()).isZero();
        String stranger = devnet.account(19).getAddress();

        CliRun run = hypha("provider", "register", "--endpoint", "https://p.example", "--service", "inference",
                "--signing-key", stranger);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("is not in the keystore").contains("proof");
        assertThat(treasury.registry().provider(account)).isEmpty();
    }

    @Test
    void providerRegisterRejectsBadInputBeforeSending() {
        CliRun badUrl = hypha("provider", "register", "--endpoint", "ftp://x", "--service", "inference");
        CliRun badCid = hypha("provider", "register", "--endpoint", "https://x", "--service", "inference",
                "--metadata", "not-a-cid");
        CliRun badKey = hypha("provider", "register", "--endpoint", "https://x", "--service", "inference",
                "--signing-key", "0xZZ");
        CliRun longService = hypha("provider", "register", "--endpoint", "https://x", "--service", "s".repeat(33));
        CliRun noService = hypha("provider", "register", "--endpoint", "https://x");

        assertThat(badUrl.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(badUrl.errorLine()).contains("'ftp://x'").contains("http(s)");
        assertThat(badCid.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(badKey.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(badKey.errorLine()).contains("0xZZ");
        assertThat(longService.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(longService.errorLine()).contains("32");
        assertThat(noService.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noService.errorLine()).contains("--service");
    }

    @Test
    void providerShowOfAnUnregisteredAddressSaysSo() {
        CliRun run = hypha("provider", "show", "0x000000000000000000000000000000000000dEaD");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("0x000000000000000000000000000000000000dEaD is not a registered provider");
    }

    @Test
    void wrongPasswordIsAnAuthErrorAndSendsNothing() throws IOException {
        Path wrong = Files.writeString(dir.resolve("wrong"), "nope\n");

        CliRun run = CliRun.run("--home", home.toString(), "--rpc", devnet.rpcUrl(), "--password-file",
                wrong.toString(), "stake", "10");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(run.errorLine()).isEqualTo("wrong password for account " + account);
        assertThat(stake()).isZero();
    }

    @Test
    void unreachableRpcIsOneNetworkErrorNamingTheUrl() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closed;

        CliRun status = CliRun.run("--home", home.toString(), "--rpc", url, "status");
        CliRun stake = CliRun.run("--home", home.toString(), "--rpc", url, "--password-file",
                passwordFile.toString(), "stake", "1");

        for (CliRun run : new CliRun[] {status, stake}) {
            assertThat(run.exitCode()).isEqualTo(ExitCodes.NETWORK);
            assertThat(run.err().lines()).hasSize(1);
            assertThat(run.errorLine()).contains(url);
        }
    }

    @Test
    void badRpcUrlIsAnInputError() {
        CliRun run = CliRun.run("--home", home.toString(), "--rpc", "localhost:8545", "status");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("localhost:8545");
    }

    @Test
    void chainWithoutADeploymentPointsToUpOrDeploy() {
        Path empty = dir.resolve("empty-home");

        CliRun status = CliRun.run("--home", empty.toString(), "--rpc", devnet.rpcUrl(), "status");
        CliRun stake = CliRun.run("--home", home.toString(), "--rpc", devnet.rpcUrl(), "--password-file",
                passwordFile.toString(), "--config", Path.of("/nonexistent").toString(), "stake", "1");
        CliRun stakeNoDeployment = CliRun.run("--home", empty.toString(), "--rpc", devnet.rpcUrl(),
                "--account", account, "stake", "1");

        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("none recorded for chain 31337").contains("hypha up");
        assertThat(stake.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(stakeNoDeployment.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(stakeNoDeployment.errorLine()).contains("hypha deploy");
    }

    @Test
    void deployRecordsANewDeploymentAndKeepsAWorkingOne() {
        // The imported dev account has anvil's 10000 ETH for gas.
        Path other = dir.resolve("deploy-home");
        CliRun copyKey = CliRun.run("--home", other.toString(), "account", "import", "--light-kdf",
                "--keystore", onlyKeystoreFile().toString(), "--password-file", passwordFile.toString());
        assertThat(copyKey.exitCode()).as(copyKey.err()).isZero();

        CliRun first = CliRun.run("--home", other.toString(), "--rpc", devnet.rpcUrl(), "--password-file",
                passwordFile.toString(), "deploy", "--min-provider-stake", "10", "--unbonding-period", "120");
        CliRun second = CliRun.run("--home", other.toString(), "--rpc", devnet.rpcUrl(), "deploy");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("deployed HyphaTimelock at").contains("deployed Staking at")
                .contains("Recorded in " + other.resolve("deployments"))
                .contains("Governance: HyphaTimelock is the admin of every contract (PaymentChannels, OfferRegistry, InferenceCoordinator and ComputeMarket have none) and the slash sink")
                .contains("every action waits 691200 s");
        Deployment recorded = new Deployments(other.resolve("deployments")).load(31337).orElseThrow();
        assertThat(recorded.unbondingPeriodSeconds()).isEqualTo(120);
        assertThat(recorded.minProviderStake()).isEqualTo(BigInteger.TEN.multiply(HYP).toString());
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).contains("already deployed");
    }

    @Test
    void deployRejectsBadParameters() {
        CliRun run = hypha("deploy", "--redeploy", "--unbonding-period", "-1");
        CliRun stake = hypha("deploy", "--redeploy", "--min-provider-stake", "-1");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("--unbonding-period");
        assertThat(stake.exitCode()).isEqualTo(ExitCodes.INPUT);
        CliRun delay = hypha("deploy", "--redeploy", "--unbonding-period", "1000", "--governance-delay", "1000");
        assertThat(delay.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(delay.errorLine()).contains("governance delay (1000 s) must be longer than the unbonding period");
    }

    private Path onlyKeystoreFile() {
        try (Stream<Path> files = Files.list(home.resolve("keystore"))) {
            return files.findFirst().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
