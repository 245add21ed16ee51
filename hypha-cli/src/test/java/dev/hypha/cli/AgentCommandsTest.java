package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentTokenClient;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * {@code hypha agent register} and {@code hypha agent account create|freeze} against anvil with deployed contracts:
 * what they print is what the chain then holds, and bad input is one clear line.
 */
class AgentCommandsTest {
    private static final Pattern ACCOUNT = Pattern.compile("Agent account (0x[0-9a-fA-F]{40}) ");
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;
    private static NonceManager nonces;

    @TempDir
    Path dir;
    Path home;
    Path passwordFile;

    @BeforeAll
    static void startChain() {
        devnet = new AnvilLauncher().accounts(4).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        contracts(devnet.account(0)).payment().mint(devnet.account(1).getAddress(), BigInteger.valueOf(50_000_000));
    }

    @AfterAll
    static void stopChain() {
        chain.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts contracts(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    @BeforeEach
    void homeWithAnAccount() throws IOException {
        home = dir.resolve("home");
        new Deployments(home.resolve("deployments")).save(deployment);
        passwordFile = Files.writeString(dir.resolve("password"), "pw\n");
        Path keyFile = Files.writeString(dir.resolve("key"), devnet.account(1).getEcKeyPair().getPrivateKey().toString(16));
        CliRun imported = hypha("account", "import", "--light-kdf", "--private-key-file", keyFile.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
    }

    private CliRun hypha(String... args) {
        String[] all = Stream.concat(Stream.of("--home", home.toString(), "--rpc", devnet.rpcUrl(),
                "--password-file", passwordFile.toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(all);
    }

    @Test
    void registerPrintsTheAgentIdTheRegistryThenHolds() {
        CliRun run = hypha("agent", "register", "ipfs://bafkreiagent");
        assertThat(run.exitCode()).as(run.err()).isZero();
        Matcher m = Pattern.compile("Registered agent #(\\d+) at ipfs://bafkreiagent").matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        BigInteger id = new BigInteger(m.group(1));
        HyphaContracts read = contracts(devnet.account(0));
        assertThat(read.identity().agentUri(id)).isEqualTo("ipfs://bafkreiagent");
        assertThat(read.identity().ownerOf(id)).isEqualToIgnoringCase(devnet.account(1).getAddress());
    }

    @Test
    void accountCreateSetsThePolicyFundsItAndFreezeStopsIt() {
        String guardian = devnet.account(2).getAddress();
        String seller = devnet.account(3).getAddress();
        CliRun run = hypha("agent", "account", "create", "--guardian", guardian, "--limit", "10", "--per-call", "2.5",
                "--period", "12h", "--allow", seller, "--fund", "20", "--recovery-delay", "60s", "--name", "shopper");
        assertThat(run.exitCode()).as(run.err()).isZero();
        Matcher m = ACCOUNT.matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        String address = m.group(1);
        assertThat(run.out()).contains("limit 10 hUSD per 43200 s, at most 2.5 hUSD per payment, 1 allowed counterparty")
                .contains("funded with 20 hUSD; balance 20 hUSD");
        HyphaContracts read = contracts(devnet.account(0));
        assertThat(read.payment().balanceOf(address)).isEqualTo(BigInteger.valueOf(20_000_000));
        var account = read.agentAccounts().at(address);
        assertThat(account.owner()).isEqualToIgnoringCase(devnet.account(1).getAddress());
        assertThat(account.remainingInPeriod(deployment.address(PaymentTokenClient.NAME))).isEqualTo(BigInteger.valueOf(10_000_000));

        CliRun freeze = hypha("agent", "account", "freeze", address);
        assertThat(freeze.exitCode()).as(freeze.err()).isZero();
        assertThat(freeze.out()).contains("Froze agent account");
        assertThat(account.frozen()).isTrue();
    }

    @Test
    void badInputIsOneClearLine() {
        CliRun badPeriod = hypha("agent", "account", "create", "--guardian", devnet.account(2).getAddress(), "--limit", "1",
                "--period", "soon");
        assertThat(badPeriod.exitCode()).isNotZero();
        assertThat(badPeriod.err()).contains("--period 'soon' must be a number of seconds or Ns, Nm, Nh, Nd");
        CliRun selfGuardian = hypha("agent", "account", "create", "--guardian", devnet.account(1).getAddress(), "--limit", "1");
        assertThat(selfGuardian.exitCode()).isNotZero();
        assertThat(selfGuardian.err()).contains("guardian must not be its owner");
    }
}
