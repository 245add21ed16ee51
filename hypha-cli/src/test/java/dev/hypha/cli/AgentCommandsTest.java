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
import java.util.List;
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

    @Test
    void serveRefusesAnAgentThatSellsNothingOrAnOwnerThatIsNot() throws IOException {
        assertThat(hypha("agent", "serve", "nobody").err()).contains("no agent named 'nobody'");
        String guardian = devnet.account(2).getAddress();
        String payee = devnet.account(3).getAddress();
        Path plain = Files.writeString(dir.resolve("plain.json"), """
                {"name": "plain", "task": "t", "budget": {"limit": "1", "guardian": "%s", "allow": ["%s"]}, "tools": []}
                """.formatted(guardian, payee));
        CliRun created = hypha("agent", "create", plain.toString());
        assertThat(created.exitCode()).as(created.err()).isZero();
        CliRun nothing = hypha("agent", "serve", "plain");
        assertThat(nothing.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(nothing.err()).contains("agent plain sells nothing: add a \"serve\" section");
        Path seller = Files.writeString(dir.resolve("seller.json"), """
                {"name": "seller", "task": "t", "budget": {"limit": "1", "guardian": "%s", "allow": ["%s"]},
                 "tools": [{"mcp": "http://127.0.0.1:1/mcp"}],
                 "serve": {"tool": "write", "description": "writes", "price": "0.003"}}
                """.formatted(guardian, payee));
        assertThat(hypha("agent", "create", seller.toString()).exitCode()).isZero();
        CliRun notOwner = hypha("agent", "serve", "seller", "--dev-account", "2");
        assertThat(notOwner.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(notOwner.err()).contains("does not own agent seller's account");
        CliRun badListen = hypha("agent", "serve", "seller", "--listen", "nowhere");
        assertThat(badListen.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(badListen.err()).contains("--listen nowhere is not HOST:PORT");
        CliRun everywhere = hypha("agent", "serve", "seller", "--listen", "0.0.0.0:0");
        assertThat(everywhere.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(everywhere.err()).contains("serves every interface", "add --public-url");
    }

    @Test
    void serveRegistersTheAgentByItsAccountWithItsEndpointsAndPriceAndKeepsItsIdOnARestart() throws Exception {
        // the seller's inference: an MCP server with a free `generate` (the payments are the other tests')
        var generate = new dev.hypha.node.mcp.McpTool("generate", "completes", """
                {"type":"object","properties":{"prompt":{"type":"string"},"max_tokens":{"type":"integer"}},
                 "required":["prompt"]}""", java.util.Optional.empty(), args -> "hello");
        try (var tools = new dev.hypha.node.mcp.McpToolServer(java.util.Optional.empty(), "inference", "0", List.of(generate));
             var server = new dev.hypha.node.http.ApiServer("127.0.0.1", 0, List.of(tools.routes()))) {
            server.start();
            Path spec = Files.writeString(dir.resolve("greeter.json"), """
                    {"name": "greeter", "task": "greet", "budget": {"limit": "1", "guardian": "%s", "allow": ["%s"]},
                     "tools": [{"mcp": "http://127.0.0.1:%d/mcp"}],
                     "serve": {"tool": "write", "description": "writes greetings", "price": "0.003"}}
                    """.formatted(devnet.account(2).getAddress(), devnet.account(3).getAddress(), server.port()));
            assertThat(hypha("agent", "create", spec.toString()).exitCode()).isZero();
            String account = new dev.hypha.node.agents.AgentFolder(home, "greeter").record().account();
            // the test's stop signal has already fired: serve starts, registers, prints and stops at once
            CliRun first = hypha("agent", "serve", "greeter");
            assertThat(first.exitCode()).as(first.err()).isZero();
            Matcher m = Pattern.compile("Agent greeter sells write as ERC-8004 agent #(\\d+): MCP at (http://127.0.0.1:\\d+/mcp), "
                    + "x402 at (\\S+); 0.003 hUSD a call into its account (0x[0-9a-fA-F]{40})").matcher(first.out());
            assertThat(m.find()).as(first.out()).isTrue();
            BigInteger id = new BigInteger(m.group(1));
            assertThat(m.group(4)).isEqualToIgnoringCase(account);
            HyphaContracts read = contracts(devnet.account(0));
            assertThat(read.identity().ownerOf(id)).isEqualToIgnoringCase(account);
            assertThat(read.identity().agentWallet(id)).isEqualToIgnoringCase(account);
            String uri = read.identity().agentUri(id);
            var file = new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.util.Base64.getDecoder()
                    .decode(uri.substring("data:application/json;base64,".length())));
            assertThat(file.path("services").get(0).path("endpoint").asText()).isEqualTo(m.group(2));
            assertThat(file.path("services").get(1).path("endpoint").asText()).isEqualTo(m.group(3));
            assertThat(file.path("pricing").get(0).path("amount").asText()).isEqualTo("3000");
            assertThat(file.path("pricing").get(0).path("payTo").asText()).isEqualToIgnoringCase(account);
            // the directory buyers use finds it, payable to the account only
            var found = new dev.hypha.node.agents.ServiceDirectory(read.identity(), java.net.http.HttpClient.newHttpClient())
                    .find(id);
            assertThat(found.mcpEndpoint()).isEqualTo(m.group(2));
            assertThat(found.payees()).containsExactly(dev.hypha.core.crypto.Address.parse(account));

            // a restart (maybe another port): the same agent id, its file pointing at where it serves now
            BigInteger agents = read.identity().totalAgents();
            CliRun again = hypha("agent", "serve", "greeter");
            assertThat(again.exitCode()).as(again.err()).isZero();
            Matcher m2 = Pattern.compile("as ERC-8004 agent #" + id + ": MCP at (\\S+),").matcher(again.out());
            assertThat(m2.find()).as(again.out()).isTrue();
            assertThat(read.identity().totalAgents()).isEqualTo(agents);
            var moved = new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.util.Base64.getDecoder()
                    .decode(read.identity().agentUri(id).substring("data:application/json;base64,".length())));
            assertThat(moved.path("services").get(0).path("endpoint").asText()).isEqualTo(m2.group(1));
        }
    }
}
